"""Text as the lexicons match it: folded, but with a way back to the words the author wrote.

Persian is written with Persian letters, Arabic letters that look the same, with or
without the zero-width non-joiner (U+200C) and with optional diacritics; Ukrainian needs
case folding; Latvian is typed with and without its diacritics (``neērtības`` and
``neertibas`` on a phone without a Latvian layout), so they are folded away for matching.
:func:`normalize` folds all of that, character by character, and remembers for every
folded character where it came from, so a finding quotes the original text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

DIGITS = {
    **{chr(0x06F0 + n): str(n) for n in range(10)},  # Persian (extended Arabic-Indic)
    **{chr(0x0660 + n): str(n) for n in range(10)},  # Arabic-Indic
}
ARABIC_TO_PERSIAN = {
    "\u064a": "\u06cc",  # Arabic yeh -> Persian yeh
    "\u0649": "\u06cc",  # alef maksura -> Persian yeh
    "\u0626": "\u06cc",  # yeh with hamza -> yeh
    "\u0643": "\u06a9",  # Arabic kaf -> Persian keheh
    "\u0629": "\u0647",  # teh marbuta -> heh
    "\u06c0": "\u0647",  # heh with yeh above -> heh
    "\u0623": "\u0627",  # alef with hamza above -> alef
    "\u0625": "\u0627",  # alef with hamza below -> alef
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u0624": "\u0648",  # waw with hamza -> waw
}
ARABIC_MARKS = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640"]  # harakat, tatweel
)
INVISIBLE = frozenset("\u200b\u200d\u2060\ufeff\u00ad")  # zero-width chars, soft hyphen
SPACES = frozenset("\u00a0\u202f\u2007\u2009\u200a")
APOSTROPHES = frozenset("\u2019\u2018\u02bc\u2032`")
ZWNJ = "\u200c"
LATVIAN_PLAIN = {
    "ā": "a", "č": "c", "ē": "e", "ģ": "g", "ī": "i", "ķ": "k", "ļ": "l", "ņ": "n",
    "ō": "o", "ŗ": "r", "š": "s", "ū": "u", "ž": "z",
}  # fmt: skip
"""Latvian letters and what people type for them without a Latvian keyboard."""


@cache
def fold_char(char: str, lang: str) -> str:
    """What one (NFC) character becomes for matching; ``""`` when it is dropped."""
    out: list[str] = []
    for c in unicodedata.normalize("NFKC", char):
        if c in DIGITS:
            out.append(DIGITS[c])
        elif c == ZWNJ:
            out.append(" " if lang == "fa" else "")
        elif c in INVISIBLE or c in ARABIC_MARKS:
            continue
        elif c in SPACES:
            out.append(" ")
        elif c in APOSTROPHES:
            out.append("'")
        else:
            folded = ARABIC_TO_PERSIAN.get(c, c).casefold()
            out.append(LATVIAN_PLAIN.get(folded, folded) if lang == "lv" else folded)
    return "".join(out)


_TABLES: dict[str, dict[str, str]] = {}
"""Per language: what each character seen so far folds to (:func:`fold_char`, memoised)."""


@dataclass(frozen=True)
class Normalized:
    """Folded ``text`` of ``original``; ``origin[i]`` is where ``text[i]`` came from."""

    original: str
    text: str
    origin: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if not self.origin:
            return 0, 0
        start = min(start, len(self.origin) - 1)
        end = max(end, start + 1)
        return self.origin[start], self.origin[min(end, len(self.origin)) - 1] + 1

    def excerpt(self, start: int, end: int, *, limit: int = 80) -> str:
        """The original words behind ``text[start:end]``, at most ``limit`` characters."""
        a, b = self.original_span(start, end)
        quoted = " ".join(self.original[a:b].split())
        return quoted if len(quoted) <= limit else quoted[: limit - 1] + "…"


def normalize(text: str, lang: str) -> Normalized:
    """Fold ``text`` for matching: NFKC, case folding, Persian letters for Arabic ones, no
    diacritics in Arabic script, ZWNJ as a space in Persian, Latvian letters without their
    diacritics, ASCII digits, plain apostrophes and spaces."""
    original = unicodedata.normalize("NFC", text)
    table = _TABLES.setdefault(lang, {})
    chars = [table[c] if c in table else table.setdefault(c, fold_char(c, lang)) for c in original]
    folded = "".join(chars)
    if len(folded) == len(original) and "" not in chars:  # every character folds to one
        return Normalized(original, folded, tuple(range(len(original))))
    origin: list[int] = []
    for index, part in enumerate(chars):
        origin.extend([index] * len(part))
    return Normalized(original, folded, tuple(origin))


def fold_pattern(pattern: str, lang: str) -> str:
    """A lexicon regex as it must be to match folded text (Latvian letters without marks)."""
    if lang != "lv":
        return pattern
    plain = {**LATVIAN_PLAIN, **{k.upper(): v for k, v in LATVIAN_PLAIN.items()}}
    return "".join(plain.get(c, c) for c in pattern)


def fold(text: str, lang: str) -> str:
    """Just the folded text (for lexicon entries)."""
    return normalize(text, lang).text
