"""What a rebuild after a message reads of the incidents it only lists: the resolved ones
in the window (the index's history list, the feed) and on the history months it writes,
which get no page in this build.

A list shows an incident's title, phase, resolution time and its latest update (the last
one with a customer's text: :func:`outagecomms.site.state.choose_text`); the feed shows the
window's newest :data:`~outagecomms.site.feed.MAX_ENTRIES` updates. So of each such
incident only its latest update is read, and every update of the incidents that have one
among the feed's newest, found from the messages' times alone (one query, no texts).
Whether a message is shown does not depend on the language, so one read serves every
tree. A full build reads every incident whole (each gets its page).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.engine import Connection

from outagecomms.models import Audience
from outagecomms.store import site_repo
from outagecomms.store.records import public_id
from outagecomms.store.site_repo import Timeline

FeedKey = tuple[datetime, str, int, int]
"""How the feed orders updates (time, incident id, place), then the incident's number."""


def partial_timelines(
    conn: Connection,
    whole: Timeline,
    partial: Collection[int],
    window: Collection[int],
    feed_entries: int,
) -> Timeline:
    """The messages to read of the ``partial`` incidents (with their deliveries), given
    the ``whole`` timelines already read and the incidents of the ``window``."""
    customers = Audience.CUSTOMERS.value
    shown = site_repo.shown_messages(conn, partial, customers)
    in_window = set(window)
    keys: list[FeedKey] = [
        (message.created_at, public_id(number), message.seq, number)
        for number, pairs in whole.items()
        if number in in_window
        for message, sent in pairs
        if any(d.audience == customers for d in sent)
    ]
    keys += [
        (s.created_at, public_id(s.incident_number), s.seq, s.incident_number)
        for s in shown
        if s.incident_number in in_window
    ]
    in_feed = {key[3] for key in heapq.nlargest(feed_entries, keys)}
    latest: dict[int, int] = {}
    wanted: set[int] = set()
    for message in shown:  # by incident, then place: the last one seen is the latest
        latest[message.incident_number] = message.message_id
        if message.incident_number in in_feed:
            wanted.add(message.message_id)
    return site_repo.timelines_of_messages(conn, wanted | set(latest.values()))


__all__ = ["partial_timelines"]
