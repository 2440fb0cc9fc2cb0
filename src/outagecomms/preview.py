"""Preview: every rendered message of a runbook, per channel, against the channel's limit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from outagecomms.compose import Composed, compose
from outagecomms.errors import UsageError
from outagecomms.inputs import check_variables
from outagecomms.models import Channel, ChannelKind, Phase, Runbook, Severity
from outagecomms.project import Project
from outagecomms.render_budget import RenderBudget
from outagecomms.templates import default_facts


@dataclass(frozen=True)
class PreviewItem:
    phase: Phase
    composed: Composed


def sample_channels(runbook: Runbook, langs: Sequence[str]) -> list[Channel]:
    """One channel of every kind in every language, for a project with no channels yet
    (and for the demo): ``email-en``, ``x-fa``, ..."""
    return [
        Channel(name=f"{kind.value}-{lang}", kind=kind, url="json://127.0.0.1/", language=lang)
        for lang in langs
        for kind in ChannelKind
    ]


def parse_phase(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError:
        names = ", ".join(p.value for p in Phase)
        raise UsageError(f"unknown phase {value!r}; use one of: {names}") from None


def preview(
    project: Project,
    runbook_id: str,
    *,
    phases: Sequence[Phase] = (),
    channel_names: Sequence[str] = (),
    langs: Sequence[str] = (),
    given: Mapping[str, str] | None = None,
    all_kinds: bool = False,
    now: datetime | None = None,
    severity: Severity | None = None,
) -> list[PreviewItem]:
    """Render ``runbook_id`` for the project's channels (or one sample channel per kind when
    the project has none, or ``all_kinds``), filling unset variables with their examples."""
    runbook = project.runbook(runbook_id).runbook
    check_variables(given or {}, project.limits)
    for lang in langs:
        if lang not in runbook.languages:
            raise UsageError(
                f"runbook {runbook.id!r} has no language {lang!r}; "
                f"it has: {', '.join(runbook.languages)}"
            )
    settings = project.settings
    if all_kinds or (not channel_names and not project.channels()):
        channels = sample_channels(runbook, langs or runbook.languages)
        if channel_names:
            wanted = set(channel_names)
            channels = [c for c in channels if c.name in wanted or c.kind.value in wanted]
    else:
        channels = [c.channel for c in project.select_channels(channel_names)]
        if langs:
            channels = [c for c in channels if c.language in langs]
    chosen = list(phases) or list(runbook.messages)
    values = example_values(runbook, given or {})
    moment = now or datetime.now(UTC)
    facts = default_facts(
        runbook,
        now=moment,
        status_url=settings.status_url,
        sender=settings.sender,
        severity=severity,
    )
    items: list[PreviewItem] = []
    for phase in chosen:
        if phase not in runbook.messages:
            continue
        for channel in channels:
            composed = compose(
                runbook,
                phase,
                channel,
                facts,
                values,
                default_language=settings.default_language,
                budget=RenderBudget.of(settings.limits),
            )
            items.append(PreviewItem(phase, composed))
    return items


def example_values(runbook: Runbook, given: Mapping[str, str]) -> dict[str, str]:
    """``given`` plus each variable's example (per language where it has several)."""
    values = dict(given)
    for name, spec in runbook.variables.items():
        if name in values:
            continue
        example = spec.example
        if isinstance(example, str):
            values[name] = example
        elif isinstance(example, dict):
            for lang, text in example.items():
                values.setdefault(f"{name}.{lang}", text)
    return values
