"""From a runbook phase to the exact text one channel receives, measured against its limit.

This is the one path every send, preview and proof goes through: pick the channel's
format and language, render, fold the subject into the body where the channel has no
title, measure as the channel counts, and fit only as a logged last resort.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from outagecomms.counting import Measurement, fit_text, measure_for_channel
from outagecomms.models import Channel, ChannelKind, Format, Phase, Runbook
from outagecomms.render_budget import DEFAULT_BUDGET, RenderBudget
from outagecomms.templates import IncidentFacts, Rendered, context, render_message, resolve_values

log = structlog.get_logger(__name__)

TITLED_KINDS = frozenset({ChannelKind.EMAIL, ChannelKind.WEBHOOK, ChannelKind.SITE})
"""Kinds whose transport carries a separate title; every other kind gets one text."""


@dataclass(frozen=True)
class Composed:
    """What one channel receives for one phase."""

    channel: str
    kind: ChannelKind
    format: Format
    lang: str
    title: str | None
    body: str
    measurement: Measurement
    truncated: bool = False
    language_fallback: bool = False

    @property
    def text(self) -> str:
        """Everything the reader sees, title first."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body

    def as_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "kind": self.kind.value,
            "format": self.format.value,
            "lang": self.lang,
            "title": self.title,
            "body": self.body,
            "length": self.measurement.length,
            "limit": self.measurement.limit,
            "unit": self.measurement.unit,
            "segments": self.measurement.segments,
            "fits": self.measurement.fits,
            "truncated": self.truncated,
        }


def channel_language(runbook: Runbook, channel: Channel, default_language: str) -> str:
    """The channel's language when the runbook has it, else the project default, else the
    runbook's first language."""
    for lang in (channel.language, default_language):
        if lang in runbook.languages:
            return lang
    return runbook.languages[0]


def measured_text(rendered: Rendered, kind: ChannelKind) -> str:
    """Email limits the subject (the body is unbounded); other kinds count everything."""
    if kind is ChannelKind.EMAIL:
        return rendered.subject or ""
    if kind in TITLED_KINDS:
        return rendered.body
    return rendered.folded()


def compose(
    runbook: Runbook,
    phase: Phase,
    channel: Channel,
    facts: IncidentFacts,
    given: Mapping[str, str],
    *,
    default_language: str = "en",
    budget: RenderBudget = DEFAULT_BUDGET,
) -> Composed:
    lang = channel_language(runbook, channel, default_language)
    fmt = channel.effective_format
    values = resolve_values(runbook, given, lang)
    ctx = context(runbook, facts, values, lang=lang, zone=channel.zone, phase=phase)
    rendered = render_message(runbook, phase, fmt, lang, ctx, budget)
    titled = channel.kind in TITLED_KINDS and rendered.subject is not None
    title = rendered.subject if titled else None
    body = rendered.body if titled else rendered.folded()
    measurement = measure_for_channel(measured_text(rendered, channel.kind), channel)
    truncated = False
    if not measurement.fits and channel.kind is not ChannelKind.EMAIL:
        fitted = fit_text(body, channel, keep=facts.status_url)
        log.warning(
            "message.truncated",
            channel=channel.name,
            runbook=runbook.id,
            phase=phase.value,
            length=measurement.length,
            limit=measurement.limit,
        )
        body, truncated = fitted, True
        measurement = measure_for_channel(body, channel)
    return Composed(
        channel=channel.name,
        kind=channel.kind,
        format=fmt,
        lang=lang,
        title=title,
        body=body,
        measurement=measurement,
        truncated=truncated,
        language_fallback=lang != channel.language,
    )
