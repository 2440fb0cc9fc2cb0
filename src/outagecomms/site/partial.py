"""What a rebuild after a message reads of the incidents it only lists: the resolved ones
in the window (the index's history list, the feed) and on the history months it writes,
which get no page in this build.

A list shows an incident's title, phase, resolution time and its latest update (the last
one with a customer's text: :func:`outagecomms.site.state.choose_text`); the feed shows the
window's newest :data:`~outagecomms.site.feed.MAX_ENTRIES` updates. So of each such
incident only its latest update is read, and those among the feed's newest, found from the
messages' times alone (one query, no texts). Whether a message is shown does not depend on
the language, so one read serves every tree. Of those whose entries the last build kept as
they still are (:mod:`outagecomms.site.listed`) nothing is read. A full build reads every
incident whole (each gets its page).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from outagecomms.models import Audience
from outagecomms.store import site_repo
from outagecomms.store.records import public_id
from outagecomms.store.site_repo import Shown, Timeline

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

FeedKey = tuple[datetime, str, int, int]
"""How the feed orders updates (time, incident id, place), then the incident's number."""


def feed_places(
    whole: Timeline,
    shown: Sequence[Shown],
    kept: Mapping[int, Sequence[tuple[datetime, int]]],
    window: Collection[int],
    feed_entries: int,
) -> dict[int, set[int]]:
    """Which updates of which incidents (number -> places) are among the feed's newest
    ``feed_entries`` of the ``window``: of the ``whole`` timelines read, of the ``shown``
    messages of those only listed, and of the ``kept`` ones (their updates' times and
    places, kept with their entries: :mod:`outagecomms.site.listed`)."""
    customers = Audience.CUSTOMERS.value
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
    keys += [
        (at, public_id(number), place, number)
        for number, updates in kept.items()
        if number in in_window
        for at, place in updates
    ]
    places: dict[int, set[int]] = {}
    for _at, _id, place, number in heapq.nlargest(feed_entries, keys):
        places.setdefault(number, set()).add(place)
    return places


def listed_messages(shown: Sequence[Shown], places: Mapping[int, Collection[int]]) -> set[int]:
    """The messages to read of the incidents only listed: each one's latest with a
    customer's text, and those the feed shows."""
    latest: dict[int, int] = {}
    wanted: set[int] = set()
    for message in shown:  # by incident, then place: the last one seen is the latest
        latest[message.incident_number] = message.message_id
        if message.seq in places.get(message.incident_number, ()):
            wanted.add(message.message_id)
    return wanted | set(latest.values())


def shown_messages(conn: Connection, numbers: Collection[int]) -> list[Shown]:
    """The messages of ``numbers`` with a customer's text (times only, no texts)."""
    return site_repo.shown_messages(conn, numbers, Audience.CUSTOMERS.value)


__all__ = ["feed_places", "listed_messages", "shown_messages"]
