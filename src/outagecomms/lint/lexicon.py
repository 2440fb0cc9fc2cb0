"""Lexicons: per-language word lists and patterns the tone rules match, kept as data.

The shipped files are ``outagecomms/data/lexicons/<lang>.yaml`` plus ``common.yaml``
(language-independent terms such as raw HTTP codes). A project may add a
``lexicons/<lang>.yaml`` (or ``lexicons/common.yaml``) of its own next to ``runbooks/``;
its entries are added to the shipped ones. The file format is documented at the top of
every shipped file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from outagecomms.errors import ConfigError
from outagecomms.lint.normalize import Normalized, fold
from outagecomms.yamlfile import display_path

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "data" / "lexicons"
PROJECT_LEXICONS = "lexicons"
STEM_GAP = 3
"""How many other words may stand between the words of a multi-word stem entry."""

_STOP = r".!?;:؟؛\n"
SEPARATOR = rf"[^\w{_STOP}]+"
"""Between the words of an entry: spaces and punctuation, never a sentence end."""
GLUED = rf"[^\w{_STOP}]*"
"""Persian words may be written apart, with a ZWNJ (folded to a space) or joined."""


class Group(StrEnum):
    """What a lexicon lists. Rules use the groups; several rules share some of them."""

    CLICHE_APOLOGY = "cliche-apology"
    BLAME_SHIFT = "blame-shift"
    JARGON = "jargon"
    OVER_PROMISE = "over-promise"
    EXACT_ETA = "exact-eta"
    FIX_PROMISE = "fix-promise"
    NEXT_UPDATE = "next-update"
    APOLOGY = "apology"
    ACK = "ack"
    IMPACT = "impact"
    RESOLUTION = "resolution"
    REFUSAL = "refusal"
    ALTERNATIVE = "alternative"


class Entries(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    phrases: list[str] = Field(default_factory=list)
    stems: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)


class LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str
    acronyms: list[str] = Field(default_factory=list)
    terms: dict[Group, Entries] = Field(default_factory=dict)


@dataclass(frozen=True)
class Term:
    """One compiled lexicon entry."""

    source: str
    pattern: Any  # a compiled ``regex`` pattern


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: str


@dataclass(frozen=True)
class Lexicon:
    """Everything the rules match for one language."""

    lang: str
    terms: dict[Group, tuple[Term, ...]]
    acronyms: frozenset[str]
    known: bool
    """False when no file exists for the language (only ``common.yaml`` applies)."""

    def find(self, group: Group, text: Normalized) -> list[Match]:
        """Non-overlapping matches of ``group`` in ``text``, in order."""
        found: list[Match] = []
        for term in self.terms.get(group, ()):
            for m in term.pattern.finditer(text.text):
                if m.end() > m.start():
                    found.append(Match(int(m.start()), int(m.end()), term.source))
        found.sort(key=lambda m: (m.start, -m.end))
        kept: list[Match] = []
        for match in found:
            if not kept or match.start >= kept[-1].end:
                kept.append(match)
        return kept

    def has(self, group: Group, text: Normalized) -> bool:
        return bool(self.find(group, text))


def compile_phrase(phrase: str, lang: str) -> str:
    words = fold(phrase, lang).split()
    joiner = GLUED if lang == "fa" else SEPARATOR
    return r"(?<!\w)" + joiner.join(regex.escape(w) for w in words) + r"(?!\w)"


def compile_stem(stem: str, lang: str) -> str:
    words = fold(stem, lang).split()
    joiner = GLUED if lang == "fa" else SEPARATOR
    between = rf"(?:{SEPARATOR}\w+){{0,{STEM_GAP}}}?{joiner}"
    return r"(?<!\w)" + between.join(regex.escape(w) + r"\w*" for w in words)


def _compile(source: str, expression: str, where: str) -> Term:
    try:
        return Term(source, regex.compile(expression, regex.IGNORECASE))
    except regex.error as exc:
        raise ConfigError(f"{where}: pattern {source!r} is not a valid regex: {exc}") from None


def _read(text: str, where: str) -> LexiconFile:
    try:
        data = yaml.safe_load(text) or {}
        return LexiconFile.model_validate(data)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: invalid YAML: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}: {field}: {first['msg']}") from None


def _shipped(name: str) -> tuple[str, str] | None:
    path = SHIPPED_DIR / f"{name}.yaml"
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8"), f"{display_path(path)} (shipped)"


def shipped_languages() -> list[str]:
    """The languages with a shipped lexicon."""
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.yaml") if p.stem != "common")


def _sources(lang: str, extra_dirs: Sequence[Path]) -> tuple[list[tuple[str, str]], bool]:
    sources: list[tuple[str, str]] = []
    known = False
    for name in ("common", lang):
        shipped = _shipped(name)
        if shipped is not None:
            sources.append(shipped)
            known = known or name == lang
        for directory in extra_dirs:
            path = directory / f"{name}.yaml"
            if path.is_file():
                sources.append((path.read_text(encoding="utf-8"), str(path)))
                known = known or name == lang
    return sources, known


def build(lang: str, files: Iterable[tuple[LexiconFile, str]], known: bool) -> Lexicon:
    terms: dict[Group, list[Term]] = {}
    acronyms: set[str] = set()
    for parsed, where in files:
        acronyms.update(a.upper() for a in parsed.acronyms)
        for group, entries in parsed.terms.items():
            bucket = terms.setdefault(group, [])
            bucket += [_compile(p, compile_phrase(p, lang), where) for p in entries.phrases]
            bucket += [_compile(s, compile_stem(s, lang), where) for s in entries.stems]
            bucket += [_compile(p, p, where) for p in entries.patterns]
    return Lexicon(lang, {g: tuple(t) for g, t in terms.items()}, frozenset(acronyms), known)


@cache
def _load(lang: str, extra_dirs: tuple[Path, ...], stamp: tuple[float, ...]) -> Lexicon:
    sources, known = _sources(lang, extra_dirs)
    return build(lang, [(_read(text, where), where) for text, where in sources], known)


def load_lexicon(lang: str, project_root: Path | None = None) -> Lexicon:
    """The lexicon for ``lang``: shipped entries plus the project's ``lexicons/`` ones."""
    extra: tuple[Path, ...] = ()
    stamp: tuple[float, ...] = ()
    if project_root is not None and (project_root / PROJECT_LEXICONS).is_dir():
        directory = project_root / PROJECT_LEXICONS
        extra = (directory,)
        stamp = tuple(p.stat().st_mtime for p in sorted(directory.glob("*.yaml")))
    return _load(lang, extra, stamp)
