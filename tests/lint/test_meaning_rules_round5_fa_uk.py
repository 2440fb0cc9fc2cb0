"""The tone rules read meaning, fifth pass for Persian and Ukrainian (issue #15, round 5): the
apology formula for a cut and with "hoping for understanding", typos of a letter's dots, causes
put outside the publisher's powers or on someone else's works, places and organisations in
quotation marks, engineering figures as jargon, hoped-for deadlines and reported fixes."""

from __future__ import annotations

from outagecomms.lint.lexicon import load_lexicon
from outagecomms.lint.rules import MessageContext, check_text
from outagecomms.models import Phase


def rules_found(
    text: str, lang: str, *, phase: Phase | None = None, glossary: tuple[str, ...] = ()
) -> list[str]:
    context = MessageContext(lang, phase=phase, glossary=glossary)
    return [f.rule for f in check_text(text, load_lexicon(lang), context)]


# cliche-apology


def test_persian_apology_for_a_cut_is_the_formula() -> None:
    text = "از ساکنان خیابان بابت قطع گاز به‌وجود آمده پوزش می‌طلبیم."
    assert "cliche-apology" in rules_found(text, "fa")


def test_persian_apology_survives_a_typo_in_the_dots_of_its_first_letter() -> None:
    assert "cliche-apology" in rules_found("بابت اختلال پیش آمده غذرخواهی می‌کنیم.", "fa")


def test_persian_apology_for_this_after_a_specific_account_is_no_formula() -> None:
    text = "پرداخت‌ها با تأخیر انجام می‌شود. از این بابت عذر می‌خواهیم."
    assert "cliche-apology" not in rules_found(text, "fa")


def test_ukrainian_apology_hoping_for_understanding_is_the_formula() -> None:
    text = (
        "КП «Водоканал» заздалегідь просить вибачення у споживачів та сподівається на порозуміння."
    )
    assert "cliche-apology" in rules_found(text, "uk")


def test_ukrainian_request_for_understanding_without_an_apology_is_no_formula() -> None:
    text = "Просимо з розумінням поставитися до тимчасових незручностей."
    assert "cliche-apology" not in rules_found(text, "uk")


# blame-shift


def test_persian_cause_outside_the_publishers_powers_shifts_blame() -> None:
    text = "این موضوع خارج از حوزه اختیارات و برنامه‌ریزی شرکت توزیع برق است."
    assert "blame-shift" in rules_found(text, "fa")


def test_persian_decision_that_is_not_ours_shifts_blame() -> None:
    assert "blame-shift" in rules_found("تصمیم‌گیری در این زمینه بر عهده ما نیست.", "fa")


def test_persian_matter_not_in_the_publishers_hands_shifts_blame() -> None:
    text = "موضوع اتصال اینترنت بین‌الملل در اختیار وزارت ارتباطات نیست."
    assert "blame-shift" in rules_found(text, "fa")


def test_persian_dams_that_supply_the_water_are_no_supplier() -> None:
    text = "کاهش حجم آب در پشت سدهای تأمین کننده آب شهر باعث افت فشار شده است."
    assert "blame-shift" not in rules_found(text, "fa")


def test_persian_supply_of_gas_to_homes_is_the_publishers_own_service() -> None:
    text = "در غیر این صورت امروز تامین گاز منازل با مشکل بسیار جدی روبرو خواهد شد."
    assert "blame-shift" not in rules_found(text, "fa")


def test_ukrainian_not_by_our_companys_fault_shifts_blame() -> None:
    text = "Перепрошуємо за обставини, які виникли не по вині нашої компанії."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_damage_named_before_someone_elses_building_works_shifts_blame() -> None:
    text = "Пошкодження двох кабельних мереж сталося під час будівельних робіт на вулиці."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_works_done_without_consent_shift_blame() -> None:
    assert "blame-shift" in rules_found(
        "Роботи проводилися самовільно, без жодних погоджень.", "uk"
    )


def test_ukrainian_operator_named_after_a_failure_is_blamed() -> None:
    text = "У зв'язку зі збоєм в роботі Київстар освітлення вмикають вручну."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_operator_naming_itself_shifts_no_blame() -> None:
    text = "У зв'язку зі збоєм в роботі Київстар частина абонентів без зв'язку."
    assert "blame-shift" not in rules_found(text, "uk", glossary=("Київстар",))


