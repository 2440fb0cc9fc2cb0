"""What a rebuild after a message reads of the incidents it only lists: the resolved ones
in the window (the index's history list, the feed) and on the history months it writes,
which get no page in this build.

A list shows an incident's title, phase, resolution time and its latest update (the last
one with a customer's text: :func:`outagecomms.site.state.choose_text`); the feed shows the
window's newest :data:`~outagecomms.site.feed.MAX_ENTRIES` updates. So of each such
incident only its latest update is read, and every update of the incidents that have one
among the feed's newest, found from the messages' times alone (one query, no texts).
Whether a message is shown does not depend on the language, so one read serves every
tree. Of those whose list entries the last build kept as they still are
(:mod:`outagecomms.site.listed`) and with no update in the feed, nothing more is read. A
full build reads every incident whole (each gets its page).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection

from outagecomms.models import Audience
from outagecomms.store import site_repo
from outagecomms.store.records import public_id
from outagecomms.store.site_repo import Shown, Timeline

FeedKey = tuple[datetime, str, int, int]
"""How the feed orders updates (time, incident id, place), then the incident's number."""


@dataclass(frozen=True)
class ListedReads:
    """What was read of the incidents a build only lists."""

    timeline: Timeline
    """The messages read, with their deliveries."""
    latest: dict[int, Shown]
    """Each one's latest message with a customer's text (none: absent)."""
    kept: frozenset[int]
    """Those none of whose messages were read: their list entries are the last build's,
    and none of their updates is in the feed."""


def partial_timelines(
    conn: Connection,
    whole: Timeline,
    partial: Collection[int],
    window: Collection[int],
    feed_entries: int,
    kept: Callable[[int, Shown | None], bool] = lambda _number, _latest: False,
) -> ListedReads:
    """The messages to read of the ``partial`` incidents (with their deliveries), given
    the ``whole`` timelines already read and the incidents of the ``window``; ``kept``
    says of an incident and its latest shown message whether its list entries are kept
    from the last build (:mod:`outagecomms.site.listed`), so it needs no text."""
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
    latest: dict[int, Shown] = {}
    wanted: set[int] = set()
    for message in shown:  # by incident, then place: the last one seen is the latest
        latest[message.incident_number] = message
        if message.incident_number in in_feed:
            wanted.add(message.message_id)
    unread = frozenset(n for n in partial if n not in in_feed and kept(n, latest.get(n)))
    wanted |= {m.message_id for n, m in latest.items() if n not in unread}
    return ListedReads(site_repo.timelines_of_messages(conn, wanted), latest, unread)


__all__ = ["ListedReads", "partial_timelines"]
