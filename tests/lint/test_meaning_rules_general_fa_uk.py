"""The tone rules read meaning in Persian and Ukrainian for the whole space of how publishers say
a thing, not for the sentences already collected (issue #15, the general pass).

Each test takes a real message of the corpus's tuning part (its id is cited); where the corpus
holds no message with the new member of a class, the test takes a real one and swaps in that
member (the id cited is the message it was made from), so that the class is tested, not one
phrasing: the classes of trouble nouns and apology verbs, cause markers and external actors,
approximate future times, engineering and hosting terms, a resolution or an impact in any
words.
"""

from __future__ import annotations

from outagecomms.models import Phase
from tests.lint.test_meaning_rules import rules_found

# cliche-apology: formula families


def test_persian_while_apologising_opener_is_the_formula_by_itself() -> None:
    # fa-r5-hosp-mobarakeh-2: «ضمن عذرخواهی از مراجعین ...» names nothing it apologises for
    text = "ضمن عذرخواهی از مراجعین محترم، از همراهی ارزشمندشان قدردانی می‌نماییم."
    assert "cliche-apology" in rules_found(text, "fa")


def test_persian_with_apologies_opener_is_the_same_formula() -> None:
    # fa-r4-abfa-azar-2 («ضمن پوزش از شهروندان ...») opened with «با عرض پوزش»
    text = "با عرض پوزش از شهروندان ساکن در آن مناطق، تقاضا دارد با این شرکت همکاری فرمایند."
    assert "cliche-apology" in rules_found(text, "fa")


def test_persian_apology_for_any_trouble_noun_of_the_class() -> None:
    # fa-r4-hashtrood-1 («از بابت قطعی برق از مردم پوزش می خواهیم») with a trouble noun
    text = "بابت مزاحمت‌های پیش آمده از مردم پوزش می‌خواهیم."
    assert "cliche-apology" in rules_found(text, "fa")


def test_persian_colloquial_apology_verb_joins_the_family() -> None:
    # fa-r5-damavand-2 with «معذرت می‌خواهیم» for «عذرخواهی می‌کنیم»
    text = "از همه شهروندان که به‌علت قطعی آب دچار مشکل شده‌اند، معذرت می‌خواهیم."
    assert "cliche-apology" in rules_found(text, "fa")


def test_persian_apology_for_this_situation_is_the_formula() -> None:
    # fa-r6-irancell-sms-1 («ضمن عذرخواهی بابت این اتفاق») said of «شرایط به وجود آمده»
    text = "از شرایط به وجود آمده برای مشترکان عذرخواهی می‌کنیم."
    assert "cliche-apology" in rules_found(text, "fa")


def test_persian_apology_to_people_with_no_object_is_no_formula() -> None:
    # fa-iranexpo-r2-1 (good): an apology to the press that says what happened before it
    text = (
        "زمان افتتاحیه، سیستم برق اضطراری دچار نقص فنی و رفع این نقیصه طولانی شد. "
        "از تمامی مسئولین و اصحاب رسانه عذرخواهی میکنیم."
    )
    assert "cliche-apology" not in rules_found(text, "fa")


def test_persian_thanks_for_patience_without_an_apology_is_no_formula() -> None:
    # fa-r6-metro-line1-4 (good)
    assert "cliche-apology" not in rules_found(
        "از شکیبایی و همراهی مسافران گرامی سپاسگزاریم.", "fa"
    )


def test_ukrainian_apology_for_any_trouble_noun_of_the_class() -> None:
    # uk-r5-kopiyka-1 («Просимо вибачення за незручності») for discomfort
    assert "cliche-apology" in rules_found("Просимо вибачення за тимчасовий дискомфорт.", "uk")


def test_ukrainian_apology_for_possible_disruptions_is_the_formula() -> None:
    # uk-r5-zviahel-collector-1's «можливі перебої у водопостачанні», apologised for
    text = "Вибачаємося за можливі перебої у водопостачанні та водовідведенні."
    assert "cliche-apology" in rules_found(text, "uk")


