"""``python -m bench.lint_quality``: the tone linter against hand-labelled real messages.

Prints recall and false-positive rate per rule and per language on the corpus in
``tests/lint/corpus/`` (the holdout third and the tuning two thirds apart, and all), and the
same for proselint, a generic prose linter, on the English messages, side by side.

``--split holdout|tuning|all`` picks the part; ``--misses`` lists the disagreements of the
tuning part (never of the holdout, so that tuning cannot look at it).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bench.harness import REPO, Config, Row
from outagecomms.lint.quality import (
    SCORED_RULES,
    Evaluation,
    Predictor,
    Sample,
    Tally,
    evaluate,
    load_corpus,
    tone_rules_found,
)

CORPUS = REPO / "tests" / "lint" / "corpus"
SPLITS = ("holdout", "tuning", "all")
PROSELINT_RULES = {
    "cliche-apology": ("cliches.", "industrial_language.corporate_speak"),
    "shouting": ("typography.punctuation.hyperbole", "typography.exclamation"),
    "over-promise": ("hedging", "weasel_words"),
}
"""Which proselint checks stand for which of our rules (the others it has no check for)."""


def part(samples: Sequence[Sample], split: str) -> list[Sample]:
    real = [s for s in samples if s.origin == "real"]
    if split == "holdout":
        return [s for s in real if s.holdout]
    if split == "tuning":
        return [s for s in real if not s.holdout]
    return real


def _pct(value: float | None) -> str:
    return "   –" if value is None else f"{value:4.2f}"


def _cell(tally: Tally | None) -> str:
    if tally is None or (tally.positives == 0 and tally.negatives == 0):
        return f"{'':>17}"
    counts = f"({tally.positives:>2}/{tally.negatives:>3})"
    return f"{_pct(tally.recall)} {_pct(tally.false_positive_rate)} {counts}"


def table(evaluation: Evaluation, langs: Sequence[str], title: str) -> str:
    """Rows: rules, then the per-language summary; columns: languages."""
    head = f"{title:<22}" + "".join(f"{lang:^19}" for lang in langs)
    sub = f"{'':<22}" + "".join(f"{'rec  fp  (pos/neg)':^19}" for _ in langs)
    lines = [head, sub]
    for rule in SCORED_RULES:
        cells = [_cell(evaluation.rules.get((rule, lang))) for lang in langs]
        if any(c.strip() for c in cells):
            lines.append(f"{rule:<22}" + "".join(f"{c:^19}" for c in cells))
    lines.append(
        f"{'recall (all labels)':<22}"
        + "".join(f"{_pct(evaluation.recall.get(lang, Tally()).recall):^19}" for lang in langs)
    )
    lines.append(
        f"{'good messages flagged':<22}"
        + "".join(
            f"{_pct(evaluation.good.get(lang, Tally()).false_positive_rate):^19}" for lang in langs
        )
    )
    lines.append(
        f"{'messages':<22}" + "".join(f"{evaluation.messages.get(lang, 0):^19}" for lang in langs)
    )
    return "\n".join(lines)


def proselint_predictor() -> Predictor | None:
    """A predictor mapping proselint's checks onto our rule ids (None without proselint)."""
    try:
        from proselint.checks import __register__
        from proselint.registry import CheckRegistry
        from proselint.tools import LintFile
    except ImportError:
        return None
    CheckRegistry().register_many(__register__)

    def predict(sample: Sample) -> frozenset[str]:
        checks = [r.check_result.check_path for r in LintFile(sample.id, sample.text).lint()]
        found = {
            rule
            for rule, prefixes in PROSELINT_RULES.items()
            if any(c.startswith(prefixes) for c in checks)
        }
        if checks:
            found.add("any")
        return frozenset(found)

    return predict


def flagged(samples: Sequence[Sample], predict: Predictor) -> tuple[Tally, Tally]:
    """Message level: bad messages flagged at all (recall), good ones flagged (false positive)."""
    bad, good = Tally(), Tally()
    for sample in samples:
        hit = bool(predict(sample))
        (bad if sample.labels else good).add(bool(sample.labels), hit)
    return bad, good


