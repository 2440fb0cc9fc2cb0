"""What customers were told: the text of each message per channel, with channels that got
the very same words (the same language and format) folded together, as ``show`` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from outagecomms.errors import NotFoundError
from outagecomms.incidents import IncidentDetail, TimelineEntry
from outagecomms.store.records import DeliveryRecord
from outagecomms.vocabulary import Audience


@dataclass(frozen=True)
class Told:
    """One text of one message, and every channel that received exactly it."""

    channels: tuple[str, ...]
    title: str | None
    body: str


def texts_of(entry: TimelineEntry, *, internal: bool = False) -> list[Told]:
    """The distinct texts of one message, in channel order; internal copies only with
    ``internal`` (they repeat the customers' words after the incident facts)."""
    groups: dict[tuple[str | None, str], list[str]] = {}
    for d in entry.deliveries:
        if d.audience == Audience.INTERNAL.value and not internal:
            continue
        groups.setdefault((d.title, d.body), []).append(d.channel)
    return [Told(tuple(names), title, body) for (title, body), names in groups.items()]


def narrow(detail: IncidentDetail, channels: Sequence[str]) -> IncidentDetail:
    """``detail`` with only the deliveries to ``channels`` (and the messages they got)."""
    if not channels:
        return detail
    used = {d.channel for entry in detail.timeline for d in entry.deliveries}
    unknown = [name for name in channels if name not in used]
    if unknown:
        known = ", ".join(sorted(used)) or "none"
        raise NotFoundError(
            f"{detail.incident.id} sent nothing to channel {unknown[0]!r} (its channels: {known})"
        )
    wanted = set(channels)
    timeline = []
    for entry in detail.timeline:
        kept: list[DeliveryRecord] = [d for d in entry.deliveries if d.channel in wanted]
        if kept:
            timeline.append(replace(entry, deliveries=kept))
    return replace(detail, timeline=timeline)


def own_words_reason(detail: IncidentDetail, seq: int) -> str | None:
    """Why message ``seq`` is in the on-call's own words (None: a runbook message)."""
    for event in detail.events:
        if event.kind == "message.own_words" and event.detail.get("seq") == seq:
            return str(event.detail.get("reason") or "")
    return None
