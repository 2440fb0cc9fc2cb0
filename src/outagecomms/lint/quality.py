"""How well the tone rules agree with a careful reader: a hand-labelled corpus of real messages.

The corpus lives in ``tests/lint/corpus/<lang>.yaml`` (format in its README): each message has
an id, its source, the text, the guide's rule ids it violates (``labels``), and optionally the
phase it was posted in and the product words its customers use (``glossary``), and the
collection ``round`` it came in. The holdout, which tuning never looks at, is every message of
the blind rounds (``BLIND_ROUNDS``) and a third of the messages of the holdout rounds
(``HOLDOUT_ROUNDS``), chosen by a hash of the id; the messages of earlier rounds (their
holdout disagreements were read when it was run) all belong to tuning.

Figures, per rule and per language:

- **recall**: of the (message, rule) pairs a reader labelled, the share the linter reports;
- **false positives**: of the messages a rule could fire on but that a reader did not label
  with it, the share the linter flags (per rule); per language, the share of messages with no
  label at all that get any tone finding (a good message flagged).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from outagecomms.errors import ConfigError
from outagecomms.lint.findings import RULES
from outagecomms.lint.lexicon import load_lexicon
from outagecomms.lint.rules import NEXT_UPDATE_PHASES, OPENING_PHASES, MessageContext, check_text
from outagecomms.models import Phase

SCORED_RULES = tuple(rule for rule in RULES if rule != "length")
"""The tone rules a message's words decide (``length`` needs a channel)."""
HOLDOUT_SHARE = 3
"""One message in this many of the holdout round is held out (by a hash of its id)."""
HOLDOUT_ROUNDS = (6,)
"""The collection rounds whose third is the holdout; other rounds are all tuning. Rounds 1-5 are
all tuning now: their holdout thirds were run and their disagreements read. Round 6's third was
frozen before any tuning of the sixth pass (the fa/uk and the lv/en passes), run once then (the
blind figures in ``docs/linting.md``) and once at each pass's end (the pinned figures)."""
BLIND_ROUNDS = (7,)
"""The collection rounds held out whole: round 7 was collected and labelled blind (nobody ran
the linter on it, nor read the rules or lexicons while labelling) while the seventh tuning pass
ran on the other rounds, so that, with round 6's third, the holdout is a third of the corpus."""


@dataclass(frozen=True)
class Sample:
    """One labelled message of the corpus."""

    id: str
    lang: str
    text: str
    labels: frozenset[str]
    source: str
    phase: Phase | None = None
    glossary: tuple[str, ...] = ()
    origin: str = "real"
    round: int = 1

    @property
    def holdout(self) -> bool:
        if self.round in BLIND_ROUNDS:
            return True
        return self.round in HOLDOUT_ROUNDS and is_holdout(self.id)


def is_holdout(sample_id: str) -> bool:
    """The deterministic split: a third of the ids, by their SHA-256."""
    digest = hashlib.sha256(sample_id.encode("utf-8")).digest()
    return digest[0] % HOLDOUT_SHARE == 0


def _sample(raw: object, lang: str, where: str) -> Sample:
    if not isinstance(raw, dict) or not {"id", "text", "labels", "source"} <= raw.keys():
        raise ConfigError(f"{where}: each message needs id, source, text and labels")
    labels = frozenset(str(label) for label in raw["labels"] or [])
    unknown = sorted(labels - set(SCORED_RULES))
    if unknown:
        raise ConfigError(f"{where}: {raw['id']}: unknown rule ids {unknown}; use {SCORED_RULES}")
    phase = Phase(raw["phase"]) if raw.get("phase") else None
    return Sample(
        id=str(raw["id"]),
        lang=lang,
        text=str(raw["text"]),
        labels=labels,
        source=str(raw["source"]),
        phase=phase,
        glossary=tuple(str(term) for term in raw.get("glossary") or ()),
        origin=str(raw.get("origin", "real")),
        round=_round(raw, where),
    )