def side_by_side(samples: Sequence[Sample]) -> str:
    """Our linter and proselint on the English messages, message level and mapped rules."""
    english = [s for s in samples if s.lang == "en"]
    ours = evaluate(english)
    predict = proselint_predictor()
    if predict is None:
        return "proselint is not installed (pip install -e '.[dev]'); no comparison"
    theirs = evaluate(english, predict, rules=tuple(PROSELINT_RULES))
    bad_ours, good_ours = flagged(english, tone_rules_found)
    bad_theirs, good_theirs = flagged(english, predict)
    lines = [
        f"English, side by side ({len(english)} messages)   outagecomms        proselint",
        f"{'bad messages flagged (recall)':<44}"
        f"{_pct(bad_ours.recall):>8}{_pct(bad_theirs.recall):>18}",
        f"{'good messages flagged (false positives)':<44}"
        f"{_pct(good_ours.false_positive_rate):>8}{_pct(good_theirs.false_positive_rate):>18}",
    ]
    for rule in PROSELINT_RULES:
        o, t = ours.rules.get((rule, "en"), Tally()), theirs.rules.get((rule, "en"), Tally())
        lines.append(
            f"{rule + ' recall / fp':<44}{_pct(o.recall)}/{_pct(o.false_positive_rate)}"
            f"{_pct(t.recall):>11}/{_pct(t.false_positive_rate)}"
        )
    lines.append("(proselint has no check for the other rules: blame, jargon, missing parts)")
    return "\n".join(lines)


def report(split: str, corpus: Path = CORPUS) -> str:
    samples = part(load_corpus(corpus), split)
    langs = [*sorted({s.lang for s in samples}), "all"]
    evaluation = evaluate(samples)
    return "\n\n".join([table(evaluation, langs, f"{split} part"), side_by_side(samples)])


def misses(corpus: Path = CORPUS) -> str:
    """The tuning part's disagreements, one a line (the holdout's are never listed)."""
    samples = part(load_corpus(corpus), "tuning")
    lines = [
        f"{m.kind:<15} {m.rule:<20} {m.sample.id:<22} {m.sample.text[:90]}"
        for m in evaluate(samples).misses
    ]
    return "\n".join(lines) or "no disagreement on the tuning part"


def rows(config: Config) -> list[Row]:
    """For ``make bench``: the holdout figures per language (and proselint on English)."""
    samples = part(load_corpus(CORPUS), "holdout")
    evaluation = evaluate(samples)
    found: list[Row] = []
    for lang in sorted({s.lang for s in samples}):
        recall = evaluation.recall.get(lang, Tally())
        good = evaluation.good.get(lang, Tally())
        found.append(
            Row(
                f"lint quality {lang}: holdout recall",
                recall.recall,
                "",
                goal=">= 0.90",
                note=f"{recall.true_positives}/{recall.positives} labels found",
            )
        )
        found.append(
            Row(
                f"lint quality {lang}: good messages flagged",
                good.false_positive_rate,
                "",
                goal="<= 0.05",
                note=f"{good.false_positives}/{good.negatives} good messages",
            )
        )
    predict = proselint_predictor()
    if predict is not None:
        english = [s for s in samples if s.lang == "en"]
        bad, good = flagged(english, predict)
        ours_bad, ours_good = flagged(english, tone_rules_found)
        found.append(
            Row(
                "lint quality en: proselint recall (bad messages flagged)",
                bad.recall,
                "",
                baseline=ours_bad.recall,
                baseline_name="outagecomms",
                note=f"good messages flagged {_pct(good.false_positive_rate)} "
                f"(outagecomms {_pct(ours_good.false_positive_rate)})",
            )
        )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lint_quality", description=__doc__)
    parser.add_argument("--split", choices=SPLITS, action="append")
    parser.add_argument("--misses", action="store_true", help="list the tuning part's misses")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    if args.misses:
        print(misses(args.corpus))
        return 0
    for split in args.split or ["holdout", "tuning", "all"]:
        print(report(split, args.corpus))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
