"""SMS: GSM 03.38 7-bit septets or UCS-2 code units, and the segments a text needs."""

from __future__ import annotations

import pytest

from outagecomms.counting import DEFAULT_MAX_SEGMENTS, measure
from outagecomms.models import ChannelKind

SMS = ChannelKind.SMS
PERSIAN = "پرداخت‌ها با خطا مواجه شده‌اند. در حال بررسی هستیم."
UKRAINIAN = "Платежі не проходять. Ми з'ясовуємо причину."


def test_gsm_basic_text_counts_one_septet_per_character() -> None:
    result = measure("Payments fail @ 10:30 (£5 & ¥7)? Ça va, Ægir!", SMS)
    assert result.unit == "gsm7"
    assert result.length == 45


@pytest.mark.parametrize("char", list("^{}\\[~]|€\f"))
def test_gsm_extension_character_counts_two_septets(char: str) -> None:
    result = measure(f"a{char}b", SMS)
    assert (result.unit, result.length) == ("gsm7", 4)


def test_160_extension_septets_still_fit_one_message() -> None:
    result = measure("€" * 80, SMS)
    assert (result.length, result.segments) == (160, 1)


def test_persian_text_is_ucs2() -> None:
    result = measure(PERSIAN, SMS)
    assert (result.unit, result.length) == ("ucs2", len(PERSIAN))


def test_ukrainian_text_is_ucs2() -> None:
    result = measure(UKRAINIAN, SMS)
    assert (result.unit, result.length) == ("ucs2", len(UKRAINIAN))


def test_one_character_outside_gsm_makes_the_whole_text_ucs2() -> None:
    assert measure("We’re on it", SMS).unit == "ucs2"  # the typographic apostrophe


def test_emoji_outside_the_bmp_counts_two_ucs2_units() -> None:
    result = measure("Down 😷", SMS)
    assert (result.unit, result.length) == ("ucs2", 7)


@pytest.mark.parametrize(
    ("septets", "segments"), [(160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm_segments_are_160_alone_then_153_per_part(septets: int, segments: int) -> None:
    assert measure("a" * septets, SMS).segments == segments


@pytest.mark.parametrize(
    ("units", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_segments_are_70_alone_then_67_per_part(units: int, segments: int) -> None:
    assert measure("ж" * units, SMS).segments == segments


def test_escape_sequence_is_not_split_across_parts() -> None:
    # 306 septets fill two parts of 153 exactly, but the € (escape + code) would straddle
    # septets 153 and 154, so it starts the second part and the text needs a third.
    result = measure("a" * 152 + "€" + "a" * 152, SMS, max_segments=2)
    assert (result.length, result.limit, result.segments, result.fits) == (306, 306, 3, False)


def test_escape_sequence_ending_a_part_exactly_stays_in_it() -> None:
    result = measure("a" * 151 + "€" + "a" * 153, SMS, max_segments=2)
    assert (result.length, result.segments, result.fits) == (306, 2, True)


def test_surrogate_pair_is_not_split_across_parts() -> None:
    # 134 units fill two parts of 67 exactly, but the emoji's surrogate pair would straddle
    # units 67 and 68, so it starts the second part and the text needs a third.
    result = measure("ж" * 66 + "😷" + "ж" * 66, SMS, max_segments=2)
    assert (result.length, result.limit, result.segments, result.fits) == (134, 134, 3, False)


def test_surrogate_pair_ending_a_part_exactly_stays_in_it() -> None:
    result = measure("ж" * 65 + "😷" + "ж" * 67, SMS, max_segments=2)
    assert (result.length, result.segments, result.fits) == (134, 2, True)


def test_default_max_segments_is_three() -> None:
    assert DEFAULT_MAX_SEGMENTS == 3
    assert measure("a", SMS).limit == 3 * 153


@pytest.mark.parametrize(
    ("text", "max_segments", "limit"),
    [("a", 1, 160), ("a", 2, 306), ("a", 3, 459), ("ж", 1, 70), ("ж", 2, 134), ("ж", 3, 201)],
)
def test_limit_is_what_max_segments_carry_in_the_encoding(
    text: str, max_segments: int, limit: int
) -> None:
    assert measure(text, SMS, max_segments=max_segments).limit == limit


def test_fits_when_segments_needed_are_at_most_allowed() -> None:
    assert measure("a" * 459, SMS, max_segments=3).fits
    assert not measure("a" * 460, SMS, max_segments=3).fits


def test_empty_text_is_one_message() -> None:
    assert measure("", SMS).segments == 1


def test_channel_limit_lowers_the_sms_limit() -> None:
    result = measure("a" * 150, SMS, max_segments=1, limit=140)
    assert (result.limit, result.segments, result.fits) == (140, 1, False)


def test_channel_limit_never_raises_the_sms_limit() -> None:
    assert measure("a", SMS, max_segments=1, limit=500).limit == 160
