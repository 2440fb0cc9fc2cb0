"""Which words in capitals shout: ordinary words do, acronyms and initialisms do not.

A word in capitals is not shouting when it is a known acronym (the lexicons' ``acronyms``:
UTC, EET, IBAN, SMS, ЖЕК, PVN), a glossary word (product names), contains a digit or ``&``
(2FA, BT792, R&D), has no vowel (LVRTC, CSDD: unpronounceable, so an initialism), or is short
(at most :data:`SHORT_INITIALISM` letters) and not one of the language's ``shouted-words``
(NOT, NOW, ВСЕ: short ordinary words that do shout).
"""

from __future__ import annotations

import regex

SHORT_INITIALISM = 4
"""Words in capitals this short are initialisms unless listed as shouted words."""
VOWELS = frozenset("AEIOUYĀĒĪŌŪАЕЄИІЇОУЮЯЁЫЭ")
_PARTS = regex.compile(r"[-'’&/]")


def is_initialism(
    word: str, acronyms: frozenset[str], shouted: frozenset[str], own: frozenset[str]
) -> bool:
    """Whether ``word`` (in capitals) names something rather than raising the voice."""
    if word in acronyms or word in own:
        return True
    if "&" in word or any(c.isdigit() for c in word):
        return True
    parts = [p for p in _PARTS.split(word) if p]
    if len(parts) > 1:
        return all(is_initialism(p, acronyms, shouted, own) for p in parts)
    letters = [c for c in word if c.isalpha()]
    if not any(c in VOWELS for c in letters):
        return True
    return len(letters) <= SHORT_INITIALISM and word not in shouted