def test_ukrainian_apology_for_the_schedule_disruption_is_specific() -> None:
    # uk-ukrzaliznytsia-r3-2 (good): it names what it is for
    text = "Просимо у пасажирів вибачення за збій у графіку."
    assert "cliche-apology" not in rules_found(text, "uk")


def test_ukrainian_apology_with_thanks_for_patience_is_the_formula() -> None:
    # uk-r4-orzhytsia-1 (its «розуміння та терпіння»), the patience alone kept
    text = "Підприємство приносить вибачення та висловлює подяку за ваше терпіння."
    assert "cliche-apology" in rules_found(text, "uk")


def test_ukrainian_thanks_for_patience_without_an_apology_is_no_formula() -> None:
    # uk-r4-irpin-1 (good)
    text = (
        "Після відновлення електропостачання подача води буде відновлена. "
        "Дякуємо за розуміння та терпіння."
    )
    assert "cliche-apology" not in rules_found(text, "uk")


# blame-shift: cause markers with an external actor, "outside our control"


def test_persian_external_factors_are_outside_our_control() -> None:
    # fa-r5-tozi-2's «خارج از حوزه اختیارات» said as «عوامل خارج از کنترل»
    text = "قطع اضطراری برخی پست‌ها ناشی از عوامل خارج از کنترل این شرکت است."
    assert "blame-shift" in rules_found(text, "fa")


def test_persian_cause_from_another_company_after_a_new_cause_marker() -> None:
    # fa-tci-r3-2 («بر اثر عملیات عمرانی و حفاری شرکت گاز») with the cut «از سوی» a company
    text = "قطعی اینترنت ناشی از قطع برق از سوی شرکت توزیع برق است."
    assert "blame-shift" in rules_found(text, "fa")


def test_persian_negligence_of_a_contractor_is_blame() -> None:
    # fa-tci-r3-3's contractors, their negligence as the failure
    text = "این قطعی به علت قصور پیمانکار در اجرای عملیات رخ داده است."
    assert "blame-shift" in rules_found(text, "fa")


def test_persian_repairs_of_another_company_as_the_cause_are_blame() -> None:
    # fa-r5-abfa-abadan-1 («به دلیل تعمیرات سازمان برق»), the repairs of the grid's company
    text = "به دلیل تعمیرات شبکه شرکت توزیع برق، آب این مناطق قطع است."
    assert "blame-shift" in rules_found(text, "fa")


def test_persian_own_works_are_no_blame() -> None:
    # fa-r5-mahabad-1 (good): the publisher's own works
    text = "به دلیل انجام عملیات اجرایی وصل به شبکه، آب ساکنین منطقه با افت فشار مواجه خواهد شد."
    assert "blame-shift" not in rules_found(text, "fa")


def test_persian_fault_owned_is_no_blame() -> None:
    # fa-r5-hosp-ahvaz-2 owns it: «این ایراد بر ما وارد است»
    text = "خرابی سامانه پیمانکار باعث معطلی شد و این ایراد بر ما وارد است."
    assert "blame-shift" not in rules_found(text, "fa")


def test_ukrainian_fault_of_the_adjacent_utilities_is_blame() -> None:
    # uk-r5-infox-2's «не по вині нашої компанії», put on the adjacent utilities
    assert "blame-shift" in rules_found("Перебої з водою виникли з вини суміжників.", "uk")


def test_ukrainian_failure_on_the_side_of_the_acquiring_bank_is_blame() -> None:
    # uk-mintsyfra-2's «перемикання трафіку на іншого провайдера» said of a bank's acquirer
    text = "Оплата карткою тимчасово недоступна через проблеми на стороні банку-еквайра."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_cause_that_does_not_depend_on_us_is_blame() -> None:
    # uk-r5-mts-east-1 («з незалежних від компанії причин») in the other word order
    assert "blame-shift" in rules_found("Причини збою не залежать від нашої компанії.", "uk")


