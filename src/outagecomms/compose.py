"""From a runbook phase to the exact text one channel receives, measured against its limit.

This is the one path every send, preview and proof goes through: pick the channel's
format and language, render, fold the subject into the body where the channel has no
title, measure as the channel counts, and fit only as a logged last resort.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from outagecomms.blanks import check_no_blanks
from outagecomms.counting import SENTENCE_ENDS, Measurement, fit_text, measure_for_channel
from outagecomms.errors import ConfigError, OutagecommsError, UsageError
from outagecomms.logs import get_logger
from outagecomms.models import Channel, ChannelKind, Format, Phase, Runbook
from outagecomms.render_budget import DEFAULT_BUDGET, RenderBudget
from outagecomms.templates import IncidentFacts, Rendered, context, render_message, resolve_values

log = get_logger(__name__)

TITLED_KINDS = frozenset({ChannelKind.EMAIL, ChannelKind.WEBHOOK, ChannelKind.SITE})
"""Kinds whose transport carries a separate title; every other kind gets one text."""


class RenderError(ConfigError):
    """A template raised while rendering (it passed lint with the example values): a
    runbook problem, never a crash."""

    def __init__(
        self,
        runbook: Runbook,
        phase: Phase,
        fmt: Format,
        lang: str,
        facts: IncidentFacts,
        exc: Exception,
    ) -> None:
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        super().__init__(
            f"runbook {runbook.id!r}: messages.{phase.value}.{fmt.value}.{lang} raised "
            f"{type(exc).__name__}{f' ({first})' if first else ''} while rendering for "
            f"{facts.incident_id}; fix the template, approve it, then move the incident to "
            "it with `outagecomms update INC --runbook-version latest`"
        )


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
    cut_from: int | None = None
    """The measured length before the text was shortened to fit (None: not shortened)."""

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
    refuse_blanks: bool = False,
) -> Composed:
    """``refuse_blanks`` (sending): a usage error instead of a text with an empty
    variable printed unguarded, or an empty text (README "When things go wrong")."""
    lang = channel_language(runbook, channel, default_language)
    fmt = channel.effective_format
    values = resolve_values(runbook, given, lang)
    if refuse_blanks:
        check_no_blanks(runbook, phase, fmt, lang, values)
    ctx = context(runbook, facts, values, lang=lang, zone=channel.zone, phase=phase)
    try:
        rendered = render_message(runbook, phase, fmt, lang, ctx, budget)
    except OutagecommsError:
        raise
    except Exception as exc:  # a template that raises for these facts (e.g. 60 // 0)
        raise RenderError(runbook, phase, fmt, lang, facts, exc) from exc
    if refuse_blanks and not rendered.folded().strip():
        raise UsageError(
            f"the {phase.value} message of runbook {runbook.id!r} ({fmt.value}, {lang}) "
            "renders empty with these values; pass the variables it needs with --var"
        )
    titled = channel.kind in TITLED_KINDS and rendered.subject is not None
    title = rendered.subject if titled else None
    body = rendered.body if titled else rendered.folded()
    measurement = measure_for_channel(measured_text(rendered, channel.kind), channel)
    truncated = False
    cut_from = None
    if not measurement.fits and channel.kind is not ChannelKind.EMAIL:
        moment = ctx.get("next_update_at")
        promise = None if moment is None else promise_sentence(body, str(moment))
        fitted = fit_text(body, channel, keep=facts.status_url, promise=promise)
        log.warning(
            "message.truncated",
            channel=channel.name,
            runbook=runbook.id,
            phase=phase.value,
            length=measurement.length,
            limit=measurement.limit,
        )
        body, truncated, cut_from = fitted, True, measurement.length
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
        cut_from=cut_from,
    )


def promise_sentence(text: str, moment: str) -> str | None:
    """The sentence (or line) of ``text`` that holds ``moment``, the rendered next-update
    time: what a shortened message must keep. None when the text does not say it."""
    at = text.find(moment) if moment else -1
    if at < 0:
        return None
    start = at
    while start > 0 and not _sentence_starts(text, start):
        start -= 1
    end = at + len(moment)
    while end < len(text) and not _sentence_ends(text, end):
        end += 1
    return text[start:end].strip() or None


def _sentence_starts(text: str, index: int) -> bool:
    return text[index - 1] == "\n" or (
        index >= 2 and text[index - 1].isspace() and text[index - 2] in SENTENCE_ENDS
    )


def _sentence_ends(text: str, index: int) -> bool:
    return text[index] == "\n" or (
        text[index - 1] in SENTENCE_ENDS and (index == len(text) or text[index].isspace())
    )