def _round(raw: dict[str, object], where: str) -> int:
    value = raw.get("round", 1)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{where}: {raw['id']}: round must be a whole number >= 1, not {value!r}")
    return value


def load_corpus(directory: Path) -> list[Sample]:
    """Every message of every ``<lang>.yaml`` in ``directory``, in file order."""
    samples: list[Sample] = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        lang = str(data.get("language", path.stem))
        samples += [_sample(raw, lang, str(path)) for raw in data.get("messages") or []]
    ids = [s.id for s in samples]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"{directory}: duplicate message ids {duplicates}")
    return samples


def applies(rule: str, sample: Sample) -> bool:
    """Whether ``rule`` can fire on ``sample`` at all (the missing-part rules need a phase)."""
    if rule in ("missing-ack", "missing-impact"):
        return sample.phase in OPENING_PHASES
    if rule == "missing-next-update":
        return sample.phase in NEXT_UPDATE_PHASES
    if rule == "missing-resolution":
        return sample.phase is Phase.RESOLVED
    return True


def tone_rules_found(sample: Sample) -> frozenset[str]:
    """The rule ids the linter reports on one sample (customer audience, its phase)."""
    context = MessageContext(sample.lang, phase=sample.phase, glossary=sample.glossary)
    found = check_text(sample.text, load_lexicon(sample.lang), context)
    return frozenset(f.rule for f in found if f.rule in SCORED_RULES)


Predictor = Callable[[Sample], frozenset[str]]


@dataclass
class Tally:
    """Counts for one rule (or one language) and the figures they give."""

    true_positives: int = 0
    false_negatives: int = 0
    false_positives: int = 0
    true_negatives: int = 0

    @property
    def positives(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def negatives(self) -> int:
        return self.false_positives + self.true_negatives

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.positives if self.positives else None

    @property
    def false_positive_rate(self) -> float | None:
        return self.false_positives / self.negatives if self.negatives else None

    def add(self, labelled: bool, found: bool) -> None:
        if labelled:
            self.true_positives += found
            self.false_negatives += not found
        else:
            self.false_positives += found
            self.true_negatives += not found


@dataclass
class Miss:
    """A disagreement with the reader, for the report."""

    sample: Sample
    rule: str
    kind: str  # "missed" or "false positive"


@dataclass
class Evaluation:
    """Per rule and language: recall and false positives; per language: summaries."""

    rules: dict[tuple[str, str], Tally] = field(default_factory=dict)
    recall: dict[str, Tally] = field(default_factory=dict)
    """Per language: every labelled (message, rule) pair."""
    good: dict[str, Tally] = field(default_factory=dict)
    """Per language: messages without labels; a false positive is one flagged at all."""
    misses: list[Miss] = field(default_factory=list)
    messages: dict[str, int] = field(default_factory=dict)

    def rule(self, rule: str, lang: str) -> Tally:
        return self.rules.setdefault((rule, lang), Tally())


def evaluate(
    samples: Iterable[Sample],
    predict: Predictor = tone_rules_found,
    rules: Sequence[str] = SCORED_RULES,
) -> Evaluation:
    """Run ``predict`` on every sample and count agreement with the labels."""
    result = Evaluation()
    for sample in samples:
        found = predict(sample)
        lang = sample.lang
        result.messages[lang] = result.messages.get(lang, 0) + 1
        for rule in rules:
            if not applies(rule, sample):
                continue
            labelled, hit = rule in sample.labels, rule in found
            result.rule(rule, lang).add(labelled, hit)
            result.rule(rule, "all").add(labelled, hit)
            if labelled:
                result.recall.setdefault(lang, Tally()).add(True, hit)
                result.recall.setdefault("all", Tally()).add(True, hit)
            if labelled != hit:
                result.misses.append(Miss(sample, rule, "missed" if labelled else "false positive"))
        if not sample.labels:
            flagged = bool(found & set(rules))
            result.good.setdefault(lang, Tally()).add(False, flagged)
            result.good.setdefault("all", Tally()).add(False, flagged)
    result.messages["all"] = sum(result.messages.values())
    return result
