"""twitter-text's own conformance data, read from the shared checkout beside the repository:
our own X counter (:mod:`outagecomms.x_length`) gives every field of every case.

CI clones the repository with ``shared/`` beside it; the file is read there, never copied.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from outagecomms.counting import TWITTER_CONFIG_RESOURCE, measure, twitter_v3_options
from outagecomms.models import ChannelKind
from outagecomms.x_length import parse_tweet

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
VALIDATE = CONFORMANCE / "twitter-text-validate.yml"
SHARED_CONFIG = CONFORMANCE / "twitter-text-config-v3.json"
ABSENT = f"{VALIDATE} not found: clone the shared/ checkout beside the repository"

SECTIONS = (
    "WeightedTweetsCounterTest",
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
)
CHECKED = (
    "weightedLength",
    "valid",
    "permillage",
    "displayRangeStart",
    "displayRangeEnd",
    "validRangeStart",
    "validRangeEnd",
)


@cache
def _tests() -> dict[str, Any]:
    document = yaml.safe_load(VALIDATE.read_text(encoding="utf-8"))
    tests: dict[str, Any] = document["tests"]
    return tests


def _cases(section: str) -> list[Any]:
    if not VALIDATE.is_file():
        return [pytest.param({}, marks=pytest.mark.skip(reason=ABSENT), id="absent")]
    return [pytest.param(case, id=case["description"]) for case in _tests().get(section, [])]


def _check(case: dict[str, Any], options: dict[str, Any]) -> None:
    expected = case["expected"]
    assert set(expected) == set(CHECKED), "every case states every field"
    result = parse_tweet(case["text"], options).asdict()
    assert {field: result[field] for field in CHECKED} == expected


@pytest.mark.skipif(not VALIDATE.is_file(), reason=ABSENT)
@pytest.mark.parametrize("section", SECTIONS)
def test_conformance_section_has_cases(section: str) -> None:
    assert len(_tests()[section]) > 0


@pytest.mark.skipif(not SHARED_CONFIG.is_file(), reason=ABSENT)
def test_shipped_config_is_the_shared_v3_config() -> None:
    shipped = resources.files("outagecomms") / "data" / TWITTER_CONFIG_RESOURCE
    assert json.loads(shipped.read_text(encoding="utf-8")) == json.loads(
        SHARED_CONFIG.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("case", _cases("WeightedTweetsCounterTest"))
def test_weighted_tweets_counter(case: dict[str, Any]) -> None:
    # Upstream twitter-text runs this section with its v2 configuration: the same weights,
    # ranges, scale and URL length as v3, but without emoji parsing. Two of its cases (emoji
    # ZWJ and skin-tone sequences) only hold that way, because v3 counts a whole emoji
    # sequence as 2. So this section runs with the shipped v3 config with emoji parsing off
    # (= upstream v2). The product itself counts with v3 as shipped, which the discounted-emoji
    # section below checks.
    options = twitter_v3_options()
    options["emoji_parsing_enabled"] = False
    _check(case, options)


@pytest.mark.parametrize("case", _cases("WeightedTweetsWithDiscountedEmojiCounterTest"))
def test_weighted_tweets_with_discounted_emoji_counter(case: dict[str, Any]) -> None:
    _check(case, twitter_v3_options())
    assert measure(case["text"], ChannelKind.X).length == case["expected"]["weightedLength"]


@pytest.mark.parametrize("case", _cases("UnicodeDirectionalMarkerCounterTest"))
def test_unicode_directional_marker_counter(case: dict[str, Any]) -> None:
    _check(case, twitter_v3_options())
    assert measure(case["text"], ChannelKind.X).length == case["expected"]["weightedLength"]