def test_ukrainian_network_not_on_our_balance_sheet_is_blame() -> None:
    # uk-r5-kirovohradoblenergo-1 («належить власникам домоволодіння»)
    text = "Частина водопроводу, на якому проводилися роботи, належить власникам домоволодіння."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_failure_in_another_company_with_its_form_is_blame() -> None:
    # uk-vodokanal-r2-2 («аварію в енергомережах ДТЕК») with a company form and quotes
    text = "Через аварію на мережах ПрАТ «Київобленерго» знеструмлено насосну станцію."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_works_of_another_company_as_the_cause_are_blame() -> None:
    # uk-r4-kyivvodokanal-1 («з боку компанії ДТЕК»): the cause is another company's works
    text = "У зв'язку з ремонтними роботами на мережах ПрАТ «Київобленерго» води не буде до 18:00."
    assert "blame-shift" in rules_found(text, "uk")


def test_ukrainian_works_of_the_publisher_itself_are_no_blame() -> None:
    # the same, said by the company itself (its name in the glossary, as uk-r5-rivneoblenergo-1)
    text = "У зв'язку з ремонтними роботами на мережах ПрАТ «Київобленерго» води не буде до 18:00."
    assert "blame-shift" not in rules_found(text, "uk", glossary=("Київобленерго",))


def test_ukrainian_operators_restoring_service_are_no_blame() -> None:
    # uk-dsszzi-r2-2 (good)
    text = (
        "Всі оператори мобільного зв'язку, використовуючи резервні канали живлення, "
        "відновили зв'язок."
    )
    assert "blame-shift" not in rules_found(text, "uk")


def test_ukrainian_mistake_owned_is_no_blame() -> None:
    text = "Ми визнаємо нашу помилку: збій у постачальника ми мали передбачити."
    assert "blame-shift" not in rules_found(text, "uk")


# over-promise: the future, approximate times


def test_persian_short_time_in_words_in_the_coming_hours_promises() -> None:
    # fa-r5-tozi-alborz-1 («تا یک ساعت دیگر»), in other number words
    assert "over-promise" in rules_found("طی دو ساعت آینده برق منطقه وصل می‌شود.", "fa")


def test_persian_quarter_of_an_hour_promises() -> None:
    assert "over-promise" in rules_found("تا یک ربع دیگر اینترنت وصل خواهد شد.", "fa")


def test_persian_how_long_the_fix_takes_promises_but_not_in_the_past() -> None:
    # fa-majles-1 («تا ساعت 2 ... طول میشکسد»), as a duration of the fix
    assert "over-promise" in rules_found("رفع مشکل حدود ۲ ساعت زمان می‌برد.", "fa")
    assert "over-promise" not in rules_found("رفع مشکل حدود ۲ ساعت زمان برد.", "fa")


def test_persian_planned_cut_schedule_is_no_promise() -> None:
    # fa-tavanir-1 (good)
    text = "برق مشترکان محدوده بزرگراه فردا از ساعت ۰۷:۳۰ تا ۱۲:۳۰ قطع خواهد شد."
    assert "over-promise" not in rules_found(text, "fa")


def test_ukrainian_within_the_hour_promises() -> None:
    # uk-oschadbank-r2-2 («протягом найближчої години»), said «в межах години»
    assert "over-promise" in rules_found("Електропостачання буде відновлено в межах години.", "uk")


def test_ukrainian_future_passive_at_a_time_of_day_promises() -> None:
    # uk-r5-kopiyka-1's «час відновлення», given as a time: «буде відновлено» is no past
    text = "Орієнтовно о 15:00 водопостачання буде відновлено."
    assert "over-promise" in rules_found(text, "uk")


def test_ukrainian_restored_at_a_time_is_still_past() -> None:
    assert "over-promise" not in rules_found("Рух відновлено о 10:56.", "uk")


def test_ukrainian_how_long_the_restoration_takes_promises() -> None:
    assert "over-promise" in rules_found("Відновлення триватиме близько 2 годин.", "uk")


def test_ukrainian_end_of_a_planned_window_is_no_promise() -> None:
    # the shipped scheduled-maintenance runbook: the window's end is a schedule
    text = "Планові технічні роботи: початок — о 22:00, завершення — о 01:00."
    assert "over-promise" not in rules_found(text, "uk")


# jargon: the stack and the plant


