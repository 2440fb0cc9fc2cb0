"""The tone linter against hand-labelled real outage messages: the holdout figures, pinned.

The holdout is the whole of collection round 7 (``BLIND_ROUNDS = (7,)``: 537 messages, collected
and labelled blind while the seventh tuning pass worked on the other rounds) and a third (by a
hash of each message id) of round 6 (``HOLDOUT_ROUNDS = (6,)``); rounds 1-5 were seen and
joined tuning. It was run once, on the merged rules of the seventh pass (only its figures were
read, no disagreement): recall en 0.79 (193/243), fa 0.33 (15/45), lv 0.59 (27/46), uk 0.59
(27/46); good messages flagged en 17/75, fa 7/76, lv 6/91, uk 3/68. Below the 0.90 recall
target in every language; the false-positive half (<= 0.05) is met in uk only. Those figures
are pinned. A change of rules or labels that moves them fails here: update the pin and say why
in the commit (a label change must be explained there).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from outagecomms.lint.quality import (
    BLIND_ROUNDS,
    HOLDOUT_ROUNDS,
    Sample,
    Tally,
    evaluate,
    is_holdout,
    load_corpus,
)

CORPUS = Path(__file__).parent / "corpus"

HOLDOUT = {
    # lang: (labelled pairs found, labelled pairs, good messages flagged, good messages)
    "en": (193, 243, 17, 75),
    "fa": (15, 45, 7, 76),
    "lv": (27, 46, 6, 91),
    "uk": (27, 46, 3, 68),
}


@pytest.fixture(scope="module")
def corpus() -> list[Sample]:
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def holdout(corpus: list[Sample]) -> list[Sample]:
    return [s for s in corpus if s.holdout and s.origin == "real"]


def test_corpus_has_200_real_messages_and_40_in_each_of_fa_uk_lv(corpus: list[Sample]) -> None:
    real = [s for s in corpus if s.origin == "real"]
    per_lang = {lang: sum(s.lang == lang for s in real) for lang in ("fa", "uk", "lv")}
    assert len(real) >= 200
    assert min(per_lang.values()) >= 40, per_lang


def test_every_message_names_its_source(corpus: list[Sample]) -> None:
    assert all(s.source.startswith(("http://", "https://")) for s in corpus)


def test_holdout_split_is_a_third_chosen_by_the_id() -> None:
    ids = [f"message-{n}" for n in range(3000)]
    share = sum(is_holdout(i) for i in ids) / len(ids)
    assert 0.30 < share < 0.37
    assert [is_holdout(i) for i in ids] == [is_holdout(i) for i in ids]


def test_holdout_is_drawn_from_the_holdout_and_blind_rounds_only(corpus: list[Sample]) -> None:
    assert {s.round for s in corpus if s.holdout} == set(HOLDOUT_ROUNDS) | set(BLIND_ROUNDS)
    assert not any(s.holdout for s in corpus if s.round not in (*HOLDOUT_ROUNDS, *BLIND_ROUNDS))


def test_every_message_of_a_blind_round_is_held_out(corpus: list[Sample]) -> None:
    blind = [s for s in corpus if s.round in BLIND_ROUNDS]
    assert blind and all(s.holdout for s in blind)


def test_holdout_is_a_third_of_the_corpus_in_every_language(corpus: list[Sample]) -> None:
    for lang in ("en", "fa", "lv", "uk"):
        messages = [s for s in corpus if s.lang == lang and s.origin == "real"]
        share = sum(s.holdout for s in messages) / len(messages)
        assert share >= 0.25, (lang, round(share, 2))


@pytest.mark.parametrize("lang", sorted(HOLDOUT))
def test_holdout_recall_is_pinned(holdout: list[Sample], lang: str) -> None:
    tally = evaluate(s for s in holdout if s.lang == lang).recall.get(lang, Tally())
    found, labelled, _, _ = HOLDOUT[lang]
    assert (tally.true_positives, tally.positives) == (found, labelled)


@pytest.mark.parametrize("lang", sorted(HOLDOUT))
def test_holdout_good_messages_flagged_is_pinned(holdout: list[Sample], lang: str) -> None:
    tally = evaluate(s for s in holdout if s.lang == lang).good.get(lang, Tally())
    _, _, flagged, good = HOLDOUT[lang]
    assert (tally.false_positives, tally.negatives) == (flagged, good)
