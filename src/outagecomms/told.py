"""What customers were told: the text of each message per channel, with channels that got
the very same words (the same language and format) folded together, as ``show`` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    lang: str = ""
    """The channels' language(s), when known."""


def texts_of(
    entry: TimelineEntry, *, internal: bool = False, languages: Mapping[str, str] | None = None
) -> list[Told]:
    """The distinct texts of one message; internal copies only with ``internal`` (they
    repeat the customers' words after the incident facts). With ``languages`` (channel ->
    language, as configured now), each text knows its language and texts of one language
    come together."""
    groups: dict[tuple[str | None, str], list[str]] = {}
    for d in entry.deliveries:
        if d.audience == Audience.INTERNAL.value and not internal:
            continue
        groups.setdefault((d.title, d.body), []).append(d.channel)
    known = languages or {}
    told = [
        Told(tuple(names), title, body, ", ".join(sorted({known[n] for n in names if n in known})))
        for (title, body), names in groups.items()
    ]
    return sorted(told, key=lambda t: t.lang) if known else told


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