def test_persian_network_hardware_is_jargon_but_routing_is_not() -> None:
    # fa-r5-alborz-1 («سوییچ»), another network device
    assert "jargon" in rules_found("به دلیل مشکل در روتر مرکزی، اینترنت مشترکان قطع شد.", "fa")
    assert "jargon" not in rules_found("مسیریابی ترافیک را تغییر دادیم.", "fa")


def test_persian_switchgear_is_jargon() -> None:
    # fa-r5-tozi-2 («پست‌های برق»), the switchgear inside them
    assert "jargon" in rules_found("به دلیل خرابی سکسیونر، برق منطقه قطع شد.", "fa")


def test_ukrainian_routers_caching_and_latency_are_jargon() -> None:
    # uk-oschadbank-r2-1 («сервери банку»), the rest of the stack
    assert "jargon" in rules_found(
        "Через збій маршрутизатора частина абонентів без інтернету.", "uk"
    )
    assert "jargon" in rules_found("Виникли проблеми з кешуванням даних.", "uk")


def test_ukrainian_error_number_after_inflected_error_is_jargon() -> None:
    assert "jargon" in rules_found("Сайт повертає помилку 502.", "uk")


def test_ukrainian_plant_initialisms_and_pressure_testing_are_jargon() -> None:
    # uk-r5-sumy-collector-1 («самопливного колектору діаметром 200 мм»), the plant's own words
    assert "jargon" in rules_found("Зупинено КНС-3 через знеструмлення.", "uk")
    assert "jargon" in rules_found("Проводиться опресування мереж теплопостачання.", "uk")


def test_ukrainian_a_sewer_pipe_is_no_jargon() -> None:
    # uk-r5-chernihivvodokanal-1 (good)
    text = (
        "Служба каналізаційних мереж обстежує місце аварії та з'ясовує розміри "
        "пошкодження труби колектору."
    )
    assert "jargon" not in rules_found(text, "uk")


# shouting: initialisms


def test_ukrainian_long_initialisms_and_card_brands_are_no_shouting() -> None:
    assert "shouting" not in rules_found("Рішення НКРЕКП набуде чинності з 1 січня.", "uk")
    assert "shouting" not in rules_found("Оплата карткою MASTERCARD не проходить.", "uk")


def test_ukrainian_short_ordinary_words_in_capitals_shout() -> None:
    # uk-diia-mp-1 («НЕ ПРАЦЮЄ»): «НЕ БУДЕ» shouts too
    assert "shouting" in rules_found("Світла НЕ БУДЕ до вечора.", "uk")


def test_persian_text_with_service_initialisms_is_no_shouting() -> None:
    assert "shouting" not in rules_found("سرویس‌های ADSL و VDSL و FTTH در دسترس نیست.", "fa")


# missing-part rules


def test_persian_utility_to_be_restored_acknowledges_and_says_impact() -> None:
    # fa-r5-gas-khomam-1: «... گاز تمامی مشترکان این‌خیابان وصل شود»
    text = (
        "در حال حاضر، مراحل پایانی کار درحال انجام است و پیش‌بینی می‌کنیم نهایتاً تا قبل از "
        "ساعت ۱۴ گاز تمامی مشترکان این‌خیابان وصل شود."
    )
    found = rules_found(text, "fa", phase=Phase.UPDATE)
    assert "missing-ack" not in found and "missing-impact" not in found


def test_persian_resolution_with_gardid_is_resolved() -> None:
    # fa-tci-jolfa-2 («مرتفع گردیده است»), other fix words with «گردید»
    assert "missing-resolution" not in rules_found(
        "مشکل قطعی آب رفع گردید.", "fa", phase=Phase.RESOLVED
    )
    assert "missing-resolution" not in rules_found(
        "سرویس‌دهی از سر گرفته شد.", "fa", phase=Phase.RESOLVED
    )


def test_ukrainian_resolution_in_other_words_is_resolved() -> None:
    # uk-r5-rivne-heat-1 («запущена в роботу у штатному режимі»)
    for text in (
        "Аварію ліквідовано, вода подається у штатному режимі.",
        "Рух поїздів нормалізовано.",
    ):
        assert "missing-resolution" not in rules_found(text, "uk", phase=Phase.RESOLVED)


