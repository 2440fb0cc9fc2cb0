"""A project's own words: product terms its customers use, and its own names.

Listed under ``glossary:`` in ``outagecomms.toml``. A glossary word is never jargon ("shards"
for an online game, "PostgreSQL" for a database host), never shouting when written in
capitals, and never a third party to blame (the project's own company name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from outagecomms.lint.lexicon import Match
from outagecomms.lint.normalize import Normalized, fold

PLURAL_SUFFIX = r"\w{0,3}"
"""A glossary word also covers its short inflections ("shard" covers "shards")."""


@cache
def _pattern(terms: tuple[str, ...], lang: str) -> Any:
    if not terms:
        return None
    alternatives = []
    for term in terms:
        words = fold(term, lang).split()
        if not words:
            continue
        last = words[-1]
        words[-1] = last[:-1] if len(last) > 3 and last.endswith("s") else last
        body = r"[\s\-]+".join(regex.escape(w) for w in words)
        alternatives.append(rf"(?<!\w){body}{PLURAL_SUFFIX}(?!\w)")
    return regex.compile("|".join(alternatives), regex.IGNORECASE) if alternatives else None


@dataclass(frozen=True)
class Glossary:
    """The glossary terms of one project (or one corpus message)."""

    terms: tuple[str, ...] = ()

    @classmethod
    def of(cls, terms: Iterable[str]) -> Glossary:
        return cls(tuple(sorted({t.strip() for t in terms if t.strip()})))

    def spans(self, text: Normalized, lang: str) -> list[tuple[int, int]]:
        pattern = _pattern(self.terms, lang)
        if pattern is None:
            return []
        return [m.span() for m in pattern.finditer(text.text)]

    def covers(self, match: Match, spans: list[tuple[int, int]]) -> bool:
        """Whether ``match`` lies inside a glossary term of the text."""
        return any(a <= match.start and match.end <= b for a, b in spans)

    def capitals(self) -> frozenset[str]:
        """The glossary's words as written in capitals (product names are not shouting)."""
        return frozenset(w.upper() for term in self.terms for w in regex.split(r"[\s\-]+", term))
