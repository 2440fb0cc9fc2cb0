"""Worst-case length proofs: every phase x format x language x channel kind, rendered with
the longest values the runbook's variables allow, must fit the channel's limit.

Rendering and measuring go through the same functions a send uses
(:func:`~outagecomms.templates.context`, :func:`~outagecomms.templates.render_message`,
:func:`~outagecomms.compose.measured_text`, :func:`~outagecomms.counting.measure_for_channel`),
so the proof is about the very text a channel would receive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from outagecomms.audiences.words import with_sms_opt_out
from outagecomms.compose import measured_text
from outagecomms.counting import DEFAULT_MAX_SEGMENTS, Measurement, measure_for_channel
from outagecomms.errors import UsageError
from outagecomms.lint.findings import Finding, finding
from outagecomms.localdates import LocalMoment, format_elapsed
from outagecomms.models import (
    DEFAULT_FORMAT,
    Channel,
    ChannelKind,
    Format,
    LocalizedText,
    Phase,
    Runbook,
    Severity,
    VariableKind,
    localized,
)
from outagecomms.ranges import longest_range as _longest_range
from outagecomms.render_budget import DEFAULT_BUDGET, RenderBudget, RenderBudgetExceeded
from outagecomms.templates import (
    IncidentFacts,
    Rendered,
    TemplateRef,
    context,
    iter_templates,
    render_message,
    variables_in,
)
from outagecomms.vocabulary import Audience

WORST_INCIDENT_ID = "INC-9999999"
"""Incident ids are assumed to stay within this length (11 characters)."""
WORST_ELAPSED = timedelta(hours=99, minutes=59)
"""Incidents are assumed to be reported on within 100 hours."""
PROOF_URL = "json://127.0.0.1/"

_LETTERS: dict[str, str] = {
    "en": "W",
    "de": "W",
    "fr": "W",
    "es": "W",
    "it": "W",
    "nl": "W",
    "pt": "W",
    "fa": "ش",
    "ar": "ش",
    "ur": "ش",
    "ps": "ش",
    "uk": "Ж",
    "ru": "Ж",
    "be": "Ж",
    "bg": "Ж",
    "sr": "Ж",
    "kk": "Ж",
    "lv": "Ž",
    "lt": "Ž",
    "et": "Ž",
    "pl": "Ż",
    "cs": "Ž",
    "sk": "Ž",
    "el": "Ω",
    "he": "ש",
    "hy": "Ж",
    "ka": "ჟ",
    "hi": "क",
    "th": "ก",
    "zh": "漢",
    "ja": "漢",
    "ko": "한",
}
UCS2_FORCER = "\u2019"
"""The typographic apostrophe ’: not in GSM 03.38, and what phones and laptops type for '."""


def worst_case_filler(lang: str, kind: ChannelKind, length: int) -> str:
    """The text that stands in for a variable value of ``length`` characters in ``lang`` when
    proving a message fits a ``kind`` channel.

    The runbook's ``max_length`` counts characters as the on-call types them; each channel
    counts differently, so the worst realistic value differs:

    - every kind: one letter of the language's widest realistic script, repeated. Latin,
      Cyrillic, Arabic/Persian, Greek... letters weigh 1 on X, are one UTF-16 unit on
      Telegram and one grapheme on Bluesky; Chinese/Japanese/Korean weigh 2 on X, so those
      languages get a CJK character. Emoji (2 on X, 2 UTF-16 units) are not assumed: a value
      is a phrase in the language, and ``max_length`` limits what the on-call types.
    - SMS: one character that is not in GSM 03.38 forces the whole message into UCS-2
      (70 units per single message, 67 per part instead of 160/153), which costs far more
      than any GSM-7 value could (extension characters count 2 septets, but no one types a
      value made of ``{}[]~^|€``). Persian, Ukrainian and Latvian letters already do that;
      for a language written in GSM-7 the first character is the typographic apostrophe ’,
      which autocorrect puts into an ordinary "can’t". The value stays in the BMP, so each
      character is one UCS-2 unit.
    """
    if length <= 0:
        return ""
    letter = _LETTERS.get(lang.split("-")[0], "W")
    if kind is ChannelKind.SMS and letter.isascii():
        return UCS2_FORCER + letter * (length - 1)
    return letter * length


@cache
def longest_moment(lang: str, zone_key: str) -> datetime:
    """The moment of a year whose date, time and zone render longest in ``lang`` (month
    names and zone labels differ in length; summer time changes the zone label; Ukrainian
    says «об 11:00» but «о 10:00»)."""
    zone = ZoneInfo(zone_key)
    start = datetime(2025, 1, 1, 23, 59, tzinfo=UTC)
    eleven = datetime(2025, 1, 1, 11, 59, tzinfo=zone)
    candidates = [first + timedelta(days=d) for first in (start, eleven) for d in range(365)]
    return max(
        candidates,
        key=lambda m: len(LocalMoment(m, zone, lang, m - timedelta(days=2)).full),
    )


