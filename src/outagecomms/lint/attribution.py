"""Where a message puts the cause: ``blame-shift`` as cause attribution, not a word list.

A sentence shifts blame when it names a third party (a supplier, provider, host, bank,
manufacturer, contractor, operator: the lexicon's ``third-party`` group) together with a cause
or a failure (``cause``, ``failure``), or names a company right after a cause or failure word
("caused by AS "X"", "problēmas ir "Tele2""), or says so outright ("not our fault",
``blame-shift``). A third party named as information ("we are working with our provider",
``supplier-info`` just before it) is not blame, nor is infrastructure the publisher calls
its own (``our-own``: "our data centers", "mūsu datu centri", and the same words again
later), and a message that owns the outcome (``ownership``: "this is on us") shifts no blame
by naming a supplier. A company is named by quotation marks or a company form (the lexicon's
``named-company``), or, unquoted, as an initialism in capitals that is no known acronym, no
glossary word and no shouting ("ДТЕК", "LVRTC"); it is blamed when a cause or failure word stands
at most two words before it in its clause ("аварія в енергомережах ДТЕК", "avārija LVRTC
infrastruktūrā"). A party or company inside a conditional clause (``conditional`` before it, no
clause break between: "only in case of an imbalance and after an order from X", "if you thought
your connection was to blame") is not put as the cause of this outage, nor is a place named in
quotation marks (``place``: "станції «Теремки»", "на «синій лінії»").
"""

from __future__ import annotations

from bisect import bisect_left

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
"""A named company is blamed when a cause word stands at most this many words before it."""
NAMED_FAILURE_REACH_WORDS = 2
"""... or a failure word at most this many, in the same clause: the failure is in something the
company owns ("аварія в енергомережах ДТЕК", "a failure in X's network")."""
_CAPITALS = regex.compile(r"(?<![\w&])\p{Lu}{3,}(?![\w&])")
"""An initialism in capitals, as organisations name themselves ("ДТЕК", "LVRTC")."""


def initialism_names(text: Normalized, lexicon: Lexicon, glossary: Glossary) -> list[Match]:
    """Unquoted organisation names: initialisms in capitals that are no known acronym, no
    shouted word, no glossary word and no jargon term, as spans of the folded text."""
    own = glossary.capitals()
    technical = lexicon.find(Group.JARGON, text)
    found: list[Match] = []
    for m in _CAPITALS.finditer(text.original):
        word = m.group()
        generic = word in lexicon.acronyms and word not in lexicon.organisations
        if generic or word in lexicon.shouted_words or word in own:
            continue
        start = bisect_left(text.origin, m.start()) if text.origin else m.start()
        end = bisect_left(text.origin, m.end()) if text.origin else m.end()
        # a technical term in capitals (LDAP, DNS) names a protocol, not an organisation
        if start < end and not any(t.start < end and start < t.end for t in technical):
            found.append(Match(start, end, word))
    return found


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


def _hypothetical(party: Match, conditions: list[Match], text: str) -> bool:
    """A conditional opens the clause that holds ``party`` ("in case of ... an order of X")."""
    start = sentence_of(text, party.start)[0]
    return any(
        start <= c.start
        and c.end <= party.start
        and not _CLAUSE_BREAK.search(text, c.end, party.start)
        for c in conditions
    )


def _right_after(name: Match, reasons: list[Match], reach: int, text: str) -> bool:
    """A reason word stands at most ``reach`` words before ``name``, in its clause."""
    start = sentence_of(text, name.start)[0]
    return any(
        r.end <= name.start
        and r.start >= start
        and not _CLAUSE_BREAK.search(text, r.end, name.start)
        and words_between(text, r.end, name.start) <= reach
        for r in reasons
    )


def _a_place(name: Match, places: list[Match]) -> bool:
    """``name`` is a place set off in quotation marks ("станції «Теремки»", "на «синій
    лінії»"): a ``place`` entry covers it or ends right before it."""
    return any(p.start <= name.start < p.end or 0 <= name.start - p.end <= 1 for p in places)


OWN_NAME_TAIL = 2
"""A glossary name ending this close to a blame-shift span's end (a closing quotation mark) is
the party the span blames."""


def _names_own(blame: Match, own: list[tuple[int, int]]) -> bool:
    """A ``blame-shift`` pattern's span ends with one of the publisher's own names (its
    glossary): works "of X" put on the publisher itself are no blame ("через ремонтні роботи
    ПрАТ «X»", said by X). A name inside the span is no such party ("works not agreed with
    ПрАТ «X»" still blames)."""
    return any(blame.start <= a and b <= blame.end <= b + OWN_NAME_TAIL for a, b in own)


def blame_matches(text: Normalized, lexicon: Lexicon, glossary: Glossary) -> list[Match]:
    """The spans where ``text`` shifts blame, in order."""
    conditions = lexicon.find(Group.CONDITIONAL, text)
    own = glossary.spans(text, lexicon.lang)
    found = [
        b
        for b in lexicon.find(Group.BLAME_SHIFT, text)
        if not _hypothetical(b, conditions, text.text) and not _names_own(b, own)
    ]
    parties = lexicon.find(Group.THIRD_PARTY, text)
    names = lexicon.find(Group.NAMED_COMPANY, text) + initialism_names(text, lexicon, glossary)
    if not (parties or names) or lexicon.has(Group.OWNERSHIP, text):
        return found
    info = lexicon.find(Group.SUPPLIER_INFO, text)
    ours = lexicon.find(Group.OUR_OWN, text)
    causes = lexicon.find(Group.CAUSE, text)
    failures = lexicon.find(Group.FAILURE, text)
    reasons = causes + failures
    places = lexicon.find(Group.PLACE, text)
    folded = text.text
    for party in parties:
        if (
            glossary.covers(party, own)
            or _informational(party, info, folded)
            or _publishers_own(party, ours, folded)
            or _hypothetical(party, conditions, folded)
        ):
            continue
        if in_sentence(reasons, sentence_of(folded, party.start)):
            found.append(party)
    for name in names:
        if (
            glossary.covers(name, own)
            or _informational(name, info, folded)
            or _hypothetical(name, conditions, folded)
            or _a_place(name, places)
        ):
            continue
        if _right_after(name, causes, NAMED_REACH_WORDS, folded) or _right_after(
            name, failures, NAMED_FAILURE_REACH_WORDS, folded
        ):
            found.append(name)
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[Match] = []
    for match in found:
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept
