"""Where a message puts the cause: ``blame-shift`` as cause attribution, not a word list.

A sentence shifts blame when it names a third party (a supplier, provider, host, bank,
manufacturer, contractor, operator: the lexicon's ``third-party`` group) together with a cause
or a failure (``cause``, ``failure``), or names a company right after a cause or failure word
("caused by AS "X"", "problēmas ir "Tele2""), or says so outright ("not our fault",
``blame-shift``). A third party named as information ("we are working with our provider",
``supplier-info`` just before it) is not blame, nor is infrastructure the publisher calls
its own (``our-own``: "our data centers", "mūsu datu centri", and the same words again
later), and a message that owns the outcome (``ownership``: "this is on us") shifts no blame
by naming a supplier.
"""

from __future__ import annotations

import regex

from outagecomms.lint.glossary import Glossary
from outagecomms.lint.lexicon import (
    Group,
    Lexicon,
    Match,
    in_sentence,
    sentence_of,
    words_between,
)
from outagecomms.lint.normalize import Normalized

INFO_REACH_WORDS = 3
"""A ``supplier-info`` phrase makes a third party information up to this many words later."""
_CLAUSE_BREAK = regex.compile(r"[,،;:.!?؟؛…\n]")
NAMED_REACH_WORDS = 1
"""A named company is blamed when a cause or failure word stands at most this many words before."""


def _informational(party: Match, info: list[Match], text: str) -> bool:
    """A supplier-info phrase stands just before ``party``, in the same clause."""
    return any(
        i.end <= party.start
        and not _CLAUSE_BREAK.search(text, i.end, party.start)
        and words_between(text, i.end, party.start) <= INFO_REACH_WORDS
        for i in info
    )


def _publishers_own(party: Match, ours: list[Match], text: str) -> bool:
    """``party`` is inside an ``our-own`` phrase ("our data centers"), or names again what one
    already called the publisher's own ("... our data centers. Data centers are ...")."""
    said = {text[p.start : p.end].rstrip("s") for p in ours}
    return any(o.start <= party.start and party.end <= o.end for o in ours) or any(
        text[party.start : party.end].rstrip("s") in s for s in said
    )


def blame_matches(text: Normalized, lexicon: Lexicon, glossary: Glossary) -> list[Match]:
    """The spans where ``text`` shifts blame, in order."""
    found = list(lexicon.find(Group.BLAME_SHIFT, text))
    parties = lexicon.find(Group.THIRD_PARTY, text)
    names = lexicon.find(Group.NAMED_COMPANY, text)
    if not (parties or names) or lexicon.has(Group.OWNERSHIP, text):
        return found
    own = glossary.spans(text, lexicon.lang)
    info = lexicon.find(Group.SUPPLIER_INFO, text)
    ours = lexicon.find(Group.OUR_OWN, text)
    reasons = lexicon.find(Group.CAUSE, text) + lexicon.find(Group.FAILURE, text)
    folded = text.text
    for party in parties:
        if (
            glossary.covers(party, own)
            or _informational(party, info, folded)
            or _publishers_own(party, ours, folded)
        ):
            continue
        if in_sentence(reasons, sentence_of(folded, party.start)):
            found.append(party)
    for name in names:
        if glossary.covers(name, own) or _informational(name, info, folded):
            continue
        sentence = sentence_of(folded, name.start)
        if any(
            r.end <= name.start
            and r.start >= sentence[0]
            and words_between(folded, r.end, name.start) <= NAMED_REACH_WORDS
            for r in reasons
        ):
            found.append(name)
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[Match] = []
    for match in found:
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept
