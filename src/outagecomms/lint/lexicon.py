"""Lexicons: per-language word lists and patterns the tone rules match, kept as data.

The shipped files are ``outagecomms/data/lexicons/<lang>.yaml`` plus ``common.yaml``
(language-independent terms such as raw HTTP codes). A project may add a
``lexicons/<lang>.yaml`` (or ``lexicons/common.yaml``) of its own next to ``runbooks/``;
its entries are added to the shipped ones. The file format is documented at the top of
every shipped file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import regex
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from outagecomms import validated_cache
from outagecomms.errors import ConfigError
from outagecomms.lint.normalize import Normalized, fold, fold_pattern
from outagecomms.yamlfile import display_path

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "data" / "lexicons"
PROJECT_LEXICONS = "lexicons"
STEM_GAP = 3
"""How many other words may stand between the words of a multi-word stem entry."""
TYPO_MIN_LETTERS = 5
"""Words of a multi-word entry this long or longer match with one typo (edit distance 1)
after their first letter."""
GLUED_MIN_LETTERS = 7
"""A family slot's stem this long also matches glued to the word before it (a missing space is
one typo too: "Latvijas Pastsatvainojas"), after at least three letters of that word."""
GLUED_START = r"(?:(?<!\w)|(?<=\w{3}))"
DOT_VARIANTS = {
    "fa": ("عغ", "حخجچ", "بپتث", "رزژ", "سش", "صض", "طظ", "فق", "دذ"),
}
"""Letters that differ only by their dots: a Persian typo may hit even the first letter
("غذرخواهی" for "عذرخواهی"), so a long word's first letter may be any of its group (with the
rest of the word exact: still one typo)."""

_STOP = r".!?;:؟؛\n"
SEPARATOR = rf"[^\w{_STOP}]+"
"""Between the words of an entry: spaces and punctuation, never a sentence end."""
GLUED = rf"[^\w{_STOP}]*"
"""Persian words may be written apart, with a ZWNJ (folded to a space) or joined."""
EZAFE = "(?: ?\u06cc)?"
"""A Persian noun in a phrase may carry the ezafe (or indefinite) ی, joined, after a ZWNJ or a
space (``شبکه توزیع محتوای``, ``خانه‌ی``); the hamza form (ۀ, ـهٔ) folds to the bare letter."""


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
    THIRD_PARTY = "third-party"
    CAUSE = "cause"
    FAILURE = "failure"
    SUPPLIER_INFO = "supplier-info"
    OWNERSHIP = "ownership"
    PAST = "past"
    RECURRING = "recurring"
    RANGE = "range"
    FUTURE_ETA = "future-eta"
    TIME = "time"
    POSTMORTEM = "postmortem"
    NAMED_COMPANY = "named-company"
    OUR_OWN = "our-own"
    NEGATION = "negation"
    CONDITIONAL = "conditional"
    PLACE = "place"


TYPO_TOLERANT = frozenset({Group.CLICHE_APOLOGY, Group.BLAME_SHIFT, Group.OVER_PROMISE})
"""Groups whose multi-word entries survive one typo in each long word."""


class Entries(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    phrases: list[str] = Field(default_factory=list)
    stems: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    families: list[list[list[str]]] = Field(default_factory=list)
    """Each family: slots of stems; every slot must match in one sentence, in any order."""


class LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)
    """Built on first use: a kept lexicon (:func:`_load`) reads no file."""

    language: str
    acronyms: list[str] = Field(default_factory=list)
    organisations: list[str] = Field(default_factory=list)
    """Initialisms that name organisations (ДТЕК, LVRTC): not shouting, and a company to blame."""
    shouted_words: list[str] = Field(default_factory=list, alias="shouted-words")
    terms: dict[Group, Entries] = Field(default_factory=dict)


@dataclass(frozen=True)
class Term:
    """One compiled lexicon entry."""

    source: str
    pattern: Any  # a compiled ``regex`` pattern


@dataclass(frozen=True)
class Family:
    """Slots that must all match in one sentence, in any order (a formula's family)."""

    source: str
    slots: tuple[Any, ...]  # compiled ``regex`` patterns, one per slot


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    term: str


_SENTENCE = regex.compile(r"[^.!?;؟؛…\n]+")
_WORD = regex.compile(r"\w+")


def sentence_of(text: str, offset: int) -> tuple[int, int]:
    """The sentence (start, end) of ``text`` that holds ``offset``."""
    for sentence in _SENTENCE.finditer(text):
        start, end = sentence.span()
        if start <= offset < end:
            return int(start), int(end)
    return offset, offset


def words_between(text: str, start: int, end: int) -> int:
    """How many words stand between ``start`` and ``end``."""
    return len(_WORD.findall(text, start, end)) if end > start else 0


def in_sentence(matches: Iterable[Match], sentence: tuple[int, int]) -> bool:
    """Whether any of ``matches`` starts inside ``sentence``."""
    return any(sentence[0] <= m.start < sentence[1] for m in matches)


WORD_START = r"(?<!\w)"
"""How phrase and stem expressions begin; an alternation of them checks it once."""
WORDS = "<words>"
"""The term of a match of a group's phrases and stems (which are matched together)."""
FIND_CACHE = 8192
"""How many (group, text) results a lexicon keeps: the rules ask for the same group often."""


@dataclass(frozen=True)
class Spec:
    """One lexicon entry before compiling: its source and its regular expression."""

    source: str
    expression: str
    where: str


@dataclass(frozen=True)
class GroupSpecs:
    """A group's entries: phrases and stems (matched as one alternation), patterns, families."""

    words: tuple[Spec, ...] = ()
    patterns: tuple[Spec, ...] = ()
    families: tuple[tuple[str, tuple[Spec, ...]], ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """Everything the rules match for one language; groups compile on first use."""

    lang: str
    specs: dict[Group, GroupSpecs]
    acronyms: frozenset[str]
    known: bool
    """False when no file exists for the language (only ``common.yaml`` applies)."""
    shouted_words: frozenset[str] = frozenset()
    """Ordinary short words that shout in capitals (short capitals are otherwise initialisms)."""
    organisations: frozenset[str] = frozenset()
    """Initialisms that name organisations (also in ``acronyms``): companies that can be blamed."""
    _compiled: dict[Group, tuple[tuple[Term, ...], tuple[Family, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _found: dict[tuple[Group, str], list[Match]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def terms(self, group: Group) -> tuple[Term, ...]:
        return self._group(group)[0]

    def families(self, group: Group) -> tuple[Family, ...]:
        return self._group(group)[1]

    def _group(self, group: Group) -> tuple[tuple[Term, ...], tuple[Family, ...]]:
        compiled = self._compiled.get(group)
        if compiled is None:
            compiled = compile_group(self.specs.get(group, GroupSpecs()))
            self._compiled[group] = compiled
        return compiled

    def find(self, group: Group, text: Normalized) -> list[Match]:
        """Non-overlapping matches of ``group`` in ``text``, in order."""
        key = (group, text.text)
        cached = self._found.get(key)
        if cached is not None:
            return list(cached)
        found: list[Match] = []
        for term in self.terms(group):
            for m in term.pattern.finditer(text.text):
                if m.end() > m.start():
                    found.append(Match(int(m.start()), int(m.end()), term.source))
        found += self._family_matches(group, text.text)
        found.sort(key=lambda m: (m.start, -m.end))
        kept: list[Match] = []
        for match in found:
            if not kept or match.start >= kept[-1].end:
                kept.append(match)
        if len(self._found) >= FIND_CACHE:
            self._found.clear()
        self._found[key] = kept
        return list(kept)

    def _family_matches(self, group: Group, text: str) -> list[Match]:
        found: list[Match] = []
        for family in self.families(group):
            hits: list[list[tuple[int, int]]] = []
            for slot in family.slots:
                spans = [m.span() for m in slot.finditer(text)]
                if not spans:
                    break
                hits.append(spans)
            else:
                for sentence in _SENTENCE.finditer(text):
                    a, b = sentence.span()
                    inside = [[s for s in spans if a <= s[0] < b] for spans in hits]
                    if all(inside):
                        start = min(s[0] for spans in inside for s in spans[:1])
                        end = max(s[1] for spans in inside for s in spans[:1])
                        found.append(Match(start, end, family.source))
        return found

    def has(self, group: Group, text: Normalized) -> bool:
        return bool(self.find(group, text))

    def compile_all(self) -> None:
        """Compile every group now (before the lexicon is kept for other processes)."""
        for group in Group:
            self._group(group)


def compile_group(specs: GroupSpecs) -> tuple[tuple[Term, ...], tuple[Family, ...]]:
    """One regex for all phrases and stems (longer entries tried first), one per pattern and
    slot."""
    terms: list[Term] = []
    if specs.words:
        ordered = [s.expression for s in sorted(specs.words, key=lambda s: -len(s.source))]
        prefix = WORD_START if all(e.startswith(WORD_START) for e in ordered) else ""
        alternation = "|".join(f"(?:{e[len(prefix) :]})" for e in ordered)
        pattern = regex.compile(f"{prefix}(?:{alternation})", regex.IGNORECASE)
        terms.append(Term(WORDS, pattern))
    terms += [_compile(s.source, s.expression, s.where) for s in specs.patterns]
    families = tuple(
        Family(source, tuple(_compile(s.source, s.expression, s.where).pattern for s in slots))
        for source, slots in specs.families
    )
    return tuple(terms), families


def _word(word: str, typos: bool, lang: str = "") -> str:
    """One entry word; with ``typos``, a long word may have one letter wrong, missing or extra."""
    escaped = str(regex.escape(word))
    if typos and sum(c.isalpha() for c in word) >= TYPO_MIN_LETTERS:
        # the first letter is kept exact (typos rarely hit it, and it lets a search skip fast),
        # unless the language's letters differ only by dots there
        first, rest = regex.escape(word[0]), regex.escape(word[1:])
        tolerant = f"{first}(?:{rest}){{e<=1}}"
        variants = _dot_variants(word[0], lang)
        return f"(?:{tolerant}|[{variants}]{rest})" if variants else tolerant
    return escaped


def _dot_variants(letter: str, lang: str) -> str:
    """The letters ``letter`` is mistyped as in ``lang`` (the same shape, other dots)."""
    for group in DOT_VARIANTS.get(lang, ()):
        if letter in group:
            return group.replace(letter, "")
    return ""


def compile_phrase(phrase: str, lang: str, *, typos: bool = False) -> str:
    words = fold(phrase, lang).split()
    joiner = GLUED if lang == "fa" else SEPARATOR
    tolerant = typos and len(words) > 1
    suffix = EZAFE if lang == "fa" else ""
    return WORD_START + joiner.join(_word(w, tolerant, lang) + suffix for w in words) + r"(?!\w)"


def compile_stem(stem: str, lang: str, *, typos: bool = False, in_phrase: bool = False) -> str:
    words = fold(stem, lang).split()
    joiner = GLUED if lang == "fa" else SEPARATOR
    between = rf"(?:{SEPARATOR}\w+){{0,{STEM_GAP}}}?{joiner}"
    tolerant = typos and (len(words) > 1 or in_phrase)
    glued = (
        tolerant
        and in_phrase
        and lang != "fa"  # Persian glues prefixes that change a word ("نا", "بی"); ZWNJ is folded
        and sum(c.isalpha() for c in words[0]) >= GLUED_MIN_LETTERS
    )
    start = GLUED_START if glued else WORD_START
    return start + between.join(_word(w, tolerant, lang) + r"\w*" for w in words)


SLOT_PATTERN = "re:"
"""A family slot item starting with this is a regular expression, not a stem."""


def compile_slot(items: Sequence[str], lang: str, *, typos: bool = False) -> str:
    """One slot of a family: any of its stems (each may span several words) or patterns."""
    return "|".join(
        f"(?:{fold_pattern(item[len(SLOT_PATTERN) :], lang)})"
        if item.startswith(SLOT_PATTERN)
        else f"(?:{compile_stem(item, lang, typos=typos, in_phrase=True)})"
        for item in items
    )


def _compile(source: str, expression: str, where: str) -> Term:
    try:
        return Term(source, regex.compile(expression, regex.IGNORECASE))
    except regex.error as exc:
        raise ConfigError(f"{where}: pattern {source!r} is not a valid regex: {exc}") from None


def _read(text: str, where: str) -> LexiconFile:
    import yaml  # here: a kept lexicon (the usual case) reads no YAML

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
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


def _family(
    slots: list[list[str]], lang: str, typos: bool, where: str
) -> tuple[str, tuple[Spec, ...]]:
    source = " + ".join("|".join(slot) for slot in slots)
    return source, tuple(
        Spec(source, compile_slot(slot, lang, typos=typos), where) for slot in slots
    )


def build(
    lang: str, files: Iterable[tuple[LexiconFile, str]], known: bool, *, check: bool = False
) -> Lexicon:
    """The lexicon of ``files``; with ``check``, every pattern is compiled now, so that a
    broken one is reported when the file is read (a project's own files)."""
    words: dict[Group, list[Spec]] = {}
    patterns: dict[Group, list[Spec]] = {}
    families: dict[Group, list[tuple[str, tuple[Spec, ...]]]] = {}
    acronyms: set[str] = set()
    shouted: set[str] = set()
    organisations: set[str] = set()
    for parsed, where in files:
        acronyms.update(a.upper() for a in parsed.acronyms + parsed.organisations)
        organisations.update(o.upper() for o in parsed.organisations)
        shouted.update(w.upper() for w in parsed.shouted_words)
        for group, entries in parsed.terms.items():
            typos = group in TYPO_TOLERANT
            bucket = words.setdefault(group, [])
            bucket += [
                Spec(p, compile_phrase(p, lang, typos=typos), where) for p in entries.phrases
            ]
            bucket += [Spec(s, compile_stem(s, lang, typos=typos), where) for s in entries.stems]
            new = [Spec(p, fold_pattern(p, lang), where) for p in entries.patterns]
            fams = [_family(f, lang, typos, where) for f in entries.families]
            if check and not where.endswith("(shipped)"):
                for spec in new + [s for _, slots in fams for s in slots]:
                    _compile(spec.source, spec.expression, spec.where)
            patterns.setdefault(group, []).extend(new)
            families.setdefault(group, []).extend(fams)
    groups = set(words) | set(patterns) | set(families)
    specs = {
        g: GroupSpecs(
            tuple(words.get(g, ())), tuple(patterns.get(g, ())), tuple(families.get(g, ()))
        )
        for g in groups
    }
    return Lexicon(
        lang, specs, frozenset(acronyms), known, frozenset(shouted), frozenset(organisations)
    )


@cache
def _parsed(text: str, where: str) -> LexiconFile:
    return _read(text, where)


KEPT = "lexicon"
"""The kind of a compiled lexicon's entry in :mod:`outagecomms.validated_cache`."""


def kept_key(lang: str, sources: Sequence[tuple[str, str]], known: bool) -> str:
    """The key a lexicon built from ``sources`` is kept under between processes: the files'
    text and names, the language, and the code that compiles them (every module of
    ``outagecomms.lint``, this one and the folding among them, and ``regex``, whose compiled
    form is what is kept)."""
    parts = [lang, str(known), regex.__version__]
    code = sorted(Path(__file__).parent.glob("*.py"))
    library = Path(regex.__file__).parent
    code += sorted(library.glob("*.py")) + sorted(library.glob("*.so"))
    parts += [f"{path.name}:{validated_cache.stamp(path)}" for path in code]
    for text, where in sources:
        parts += [where, text]
    content = "\0".join(parts).encode("utf-8", "surrogatepass")
    return validated_cache.content_key(KEPT, content)


@cache
def _load(lang: str, extra_dirs: tuple[Path, ...], stamp: tuple[float, ...]) -> Lexicon:
    """The lexicon of ``lang``: as an earlier process compiled it from the same files (a
    ``regex`` pattern unpickles from its compiled code, ~40x faster than compiling it),
    else parsed, checked and compiled here, then kept."""
    sources, known = _sources(lang, extra_dirs)
    key = kept_key(lang, sources, known) if validated_cache.directory() is not None else None
    if key is not None:
        found = validated_cache.kept_by_key(key, Lexicon)
        if found is not None:
            return found
    lexicon = build(
        lang, [(_parsed(text, where), where) for text, where in sources], known, check=True
    )
    if key is not None:
        lexicon.compile_all()
        validated_cache.keep_by_key(key, lexicon)
    return lexicon


def load_lexicon(lang: str, project_root: Path | None = None) -> Lexicon:
    """The lexicon for ``lang``: shipped entries plus the project's ``lexicons/`` ones."""
    extra: tuple[Path, ...] = ()
    stamp: tuple[float, ...] = ()
    if project_root is not None and (project_root / PROJECT_LEXICONS).is_dir():
        directory = project_root / PROJECT_LEXICONS
        extra = (directory,)
        stamp = tuple(p.stat().st_mtime for p in sorted(directory.glob("*.yaml")))
    return _load(lang, extra, stamp)