def test_ukrainian_hourly_updates_say_when() -> None:
    text = "Без води 300 будинків. Інформацію оновлюватимемо щогодини."
    assert "missing-next-update" not in rules_found(text, "uk", phase=Phase.INVESTIGATING)


def test_ukrainian_update_promised_without_a_time_is_no_next_update() -> None:
    # uk-vodafone-4 («Про відновлення зв'язку проінформуємо додатково»)
    text = "Бригади працюють на місці. Про відновлення зв'язку проінформуємо додатково."
    assert "missing-next-update" in rules_found(text, "uk", phase=Phase.INVESTIGATING)


def test_persian_update_within_an_hour_in_words_says_when() -> None:
    text = "آب برخی مناطق قطع است. تا یک ساعت دیگر اطلاع‌رسانی خواهیم کرد."
    assert "missing-next-update" not in rules_found(text, "fa", phase=Phase.INVESTIGATING)


def test_ukrainian_service_stopped_says_impact() -> None:
    text = "Рух трамваїв зупинено. Наступне оновлення о 15:00."
    found = rules_found(text, "uk", phase=Phase.INVESTIGATING)
    assert "missing-impact" not in found and "missing-ack" not in found


def test_ukrainian_works_not_agreed_with_the_publisher_still_blame() -> None:
    # uk-r6-hadiachgaz-1: the publisher's own name inside the span is not the party blamed
    text = (
        "3 липня, під час проведення неузгоджених з ПрАТ «Гадячгаз» земельних робіт, технікою "
        "для риття траншей було пошкоджено газопровід."
    )
    assert "blame-shift" in rules_found(text, "uk", glossary=("Гадячгаз",))


def test_ukrainian_window_of_planned_works_is_no_promise() -> None:
    # uk-r5-zhytomyr-1 (good): «з 10:00 і орієнтовно до 21:00» is a schedule
    text = "Завтра з 10:00 і орієнтовно до 21:00, на час виконання робіт, води не буде."
    assert "over-promise" not in rules_found(text, "uk")


def test_persian_this_operator_is_the_publisher_itself() -> None:
    # fa-r5-mci-billing-1 (good): «این اپراتور» is the publisher, no third party to blame
    text = (
        "در پی بروز مشکل فنی در سامانه صورتحساب گیری که منجر به صدور صورتحساب نادرست برای "
        "مشترکان اپراتور اول شده بود، این اپراتور برای مشترکان هدیه در نظر گرفته است."
    )
    assert "blame-shift" not in rules_found(text, "fa")


def test_persian_database_is_jargon_and_no_bank() -> None:
    # fa-tci-jolfa-1 («سرور پخش پیام»), a database by its Persian name
    found = rules_found("خرابی بانک اطلاعاتی باعث اختلال شد.", "fa")
    assert "jargon" in found and "blame-shift" not in found


def test_ukrainian_within_the_day_promises() -> None:
    # uk-r4-kyivstar-1 («сьогодні у другій половині дня ... почнемо відновлення»)
    assert "over-promise" in rules_found("Відновимо електропостачання протягом дня.", "uk")


def test_ukrainian_pressures_and_nominal_diameters_are_jargon() -> None:
    # uk-r5-sumy-collector-1 («діаметром 200 мм»), written as a nominal diameter or a pressure
    assert "jargon" in rules_found("Пошкоджено водовід Ду-500.", "uk")
    assert "jargon" in rules_found("Тиск у мережі знизився до 2 атм.", "uk")


def test_ukrainian_update_named_with_its_time_says_when() -> None:
    text = "Без світла 3 черги. Оновлення — о 16:00."
    assert "missing-next-update" not in rules_found(text, "uk", phase=Phase.INVESTIGATING)


def test_persian_supplementary_notice_with_its_time_says_when() -> None:
    text = "آب برخی مناطق قطع است. اطلاعیه تکمیلی ساعت ۱۸ منتشر می‌شود."
    assert "missing-next-update" not in rules_found(text, "fa", phase=Phase.INVESTIGATING)
