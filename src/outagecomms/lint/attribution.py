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
CAPITALISED_NAME_LANGS = frozenset({"en"})
"""Languages whose companies are named by a capital letter inside a sentence ("an outage at
Leaseweb", "due to Cogent"): there a capitalised word that does not start its sentence is a
name (unless a ``place`` entry says it is a storm, a day or a site)."""
_CAPITALISED = regex.compile(r"(?<![\w'’&.@/-])\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)*(?![\w@/])")
_SENTENCE_START = regex.compile(r"(?:^|[.!?;…\n:]\s*|[.!?]\s*[\"'“”«»)(]\s*)$")
_LEAD_IN = regex.compile(r"(\w+)\W+(?:(?:a|an|the)\W+)?$")
"""The word before a capitalised name, an article allowed between ("due to the X outage")."""
NAME_CAUSES = frozenset({"to", "by", "of", "following"})
"""A cause entry names the cause of a capitalised name only when it ends in one of these ("due
to", "caused by", "because of", "following"): "root cause Analysis" names nothing."""
NAME_EFFECTS = ("lead", "led", "result")
"""... and does not start with one of these: "leading to X" names an effect."""
NAME_PLACES = frozenset({"at", "from", "on", "of", "by"})
"""A failure entry and one of these right before a capitalised name put the failure with that
company ("an outage at Leaseweb", "a failure of Fastly"); "issues with X" and "offline in X"
name what is affected or where."""
_TROUBLE = (
    r"(?:outage|failure|incident|issue|problem|fault|disruption|difficult(?:y|ies)|interruption)"
)
_NAME_SUFFERS = regex.compile(
    r"(?:'s)?\s+(?:(?:had|has|have|is|was|are|were)\s+(?:been\s+)?"
    r"(?:experiencing|having|suffering|facing|reporting)?\s*|suffered\s+|experienced\s+"
    r"|reported\s+|encountered\s+)(?:(?:an?|some|technical|major|minor|significant|ongoing"
    rf"|widespread|unexpected|network|power)\s+)*{_TROUBLE}s?(?!\w)"
    r"|\s+(?:failed|went\s+down|crashed|broke\s+down)(?!\w)"
)
"""After a capitalised name inside a sentence, the company is said to have the trouble: "Okta had
an outage", "Leaseweb is experiencing network issues", "Cogent failed"."""
_A_NAMED_TROUBLE = regex.compile(rf"\s+{_TROUBLE}s?(?!\w)")
_INDEFINITE = regex.compile(r"(?<!\w)an?\s+$")
"""... or the trouble is named after it, with "a"/"an" before: "an Okta outage", "a Cloudflare
incident" ("the London outage" names a place)."""
_REFERRING = {
    "en": regex.compile(r"[.!?…]+[\s\"'”»)]*(?:this|that|it|which)\s+(?:\w+\s+)?"),
    "lv": regex.compile(r"[.!?…]+[\s\"'”»)]*(?:tas|ta|tadel|tapec|si|sis|tiesi\s+tas)\s+"),
}
"""A sentence that starts by pointing back at the one before ("... is performing maintenance on
the rack. This is causing downtime"): a cause word in it puts the cause on a third party the
sentence before names. (On the folded text: Latvian without diacritics, «tā» as "ta".)"""
_FIXED = {
    "en": regex.compile(
        r"(?<!\w)(?:(?:has|have|had)\s+(?:now\s+|already\s+|successfully\s+)*)?"
        r"(?:fixed|resolved|restored|repaired|cleared|replaced|recovered|mitigated)(?!\w)"
    ),
    "lv": regex.compile(
        r"(?<!\w)(?:ir\s+)?(?:noversa|noversusi|atjaunoja|atjaunojusi|salaboja|salabojusi"
        r"|atrisinaja|atrisinajusi|nomainija|nomainijusi)(?!\w)"
    ),
}
"""A party that did the fix is named as information: one of these verbs at most
:data:`FIXER_REACH_WORDS` words after it in its clause, no cause or failure word between ("our
provider has resolved the issue", «sistēmas izstrādātāji ir novērsuši kļūdu»), and no "when",
"once", "until" before it (waiting for someone else's fix is blame: "when upstream resolves")."""
FIXER_REACH_WORDS = 3
_WAITING = regex.compile(r"(?<!\w)(?:when|once|until|till|after|kad|kamer|lidz)\s+(?:\w+\s+){0,2}$")
_AND = regex.compile(r"\s(?:and|but|un|bet)\s")
NAME_THEN_CAUSE_LANGS = {"lv": 3}
"""Languages whose cause word follows what it names (a postposition: "“Tet” bojājuma dēļ", "X
vainas dēļ"): a name is blamed when a cause word stands at most this many words after it in its
clause."""


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


def capitalised_names(text: Normalized, glossary: Glossary) -> list[Match]:
    """Unquoted company names in languages that capitalise them (:data:`CAPITALISED_NAME_LANGS`):
    a capitalised word (or run of them) that does not start its sentence and is no glossary
    word, as spans of the folded text."""
    own = glossary.capitals()
    original = text.original
    found: list[Match] = []
    for m in _CAPITALISED.finditer(original):
        word = m.group()
        if word.upper() in own or word == "I" or _SENTENCE_START.search(original, 0, m.start()):
            continue
        start = bisect_left(text.origin, m.start()) if text.origin else m.start()
        end = bisect_left(text.origin, m.end()) if text.origin else m.end()
        if start < end and (_has_lead_in(text.text, start) or _suffers(text.text, start, end)):
            found.append(Match(start, end, word))
    return found


