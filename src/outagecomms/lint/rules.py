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

from outagecomms.lint.attribution import blame_matches
from outagecomms.lint.capitals import is_initialism
from outagecomms.lint.findings import Finding, finding
from outagecomms.lint.glossary import Glossary
from outagecomms.lint.lexicon import WORDS, Group, Lexicon, Match
from outagecomms.lint.normalize import Normalized, normalize
from outagecomms.lint.timing import (
    next_update_promises,
    promised_fix_times,
    states_next_update,
)
from outagecomms.models import Audience, Phase

OPENING_PHASES = frozenset({Phase.INVESTIGATING, Phase.IDENTIFIED, Phase.UPDATE})
"""Messages of an open incident that must carry ACK, IMPACT and NEXT."""
NEXT_UPDATE_PHASES = OPENING_PHASES | {Phase.MONITORING}
"""Messages that must say when the next update comes."""

_URL = re.compile(
    r"(?:https?://|www\.)\S+"  # with a scheme, or www.
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # an e-mail address
    r"|(?<![\w@/.])(?:[a-z0-9-]+\.)+[a-z]{2,6}(?:/[^\s,;)]*)?(?![\w.])",  # a bare domain
    re.IGNORECASE,
)
"""A URL or domain, with or without a scheme: never jargon, blame or shouting."""
_URL_CANDIDATE = re.compile(r"(?:https?://|www\.)\S+|(?<!\S)[^\s@]*[.@]\S*", re.IGNORECASE)
"""Words that may hold a URL (a dot or an @): only these are tried against :data:`_URL`."""
_ORDINAL_DOT = re.compile(r"(?<=\d)\.(?=\s+[^\W\d_])")
"""A dot after a number and before a word: an ordinal ("2025. gadā", "12. decembra") when that
word starts in lower case, not the end of a sentence."""
NOT_A_STOP = "\u2024"
"""What an ordinal's dot reads as in the folded text (one dot leader: no sentence end)."""
_REPEATED_MARKS = re.compile(r"[!?！？؟]{2,}")
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = "\"'«»“”„()[]{}<>.,:;!?…–—-"
MIN_SHOUT_LETTERS = 3
"""A word in capitals shouts from this many letters on (so "OK" and "EU" do not)."""
_QUOTES = "\"'«»“”„‘’"
_OPENING_QUOTES = '"«“„'
_CLOSING_QUOTES = '"»”“'
_TRAILING = ".,:;!?)…"


@dataclass(frozen=True)
class MessageContext:
    """What the rules need to know about a message besides its text."""

    lang: str
    audience: Audience = Audience.CUSTOMERS
    phase: Phase | None = None
    lexical_structure: bool = True
    """Check impact and next update by words (free text); runbooks check their templates."""
    glossary: tuple[str, ...] = ()
    """The project's own words (``glossary:`` in the settings): never jargon or shouting."""


def prepare(text: str, lang: str) -> Normalized:
    """Normalise ``text`` and blank out URLs, so a host name is never jargon or blame; an
    ordinal's dot ends no sentence."""
    normalized = normalize(text, lang)
    masked = _URL_CANDIDATE.sub(_mask_urls, normalized.text)
    return Normalized(normalized.original, _ordinals(masked, normalized), normalized.origin)


def _ordinals(folded: str, normalized: Normalized) -> str:
    """``folded`` with the dot of every ordinal number read as no sentence end."""
    original = normalized.original
    dots = {
        m.start()
        for m in _ORDINAL_DOT.finditer(original)
        if original[m.end() :].lstrip()[:1].islower()
    }
    if not dots:
        return folded
    origin = normalized.origin
    return "".join(
        NOT_A_STOP if char == "." and origin[i] in dots else char for i, char in enumerate(folded)
    )


def _mask_urls(word: re.Match[str]) -> str:
    return _URL.sub(lambda m: " " * len(m.group()), word.group())


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


def over_promises(text: Normalized, lexicon: Lexicon) -> list[Finding]:
    found = _promise(text, lexicon.find(Group.OVER_PROMISE, text))
    for eta in promised_fix_times(text, lexicon):
        found.append(
            finding(
                "over-promise",
                "a short time for the fix over-promises; give a range ('within 2-4 hours') or "
                "none until it is confirmed (a next update time is fine)",
                text.excerpt(eta.start, eta.end),
            )
        )
    return found


def shouting(text: Normalized, lexicon: Lexicon, glossary: Glossary) -> list[Finding]:
    original = text.original
    found = [
        finding("shouting", "repeated punctuation shouts; one '!' or '?' at most", m.group())
        for m in _REPEATED_MARKS.finditer(original)
    ]
    own = glossary.capitals()
    for token in _TOKEN.finditer(original):
        word = token.group().strip(_EDGE_PUNCTUATION)
        if not word.isupper() or sum(c.isupper() for c in word) < MIN_SHOUT_LETTERS:
            continue
        if _URL.match(word) or any(c in "/@.=_" for c in word):
            continue
        if is_initialism(word, lexicon.acronyms, lexicon.shouted_words, own):
            continue
        if _quoted_name(token.group()) or (
            _parenthesised(token.group()) and word not in lexicon.shouted_words
        ):
            continue
        found.append(
            finding(
                "shouting",
                "a word in capitals shouts; write it in normal case (add real acronyms to "
                "the lexicon's acronyms list, product names to the glossary)",
                word,
            )
        )
    return found


def _parenthesised(token: str) -> bool:
    """A word in capitals alone in parentheses spells out what came before it ("Supervisory
    Control and Data Acquisition (SCADA)"): an acronym, however long."""
    word = token.rstrip(_TRAILING.replace(")", ""))
    return len(word) > 2 and word[0] == "(" and word[-1] == ")"


def _quoted_name(token: str) -> bool:
    """One word in capitals set off in quotation marks names something (КП «ВУВКГ»)."""
    word = token.rstrip(_TRAILING)
    return len(word) > 2 and word[0] in _OPENING_QUOTES and word[-1] in _CLOSING_QUOTES


def jargon(text: Normalized, lexicon: Lexicon, glossary: Glossary) -> list[Finding]:
    """Jargon, less the project's glossary words and words set off in quotation marks."""
    own = glossary.spans(text, lexicon.lang)
    kept = [
        m
        for m in lexicon.find(Group.JARGON, text)
        if not glossary.covers(m, own) and not (m.term == WORDS and _quoted(text.text, m))
    ]
    return _jargon(text, kept)


def _quoted(text: str, match: Match) -> bool:
    """A word in quotation marks is mentioned, not used ("a 'time-out' for maintenance")."""
    before = text[match.start - 1 : match.start]
    after = text[match.end : match.end + 1]
    return bool(before) and before in _QUOTES and after in _QUOTES and bool(after)


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
        if phase in NEXT_UPDATE_PHASES and not states_next_update(text, lexicon):
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
        for promise in next_update_promises(text, lexicon):
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
    glossary = Glossary.of(ctx.glossary)
    found = _cliche(prepared, lexicon.find(Group.CLICHE_APOLOGY, prepared))
    found += _blame(prepared, blame_matches(prepared, lexicon, glossary))
    if ctx.audience is Audience.CUSTOMERS:
        found += jargon(prepared, lexicon, glossary)
    found += over_promises(prepared, lexicon)
    found += shouting(prepared, lexicon, glossary)
    found += apology_count(prepared, lexicon)
    found += required_elements(prepared, lexicon, ctx)
    found += flat_no(prepared, lexicon)
    return [f.at(lang=ctx.lang) for f in found]