def test_ukrainian_emergency_crew_is_no_failure() -> None:
    text = "Аварійна бригада КП «Водоканал» наразі проводить ремонтні роботи."
    assert "blame-shift" not in rules_found(text, "uk")


def test_ukrainian_line_in_quotation_marks_is_no_company() -> None:
    assert "blame-shift" not in rules_found("Технічний збій на «синій лінії».", "uk")


# shouting


def test_initialism_in_quotation_marks_names_an_organisation() -> None:
    text = 'КП НВМР "ВУВКГ" забезпечує цілодобову подачу води в місто.'
    assert "shouting" not in rules_found(text, "uk")


def test_word_in_capitals_outside_quotation_marks_still_shouts() -> None:
    assert "shouting" in rules_found("Теплопостачання до житлових будинків ВІДНОВЛЕНО.", "uk")


# jargon


def test_persian_grid_frequency_is_jargon() -> None:
    text = "در مواقع افت فرکانس شبکه سراسری، سیستم‌های حفاظتی برق را قطع می‌کنند."
    assert "jargon" in rules_found(text, "fa")


def test_persian_substation_is_jargon() -> None:
    assert "jargon" in rules_found("قطع اضطراری برخی پست‌های برق انجام شد.", "fa")


def test_persian_train_coupling_is_jargon() -> None:
    text = "بعد از کوبل قطار، سرویس دهی در این خط به حالت عادی بازگشت."
    assert "jargon" in rules_found(text, "fa")


def test_ukrainian_power_equipment_initialism_is_jargon() -> None:
    assert "jargon" in rules_found("Мережа працює на АКБ та генераторах.", "uk")


def test_ukrainian_line_voltage_is_jargon() -> None:
    assert "jargon" in rules_found("Пошкоджено дві кабельні мережі 10 кВ.", "uk")


def test_ukrainian_pipe_diameter_is_jargon() -> None:
    assert "jargon" in rules_found("Усунули порив колектору діаметром 200 мм.", "uk")


# over-promise


def test_persian_ensuring_a_safe_trip_is_no_guarantee() -> None:
    text = "به‌منظور تأمین و تضمین سفری ایمن، سرعت قطارها کاهش یافته است."
    assert "over-promise" not in rules_found(text, "fa")


def test_persian_guarantee_of_the_fix_still_over_promises() -> None:
    assert "over-promise" in rules_found("تضمین می‌کنیم که مشکل برطرف شود.", "fa")


def test_persian_fix_within_the_coming_hour_over_promises() -> None:
    assert "over-promise" in rules_found("تا ساعت آینده آب منطقه وصل خواهد شد.", "fa")


def test_persian_fix_in_a_few_minutes_over_promises() -> None:
    assert "over-promise" in rules_found("تا دقایقی دیگر خط به حالت عادی باز می گردد.", "fa")


def test_persian_fix_within_some_hours_is_no_over_promise() -> None:
    text = "همه در تلاشند تا این اختلال تا ساعاتی آینده رفع شود."
    assert "over-promise" not in rules_found(text, "fa")


def test_ukrainian_range_from_minutes_to_hours_is_no_over_promise() -> None:
    text = "До відновлення водопостачання може пройти від 20 хвилин до 1,5 години."
    assert "over-promise" not in rules_found(text, "uk")


def test_ukrainian_expected_deadline_over_promises() -> None:
    assert "over-promise" in rules_found("Очікуємо, що до вечора вода вже буде в оселях.", "uk")


def test_ukrainian_hoped_for_end_of_works_today_over_promises() -> None:
    text = "Сьогодні, я сподіваюся, ми закінчимо ці ремонтні роботи."
    assert "over-promise" in rules_found(text, "uk")


def test_ukrainian_fix_reported_done_at_a_time_is_no_over_promise() -> None:
    assert "over-promise" not in rules_found("Рух відновлено о 10:56.", "uk")


# missing parts


def test_ukrainian_flats_left_without_water_acknowledge_the_problem() -> None:
    text = "Біля 7000 квартир перебувають без води. Наступне оновлення о 18:00."
    assert "missing-ack" not in rules_found(text, "uk", phase=Phase.UPDATE)


def test_ukrainian_flats_left_without_water_say_the_impact() -> None:
    text = "Біля 7000 квартир перебувають без води. Наступне оновлення о 18:00."
    assert "missing-impact" not in rules_found(text, "uk", phase=Phase.UPDATE)
