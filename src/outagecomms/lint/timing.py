"""Times in a message: over-promises are about the *future*, a next update says *when*.

An exact or approximate short time (``exact-eta``: "in 5 minutes", "by 15:00", "līdz
vakaram") over-promises when it is a promise to fix: a ``fix-promise`` word in its sentence
and no ``past`` marker in its clause ("it took us two hours", "tika novērsta divu stundu
laikā"; a conjunction right after a past verb starts another clause: "fixed yesterday, and by
noon the rest will be" promises). Some
times are future and about the fix by their form (``future-eta``: "back in 10 minutes", "will
take around 30 minutes", "~35 minutes", "by the end of the day"). Not over-promises: a
recurring interval (``recurring`` just before: "every 15 minutes", "ik pēc 15 minūtēm"), a
range (``range``: "1-2 hours", "today or tomorrow"), anything longer than half a day, the
time of the next update ("next update in 30 minutes"), and a fix said not to come (a
``negation`` next to the fix word: "will not be fixed today", «netiks novērsts līdz vakaram»,
«تا امروز برطرف نخواهد شد»).
"""

from __future__ import annotations

import regex

from outagecomms.lint.lexicon import (
    Group,
    Lexicon,
    Match,
    in_sentence,
    sentence_of,
    words_between,
)
from outagecomms.lint.normalize import Normalized

LONGEST_SHORT_HOURS = 12
"""An estimate of more hours than this is no short-time promise ("within the next 72 hours")."""
RECURRING_REACH_WORDS = 2
"""A ``recurring`` word this many words before a time makes it an interval."""
NEGATION_REACH_WORDS = 2
"""A ``negation`` this many words before or after a fix word (same clause) denies the fix."""
_CLAUSE_BREAK = regex.compile(r"[,،;:.!?؟؛…\n]")
_CONJUNCTION = regex.compile(r"[,،]?\s(?:and|but|then|و|ولی|اما|un|bet|і|й|та|а|але)\s")
"""A coordinating conjunction: it ends a clause when a past verb stands right before it ("...
حل شد و تا ظهر امروز ... وصل خواهد شد": fixed yesterday, and by noon today the rest will be)."""

_NUMBER = regex.compile(r"\d+")
_HOURS = regex.compile(r"hour|hrs?\b|\bh\b|ساعت|годин|год\b|stund", regex.IGNORECASE)
_DAYS = regex.compile(r"\d+\s*(?:days?\b|روز|дн|dien)", regex.IGNORECASE)
_CLOCK = regex.compile(r"ساعت\s*\d{1,2}(?::\d\d)?|\d{1,2}:\d\d")
"""A time of day, no duration: "ساعت ۱۴" (the hour word before the number), "14:00"."""


def too_long(text: str, eta: Match) -> bool:
    """An estimate of days, or of more than half a day of hours (a time of day is neither)."""
    span = _CLOCK.sub(" ", text[eta.start : eta.end])
    if _DAYS.search(span):
        return True
    numbers = [int(n) for n in _NUMBER.findall(span)]
    return bool(_HOURS.search(span) and numbers and max(numbers) > LONGEST_SHORT_HOURS)


def _recurring(eta: Match, recurring: list[Match], text: str) -> bool:
    return any(
        r.end <= eta.start + 1
        and r.start >= sentence_of(text, eta.start)[0]
        and words_between(text, r.end, eta.start) <= RECURRING_REACH_WORDS
        for r in recurring
    )


def _overlaps(eta: Match, others: list[Match]) -> bool:
    return any(o.start < eta.end and eta.start < o.end for o in others)


def is_next_update_time(text: Normalized, eta: Match, lexicon: Lexicon) -> bool:
    """``next update in 15 minutes`` states the next update, not a fix: a next-update entry
    stands before the time in the same sentence, with no fix-promise entry in between."""
    start = sentence_of(text.text, eta.start)[0]
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


def _negated(fix: Match, negations: list[Match], text: str) -> bool:
    """A negation stands next to ``fix`` in its clause ("not be fixed", "برطرف نخواهد شد")."""
    for n in negations:
        start, end = (n.end, fix.start) if n.end <= fix.start else (fix.end, n.start)
        if (
            start <= end
            and not _CLAUSE_BREAK.search(text, start, end)
            and words_between(text, start, end) <= NEGATION_REACH_WORDS
        ):
            return True
    return False


def clause_of(
    text: str, eta: Match, sentence: tuple[int, int], past: list[Match]
) -> tuple[int, int]:
    """The part of ``sentence`` that holds ``eta``, cut at every conjunction right after a past
    verb: the past of the clause before is not this time's."""
    start, end = sentence
    verbs_end = {p.end for p in past}
    for cut in _CONJUNCTION.finditer(text, start, end):
        if cut.start() not in verbs_end:
            continue
        if cut.end() <= eta.start:
            start = cut.end()
        elif cut.start() >= eta.end:
            return start, cut.start()
    return start, end


def promised_fix_times(text: Normalized, lexicon: Lexicon) -> list[Match]:
    """The short future times for a fix that ``text`` promises."""
    folded = text.text
    intrinsic = lexicon.find(Group.FUTURE_ETA, text)
    candidates = [(m, True) for m in intrinsic] + [
        (m, False) for m in lexicon.find(Group.EXACT_ETA, text) if not _overlaps(m, intrinsic)
    ]
    if not candidates:
        return []
    recurring = lexicon.find(Group.RECURRING, text)
    ranges = lexicon.find(Group.RANGE, text)
    past = lexicon.find(Group.PAST, text)
    negations = lexicon.find(Group.NEGATION, text)
    fixes = [f for f in lexicon.find(Group.FIX_PROMISE, text) if not _negated(f, negations, folded)]
    found: list[Match] = []
    for eta, future in candidates:
        if _recurring(eta, recurring, folded) or _overlaps(eta, ranges) or too_long(folded, eta):
            continue
        sentence = sentence_of(folded, eta.start)
        if in_sentence(past, clause_of(folded, eta, sentence, past)) or is_next_update_time(
            text, eta, lexicon
        ):
            continue
        if future or in_sentence(fixes, sentence):
            found.append(eta)
    return sorted(found, key=lambda m: m.start)


NEXT_UPDATE_CLAUSE_LANGS = frozenset({"en", "lv"})
"""Languages where the time of a next update must stand in the promise's own clause: "we expect
a fix within 72 hours and will post updates here" says when the fix comes, not the update (a
conjunction between them, :data:`_CONJUNCTION`, parts the clauses)."""


def _same_clause(text: str, a: Match, b: Match) -> bool:
    start, end = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
    return start >= end or not _CONJUNCTION.search(text, start, end)


def states_next_update(text: Normalized, lexicon: Lexicon) -> bool:
    """Whether ``text`` says *when* the next update comes (a promise with a time)."""
    times = lexicon.find(Group.TIME, text)
    folded = text.text
    clause = lexicon.lang in NEXT_UPDATE_CLAUSE_LANGS
    for promise in lexicon.find(Group.NEXT_UPDATE, text):
        start, end = sentence_of(folded, promise.start)
        for time in times:
            if start <= time.start < end and (not clause or _same_clause(folded, promise, time)):
                return True
    return False


def next_update_promises(text: Normalized, lexicon: Lexicon) -> list[Match]:
    """Promises of another update, not counting a promised postmortem or incident report."""
    reports = lexicon.find(Group.POSTMORTEM, text)
    return [
        promise
        for promise in lexicon.find(Group.NEXT_UPDATE, text)
        if not in_sentence(reports, sentence_of(text.text, promise.start))
    ]