@cache
def longest_range(lang: str) -> str:
    """The longest rendering of a range in ``lang`` (cached: Babel is slow)."""
    return _longest_range(lang)


@cache
def longest_elapsed(lang: str) -> str:
    """The longest ``elapsed`` text up to :data:`WORST_ELAPSED` (plural forms differ)."""
    limit_hours = int(WORST_ELAPSED.total_seconds() // 3600)
    hours = sorted({1, 2, 3, 5, 11, 21, 22, 25, limit_hours})
    texts = [format_elapsed(timedelta(hours=h, minutes=m), lang) for h in hours for m in range(60)]
    return max(texts, key=len)


def worst_context(
    runbook: Runbook,
    phase: Phase,
    lang: str,
    kind: ChannelKind,
    zone: ZoneInfo,
    *,
    status_url: str,
    sender: LocalizedText,
) -> dict[str, Any]:
    """The template context with every value at its longest for ``kind`` in ``lang``."""
    moment = longest_moment(lang, zone.key)
    earlier = moment - timedelta(days=2)
    facts = IncidentFacts(
        incident_id=WORST_INCIDENT_ID,
        severity=max(Severity, key=lambda s: len(s.value)),
        started_at=moment,
        now=moment,
        next_update_at=moment,
        status_url=status_url,
        sender=sender,
    )
    ctx = context(
        runbook, facts, worst_values(runbook, lang, kind), lang=lang, zone=zone, phase=phase
    )
    for name in ("started_at", "now", "next_update_at"):
        if name in ctx:  # a different day from "now": the date is printed too
            ctx[name] = LocalMoment(moment, zone, lang, earlier)
    ctx["elapsed"] = longest_elapsed(lang)
    return ctx


def worst_values(runbook: Runbook, lang: str, kind: ChannelKind) -> dict[str, str]:
    """Each variable's longest value: a range's longest rendering, ``max_length`` filler, or
    (unbounded) the longest of its example and default."""
    values: dict[str, str] = {}
    for name, spec in runbook.variables.items():
        if spec.kind is VariableKind.RANGE:
            values[name] = longest_range(lang)
        elif spec.max_length is not None:
            values[name] = worst_case_filler(lang, kind, spec.max_length)
        else:
            texts = [
                localized(v, lang, runbook.languages[0]) or "" for v in (spec.example, spec.default)
            ]
            values[name] = max(texts, key=len)
    return values


def variables_used(source: str) -> set[str]:
    return set(variables_in(source))


def message_variables(runbook: Runbook) -> dict[tuple[Phase, Format, str], set[str]]:
    """The variables each message (all its parts) uses; messages that do not parse are left
    out (their syntax errors are reported as schema findings)."""
    used: dict[tuple[Phase, Format, str], set[str]] = {}
    for ref in iter_templates(runbook):
        key = (ref.phase, ref.format, ref.lang)
        try:
            names = variables_used(ref.source)
        except Exception:
            continue
        used.setdefault(key, set()).update(names)
    return used


@dataclass(frozen=True)
class ProofTarget:
    """A channel to prove against: a sample of each kind, or a configured channel."""

    channel: Channel
    configured: bool

    @property
    def label(self) -> str:
        kind = self.channel.kind.value
        return f"channel {self.channel.name} ({kind})" if self.configured else kind


def proof_targets(
    languages: Sequence[str], timezone: str, configured: Iterable[Channel]
) -> list[ProofTarget]:
    """One sample channel per kind and language (default limits), plus the project's
    enabled channels in the runbook's languages."""
    targets = [
        ProofTarget(
            Channel(
                name=f"proof-{kind.value}-{lang}",
                kind=kind,
                url=PROOF_URL,
                language=lang,
                timezone=timezone,
            ),
            configured=False,
        )
        for lang in languages
        for kind in ChannelKind
    ]
    targets += [
        ProofTarget(c, configured=True)
        for c in configured
        if c.enabled and c.language in languages and not _like_sample(c, timezone)
    ]
    return targets


def _like_sample(channel: Channel, timezone: str) -> bool:
    """A configured channel with the kind's default limits proves nothing new."""
    return (
        channel.audience is not Audience.SUBSCRIBERS
        and channel.limit is None
        and channel.max_segments in (None, DEFAULT_MAX_SEGMENTS)
        and channel.timezone == timezone
        and channel.effective_format is DEFAULT_FORMAT[channel.kind]
    )


def _shorten_hint(runbook: Runbook, used: set[str], measurement: Measurement, fmt: Format) -> str:
    over = measurement.length - (measurement.limit or 0)
    bounded = [
        (spec.max_length, name)
        for name, spec in runbook.variables.items()
        if name in used and spec.max_length is not None and spec.kind is VariableKind.TEXT
    ]
    if not bounded:
        return f"shorten the {fmt.value} text by at least {over} {measurement.unit}"
    longest, name = max(bounded)
    lower = max(1, longest - over)
    return (
        f"lower max_length of variable {name!r} from {longest} to {lower} or less, "
        f"or shorten the {fmt.value} text"
    )


def prove_message(
    runbook: Runbook,
    phase: Phase,
    target: ProofTarget,
    *,
    status_url: str,
    sender: LocalizedText,
    used: Mapping[tuple[Phase, Format, str], set[str]],
    renders: dict[tuple[Any, ...], Rendered | None] | None = None,
    budget: RenderBudget = DEFAULT_BUDGET,
) -> Finding | None:
    """The length finding for one message on one channel, or ``None`` when it fits."""
    channel = target.channel
    lang = channel.language
    fmt = channel.effective_format
    filler = worst_case_filler(lang, channel.kind, 1)
    key: tuple[Any, ...] = (phase, fmt, lang, channel.zone.key, filler)
    over_budget = (phase, fmt, lang)  # rendered once over budget: not again per channel
    if renders is not None and (key in renders or over_budget in renders):
        rendered = renders.get(key)
    else:
        ctx = worst_context(
            runbook, phase, lang, channel.kind, channel.zone, status_url=status_url, sender=sender
        )
        try:
            rendered = render_message(runbook, phase, fmt, lang, ctx, budget)
        except RenderBudgetExceeded:
            rendered, key = None, over_budget  # the example render reports it as a finding
        except UsageError:
            rendered = None  # a missing message or template error: a schema finding
        if renders is not None:
            renders[key] = rendered
    if rendered is None:
        return None
    text = measured_text(rendered, channel.kind)
    if channel.audience is Audience.SUBSCRIBERS and channel.kind is ChannelKind.SMS:
        text = with_sms_opt_out(text, lang)  # a subscriber's SMS ends with the opt-out line
    measurement = measure_for_channel(text, channel)
    if measurement.fits:
        return None
    part = "subject" if channel.kind is ChannelKind.EMAIL else "text"
    segments = f", {measurement.segments} segments" if measurement.segments is not None else ""
    hint = _shorten_hint(runbook, used.get((phase, fmt, lang), set()), measurement, fmt)
    return finding(
        "length",
        f"the {part} can reach {measurement.length} {measurement.unit}{segments} on "
        f"{target.label}, over its limit of {measurement.limit} with the longest values "
        f"the variables allow; {hint}",
        rendered.subject if part == "subject" else None,
    ).at(phase=phase.value, format=fmt.value, lang=lang)


def prove_runbook(
    runbook: Runbook,
    *,
    status_url: str,
    sender: LocalizedText,
    timezone: str = "UTC",
    channels: Iterable[Channel] = (),
    budget: RenderBudget = DEFAULT_BUDGET,
) -> list[Finding]:
    """Every length finding of ``runbook``: over-long messages, and variables used in short
    messages without a ``max_length`` (their length cannot be proven)."""
    used = message_variables(runbook)
    findings: list[Finding] = []
    unbounded: dict[str, list[str]] = {}
    for (phase, fmt, lang), names in sorted(used.items()):
        if fmt is not Format.SHORT:
            continue
        for name in sorted(names):
            spec = runbook.variables.get(name)
            if spec is not None and spec.kind is VariableKind.TEXT and spec.max_length is None:
                unbounded.setdefault(name, []).append(f"{phase.value}/{lang}")
    for name, places in unbounded.items():
        findings.append(
            finding(
                "length",
                f"variable {name!r} has no max_length but short messages use it "
                f"({', '.join(places)}); give it a max_length so every channel can be proven",
            ).at(format=Format.SHORT.value)
        )
    targets = proof_targets(runbook.languages, timezone, channels)
    renders: dict[tuple[Any, ...], Rendered | None] = {}
    for phase in runbook.messages:
        for target in targets:
            if target.channel.effective_format is not DEFAULT_FORMAT[target.channel.kind] and (
                not target.configured
            ):
                continue
            result = prove_message(
                runbook,
                phase,
                target,
                status_url=status_url,
                sender=sender,
                used=used,
                renders=renders,
                budget=budget,
            )
            if result is not None:
                findings.append(result)
    return findings


__all__ = [
    "ProofTarget",
    "TemplateRef",
    "longest_elapsed",
    "longest_moment",
    "prove_runbook",
    "worst_case_filler",
    "worst_values",
]
