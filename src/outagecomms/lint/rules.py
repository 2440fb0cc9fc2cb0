"""The tone rules, applied to one rendered message in one language.

Each rule reads the message through the language's :class:`~outagecomms.lint.lexicon.Lexicon`
(after :func:`~outagecomms.lint.normalize.normalize`) and reports
:class:`~outagecomms.lint.findings.Finding` objects without a location; the runner adds
file, line, runbook, phase, format and language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from outagecomms.lint.findings import Finding, finding
from outagecomms.lint.lexicon import Group, Lexicon, Match
from outagecomms.lint.normalize import Normalized, normalize
from outagecomms.models import Audience, Phase

OPENING_PHASES = frozenset({Phase.INVESTIGATING, Phase.IDENTIFIED, Phase.UPDATE})
"""Messages of an open incident that must carry ACK, IMPACT and NEXT."""
NEXT_UPDATE_PHASES = OPENING_PHASES | {Phase.MONITORING}
"""Messages that must say when the next update comes."""

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?؟؛;…](?=\s|$)|\n")
_REPEATED_MARKS = re.compile(r"[!?！？؟]{2,}")
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = "\"'«»“”„()[]{}<>.,:;!?…–—-"
MIN_SHOUT_LETTERS = 3
"""A word in capitals shouts from this many letters on (so "OK" and "EU" do not)."""


@dataclass(frozen=True)
class MessageContext:
    """What the rules need to know about a message besides its text."""

    lang: str
    audience: Audience = Audience.CUSTOMERS
    phase: Phase | None = None
    lexical_structure: bool = True
    """Check impact and next update by words (free text); runbooks check their templates."""


def prepare(text: str, lang: str) -> Normalized:
    """Normalise ``text`` and blank out URLs, so a host name is never jargon or blame."""
    normalized = normalize(text, lang)
    masked = _URL.sub(lambda m: " " * len(m.group()), normalized.text)
    return Normalized(normalized.original, masked, normalized.origin)


def _each(rule: str, message: str) -> Callable[[Normalized, list[Match]], list[Finding]]:
    def report(text: Normalized, matches: list[Match]) -> list[Finding]:
        return [finding(rule, message, text.excerpt(m.start, m.end)) for m in matches]

    return report


_cliche = _each(
    "cliche-apology",
    "generic apology phrase; say once, specifically, what this disrupts for the customer",
)
_blame = _each(
    "blame-shift",
    "blames a supplier or third party; take ownership (a supplier may be mentioned as "
    "information: 'we are working with our provider')",
)
_jargon = _each(
    "jargon",
    "internal jargon or a raw error; describe what the customer experiences instead",
)
_promise = _each(
    "over-promise",
    "over-promises; give a range ('within 2-4 hours') or no estimate until it is confirmed",
)


def sentence_start(text: str, offset: int) -> int:
    """Where the sentence holding ``offset`` starts."""
    start = 0
    for end in _SENTENCE_END.finditer(text, 0, offset):
        start = end.end()
    return start


def is_next_update_time(text: Normalized, eta: Match, lexicon: Lexicon) -> bool:
    """``next update in 15 minutes`` states the next update, not a fix: a next-update entry
    stands before the time in the same sentence, with no fix-promise entry in between."""
    start = sentence_start(text.text, eta.start)
    markers = [
        m for m in lexicon.find(Group.NEXT_UPDATE, text) if start <= m.start and m.end <= eta.end
    ]
    if not markers:
        return False
    last = max(markers, key=lambda m: m.end)
    if last.end > eta.start:  # the marker contains the time ("we'll post an update in 5 min")
        return True
    fixes = lexicon.find(Group.FIX_PROMISE, text)
    return not any(last.end <= f.start and f.end <= eta.start for f in fixes)


def over_promises(text: Normalized, lexicon: Lexicon) -> list[Finding]:
    found = _promise(text, lexicon.find(Group.OVER_PROMISE, text))
    for eta in lexicon.find(Group.EXACT_ETA, text):
        if not is_next_update_time(text, eta, lexicon):
            found.append(
                finding(
                    "over-promise",
                    "an exact short time for the fix over-promises; give a range "
                    "('within 2-4 hours') or none (a next update time is fine)",
                    text.excerpt(eta.start, eta.end),
                )
            )
    return found


def shouting(text: Normalized, lexicon: Lexicon) -> list[Finding]:
    original = text.original
    found = [
        finding("shouting", "repeated punctuation shouts; one '!' or '?' at most", m.group())
        for m in _REPEATED_MARKS.finditer(original)
    ]
    for token in _TOKEN.finditer(original):
        word = token.group().strip(_EDGE_PUNCTUATION)
        if _URL.match(word) or any(c.isdigit() or c in "/@.=_" for c in word):
            continue
        cased = [c for c in word if c.isupper() or c.islower()]
        if len(cased) < MIN_SHOUT_LETTERS or not all(c.isupper() for c in cased):
            continue
        parts = [p for p in re.split(r"[-'’]", word) if p]
        if all(p.upper() in lexicon.acronyms for p in parts):
            continue
        found.append(
            finding(
                "shouting",
                "a word in capitals shouts; write it in normal case (add real acronyms to "
                "the lexicon's acronyms list)",
                word,
            )
        )
    return found


def apology_count(text: Normalized, lexicon: Lexicon) -> list[Finding]:
    apologies = lexicon.find(Group.APOLOGY, text)
    if len(apologies) <= 1:
        return []
    second = apologies[1]
    return [
        finding(
            "apology-count",
            f"{len(apologies)} apologies in one message; apologise once, at the start, then "
            "give facts and actions",
            text.excerpt(second.start, second.end),
        )
    ]


def _beginning(text: Normalized) -> str:
    return text.excerpt(0, len(text.text), limit=60)


def required_elements(text: Normalized, lexicon: Lexicon, ctx: MessageContext) -> list[Finding]:
    """ACK, IMPACT and NEXT of an open incident; RESOLVED and no next update at the end."""
    found: list[Finding] = []
    phase = ctx.phase
    if phase is None:
        return found
    customers = ctx.audience is Audience.CUSTOMERS
    if customers and phase in OPENING_PHASES and not lexicon.has(Group.ACK, text):
        found.append(
            finding(
                "missing-ack",
                "does not say plainly that something is wrong; acknowledge the problem early",
                _beginning(text),
            )
        )
    if ctx.lexical_structure and customers:
        if phase in OPENING_PHASES and not lexicon.has(Group.IMPACT, text):
            found.append(
                finding(
                    "missing-impact",
                    "does not say what customers experience; describe it in their words",
                    _beginning(text),
                )
            )
        if phase in NEXT_UPDATE_PHASES and not lexicon.has(Group.NEXT_UPDATE, text):
            found.append(
                finding(
                    "missing-next-update",
                    "does not say when the next update comes ('next update by 14:30 UTC')",
                    _beginning(text),
                )
            )
    if phase is Phase.RESOLVED:
        if not lexicon.has(Group.RESOLUTION, text):
            found.append(
                finding(
                    "missing-resolution",
                    "a resolution message must say clearly that the problem is resolved",
                    _beginning(text),
                )
            )
        for promise in lexicon.find(Group.NEXT_UPDATE, text):
            found.append(
                finding(
                    "missing-resolution",
                    "a resolution message ends the updates; do not promise a next update",
                    text.excerpt(promise.start, promise.end),
                )
            )
    return found


def flat_no(text: Normalized, lexicon: Lexicon) -> list[Finding]:
    refusals = lexicon.find(Group.REFUSAL, text)
    if not refusals or lexicon.has(Group.ALTERNATIVE, text):
        return []
    first = refusals[0]
    return [
        finding(
            "flat-no",
            "a refusal with no alternative; say what the customer can do instead",
            text.excerpt(first.start, first.end),
        )
    ]


def check_text(text: str, lexicon: Lexicon, ctx: MessageContext) -> list[Finding]:
    """Every tone rule on one message; findings in the order the rules are listed."""
    prepared = prepare(text, ctx.lang)
    found = _cliche(prepared, lexicon.find(Group.CLICHE_APOLOGY, prepared))
    found += _blame(prepared, lexicon.find(Group.BLAME_SHIFT, prepared))
    if ctx.audience is Audience.CUSTOMERS:
        found += _jargon(prepared, lexicon.find(Group.JARGON, prepared))
    found += over_promises(prepared, lexicon)
    found += shouting(prepared, lexicon)
    found += apology_count(prepared, lexicon)
    found += required_elements(prepared, lexicon, ctx)
    found += flat_no(prepared, lexicon)
    return [f.at(lang=ctx.lang) for f in found]
