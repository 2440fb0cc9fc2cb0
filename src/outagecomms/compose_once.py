"""Composing one phase for many incidents at one moment (the worker's automatic updates of
every overdue incident): a channel's text is composed once per distinct set of the facts
its templates read, and shared by every incident it is the same text for.

The key is what the text is made of: the runbook (the object itself, kept alive with the
text), the phase, the channel (its format, language, zone and limit), the given values,
the moment and the promised next update (every time is shown relative to the moment), the
status URL (a shortened text keeps it), and of the other facts only those the templates
read (an incident's id, severity, start, elapsed whole minutes, sender). A text that cannot
be keyed (a phase or language the runbook lacks: composing says why) is composed each
time; a failure is never kept."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from outagecomms.compose import Composed, channel_language
from outagecomms.localdates import elapsed_minutes
from outagecomms.models import Channel, Format, Phase, Runbook, TextMessage
from outagecomms.templates import IncidentFacts, variables_in

Compose = Callable[[Mapping[str, Channel]], dict[str, Composed]]
"""Composes the texts of the channels it is given, by name."""


class ComposedOnce:
    """The texts composed so far, for one moment (make one per batch: the moment is part
    of every key, so nothing is shared across batches anyway)."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[Runbook, Composed]] = {}
        self.composed = 0
        """How many texts were composed (the others were shared)."""

    def texts(
        self,
        runbook: Runbook,
        phase: Phase,
        targets: Mapping[str, Channel],
        facts: IncidentFacts,
        given: Mapping[str, str],
        *,
        default_language: str,
        compose: Compose,
    ) -> dict[str, Composed]:
        """Each channel's text of ``phase``, by name: kept ones shared, the others made by
        ``compose`` (all at once) and kept."""
        keys = {
            name: text_key(runbook, phase, channel, facts, given, default_language)
            for name, channel in targets.items()
        }
        missing = {
            name: targets[name]
            for name, key in keys.items()
            if key is None or key not in self._kept
        }
        made = compose(missing) if missing else {}
        self.composed += len(made)
        for name, text in made.items():
            key = keys[name]
            if key is not None:
                self._kept[key] = (runbook, text)
        return {name: made[name] if name in made else self._kept[keys[name]][1] for name in targets}


def text_key(
    runbook: Runbook,
    phase: Phase,
    channel: Channel,
    facts: IncidentFacts,
    given: Mapping[str, str],
    default_language: str,
) -> Hashable | None:
    """What one channel's text of ``phase`` is made of (None: not keyed)."""
    lang = channel_language(runbook, channel, default_language)
    sources = phase_sources(runbook, phase, channel.effective_format, lang)
    if sources is None:
        return None
    read: set[str] = set()
    for source in sources:
        read |= variables_in(source)
    return (
        id(runbook), phase, channel, default_language, tuple(sorted(given.items())),
        facts.now, facts.next_update_at, facts.status_url,
        *(_fact(name, facts) for name in sorted(read & FACTS_READ.keys())),
    )  # fmt: skip


def phase_sources(runbook: Runbook, phase: Phase, fmt: Format, lang: str) -> list[str] | None:
    """The templates one format and language of ``phase`` renders (None: it has none)."""
    formats = runbook.messages.get(phase)
    if formats is None:
        return None
    if fmt is Format.LONG:
        long = formats.long.get(lang)
        return None if long is None else [long.subject, long.body]
    message = (formats.chat if fmt is Format.CHAT else formats.short).get(lang)
    if message is None:
        return None
    return [message.text if isinstance(message, TextMessage) else message]


def _elapsed_minutes(facts: IncidentFacts) -> int:
    """The elapsed time as its phrase says it (whole minutes)."""
    return elapsed_minutes((facts.resolved_at or facts.now) - facts.started_at)


def _sender(facts: IncidentFacts) -> Hashable:
    sender = facts.sender
    return sender if isinstance(sender, str) else tuple(sorted(sender.items()))


FACTS_READ: dict[str, Callable[[IncidentFacts], Any]] = {
    "incident_id": lambda facts: facts.incident_id,
    "severity": lambda facts: facts.severity,
    "started_at": lambda facts: facts.started_at,
    "elapsed": _elapsed_minutes,
    "sender": _sender,
}
"""The built-in variables that differ between incidents of one moment, and what of the
facts each one shows."""


def _fact(name: str, facts: IncidentFacts) -> tuple[str, Any]:
    return (name, FACTS_READ[name](facts))
