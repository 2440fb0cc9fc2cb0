"""The tone rules read meaning, sixth pass for Persian and Ukrainian (issue #15, round 6): the
Persian apology for any incident noun and for an inconvenience noun of the same class, another
company's unkept commitment and someone else's digging as blame, a time of day that is no
duration; Ukrainian causes put beyond the publisher's reach, works others did or did not agree,
pressure classes and plant equipment as jargon, how long a reserve lasts, a utility's
restoration as impact."""

from __future__ import annotations

from outagecomms.models import Phase
from tests.lint.test_meaning_rules import rules_found

# cliche-apology


def test_persian_apology_for_this_incident_is_the_formula() -> None:
    text = "ضمن عذرخواهی بابت این اتفاق، از مشترکان درخواست می‌شود به اپلیکیشن مراجعه کنند."
    assert "cliche-apology" in rules_found(text, "fa")


def test_persian_apology_for_the_annoyance_caused_is_the_formula() -> None:
    text = "معطل شدن مردم باعث آزار و اذیت شد که از این بابت از مردم عذرخواهی می‌کنم."
    assert "cliche-apology" in rules_found(text, "fa")


def test_persian_apology_after_saying_how_annoying_the_problem_is_is_no_formula() -> None:
    text = "می‌دانیم این قطعی چقدر آزاردهنده است و از این بابت از شما عذر می‌خواهیم."
    assert "cliche-apology" not in rules_found(text, "fa")


# blame-shift


def test_persian_company_that_did_not_keep_its_commitment_is_blamed() -> None:
    text = "شرکت توسعه قرار بود ژنراتورها را تهیه کند، اما تا کنون به تعهدات عمل نشده است."
    assert "blame-shift" in rules_found(text, "fa")


def test_persian_counterfactual_on_a_company_keeping_its_word_is_blame() -> None:
    text = "اگر شرکت توسعه به قولش عمل کرده بود، به این مشکلات بر نمی‌خوردیم."
    assert "blame-shift" in rules_found(text, "fa")


def test_persian_digging_for_the_metro_as_the_cause_is_blame() -> None:
    text = "به دلیل انفجار لوله گاز در محل حفر تونل مترو، خطوط تلفن دچار قطعی شده است."
    assert "blame-shift" in rules_found(text, "fa")


def test_persian_repairs_of_another_public_body_as_the_cause_are_blame() -> None:
    text = "به دلیل تعمیرات سازمان برق، فردا از ساعت ۸ تا ۱۱ آب قطع است."
    assert "blame-shift" in rules_found(text, "fa")


def test_ukrainian_reasons_independent_of_the_company_are_blame() -> None:
    text = "З незалежних від компанії причин можливі перебої зі зв'язком."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_reasons_the_airport_cannot_influence_are_blame() -> None:
    text = "Затримка рейсів відбулась з причин, на які не може вплинути аеропорт."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_works_not_agreed_with_the_operator_are_blame() -> None:
    text = "Під час неузгоджених з ПрАТ «Газ» земельних робіт було пошкоджено газопровід."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_works_another_body_carried_out_are_blame() -> None:
    text = "Під час планових робіт, які здійснювало управління «Нафтогаз», в мережу потрапила вода."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_works_our_own_crews_carried_out_are_no_blame() -> None:
    text = "Під час планових робіт, які здійснювали наші бригади, тиск у мережі знизився."
    assert "blame-shift" not in rules_found(text, "uk")


# jargon


def test_persian_network_switch_is_jargon() -> None:
    text = "این اختلال به علت عملیات توسعه شبکه کابلی و سوییچ ادامه خواهد داشت."
    assert "jargon" in rules_found(text, "fa")


def test_ukrainian_pipeline_pressure_class_is_jargon() -> None:
    assert "jargon" in rules_found("Пошкоджено газопровід середнього тиску.", "uk")


def test_ukrainian_pump_units_are_jargon() -> None:
    text = "Внаслідок відключення насосних агрегатів можливий осад у воді."
    assert "jargon" in rules_found(text, "uk")


# over-promise


def test_persian_fix_before_a_time_of_day_over_promises() -> None:
    text = "پیش‌بینی می‌کنیم نهایتاً تا قبل از ساعت ۱۴ گاز تمامی مشترکان وصل شود."
    assert "over-promise" in rules_found(text, "fa")


def test_persian_work_from_a_time_of_day_is_a_schedule() -> None:
    text = "گاز این خیابان از ساعت ۱۴ تا ۱۸ قطع و سپس وصل می‌شود."
    assert "over-promise" not in rules_found(text, "fa")


def test_ukrainian_how_long_a_reserve_lasts_is_no_fix_time() -> None:
    text = "Базові станції переходять на батареї, цього ресурсу вистачить орієнтовно до 8 годин."
    assert "over-promise" not in rules_found(text, "uk")


# missing-impact


def test_ukrainian_water_supply_to_be_restored_is_impact() -> None:
    text = "Роботи тривають. Сподіваємось, що до обіду вдасться відновити водопостачання."
    assert "missing-impact" not in rules_found(text, "uk", phase=Phase.UPDATE)