def _has_lead_in(text: str, start: int) -> bool:
    """Whether the word before ``start`` (an article allowed between) could make a name there
    the cause: a preposition that ends a cause or joins a failure (most capitalised words have
    none, and are dropped before the rest of the rule reads the text)."""
    lead = _LEAD_IN.search(text, max(0, start - 40), start)
    return lead is not None and lead.group(1) in NAME_CAUSES | NAME_PLACES


def _suffers(text: str, start: int, end: int) -> bool:
    """Whether the capitalised name at ``start:end`` is said to have the trouble (the verb
    right after it, or "a/an NAME outage")."""
    if _NAME_SUFFERS.match(text, end):
        return True
    return bool(_A_NAMED_TROUBLE.match(text, end) and _INDEFINITE.search(text, 0, start))


def _capitalised_blamed(name: Match, causes: list[Match], failures: list[Match], text: str) -> bool:
    """A cause ending in a preposition, or a failure and "at/from/on/of/by", stands right
    before the capitalised ``name`` (an article allowed between) in its clause."""
    start = sentence_of(text, name.start)[0]
    lead = _LEAD_IN.search(text, start, name.start)
    if lead is None or _CLAUSE_BREAK.search(text, lead.start(), name.start):
        return False
    word_end = lead.end(1)
    for c in causes:
        said = text[c.start : c.end].split()
        if c.end == word_end and said[-1] in NAME_CAUSES and not said[0].startswith(NAME_EFFECTS):
            return True
    if lead.group(1) not in NAME_PLACES:
        return False
    return any(
        start <= f.start
        and f.end <= lead.start(1)
        and not _CLAUSE_BREAK.search(text, f.end, lead.start(1))
        and words_between(text, f.end, lead.start(1)) <= 1
        for f in failures
    )


def _cause_follows(name: Match, causes: list[Match], reach: int, text: str) -> bool:
    """A cause word stands at most ``reach`` words after ``name``, in its clause ("“Tet” tīkla
    bojājuma dēļ")."""
    end = sentence_of(text, name.start)[1]
    return any(
        name.end <= c.start < end
        and not _CLAUSE_BREAK.search(text, name.end, c.start)
        and words_between(text, name.end, c.start) <= reach
        for c in causes
    )


def _referring_sentence(text: str, sentence: tuple[int, int], lang: str) -> tuple[int, int]:
    """The next sentence when it starts by pointing back at ``sentence`` (:data:`_REFERRING`),
    else an empty span."""
    pattern = _REFERRING.get(lang)
    if pattern is None:
        return (0, 0)
    opening = pattern.match(text, sentence[1])
    if opening is None:
        return (0, 0)
    return sentence_of(text, opening.end())


def _the_fixer(party: Match, reasons: list[Match], text: str, lang: str) -> bool:
    """A fix verb (:data:`_FIXED`) follows ``party`` closely in its clause, with no cause or
    failure word between and no "when/once/until" before the party."""
    pattern = _FIXED.get(lang)
    if pattern is None or _WAITING.search(text, max(0, party.start - 40), party.start):
        return False
    end = sentence_of(text, party.start)[1]
    for f in pattern.finditer(text, party.end, end):
        if (
            not _CLAUSE_BREAK.search(text, party.end, f.start())
            and not _AND.search(text, party.end, f.start())
            and words_between(text, party.end, f.start()) <= FIXER_REACH_WORDS
            and not any(party.end <= x.start < f.start() for x in reasons)
        ):
            return True
        break
    return False


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
    capitalised = (
        capitalised_names(text, glossary) if lexicon.lang in CAPITALISED_NAME_LANGS else []
    )
    if not (parties or names or capitalised) or lexicon.has(Group.OWNERSHIP, text):
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
            or _the_fixer(party, reasons, folded, lexicon.lang)
        ):
            continue
        sentence = sentence_of(folded, party.start)
        if in_sentence(reasons, sentence) or in_sentence(
            causes, _referring_sentence(folded, sentence, lexicon.lang)
        ):
            found.append(party)
    for name in names:
        if (
            glossary.covers(name, own)
            or _informational(name, info, folded)
            or _hypothetical(name, conditions, folded)
            or _a_place(name, places)
        ):
            continue
        after = NAME_THEN_CAUSE_LANGS.get(lexicon.lang)
        if (
            _right_after(name, causes, NAMED_REACH_WORDS, folded)
            or _right_after(name, failures, NAMED_FAILURE_REACH_WORDS, folded)
            or (after is not None and _cause_follows(name, causes, after, folded))
        ):
            found.append(name)
    for name in capitalised:
        if (
            _informational(name, info, folded)
            or _hypothetical(name, conditions, folded)
            or _a_place(name, places)
        ):
            continue
        if _capitalised_blamed(name, causes, failures, folded) or _suffers(
            folded, name.start, name.end
        ):
            found.append(name)
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[Match] = []
    for match in found:
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept
