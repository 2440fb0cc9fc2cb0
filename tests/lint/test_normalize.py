from __future__ import annotations

import pytest

from outagecomms.lint.normalize import fold, normalize


@pytest.mark.parametrize(
    ("arabic", "persian"),
    [
        ("مي\u200cخواهيم", "می خواهیم"),  # Arabic yeh, ZWNJ
        ("مشكل", "مشکل"),  # Arabic kaf
        ("متأسفیم", "متاسفیم"),  # hamza on alef
        ("پـــوزش", "پوزش"),  # tatweel
        ("مُشكِل", "مشکل"),  # diacritics
    ],
)
def test_persian_written_with_arabic_forms_folds_to_persian(arabic: str, persian: str) -> None:
    assert fold(arabic, "fa") == fold(persian, "fa")


def test_persian_and_arabic_indic_digits_become_ascii() -> None:
    assert fold("۱۵ و ١٥", "fa") == "15 و 15"


def test_zwnj_is_a_space_in_persian_and_dropped_elsewhere() -> None:
    assert fold("به\u200cروز", "fa") == "به روز"
    assert fold("ab\u200ccd", "en") == "abcd"


def test_ukrainian_is_case_folded() -> None:
    assert fold("ПЕРЕПРОШУЄМО За Незручності", "uk") == "перепрошуємо за незручності"


def test_latvian_is_matched_with_and_without_its_diacritics() -> None:
    assert fold("NEĒRTĪBĀM", "lv") == fold("neertibam", "lv") == "neertibam"


def test_typographic_apostrophe_matches_the_plain_one() -> None:
    assert fold("can’t", "en") == "can't"


def test_excerpt_quotes_the_original_text_not_the_folded_one() -> None:
    text = normalize("Ok. مي\u200cخواهيم now", "fa")
    start = text.text.index("می")
    end = start + len("می خواهیم")
    assert text.excerpt(start, end) == "مي\u200cخواهيم"
