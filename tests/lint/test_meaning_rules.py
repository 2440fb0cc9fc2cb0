"""The tone rules read meaning: formula families, cause attribution, future times, initialisms,
the project's glossary, resolution in other words (communication-guide.md, "What each phrase
rule means on real messages")."""

from __future__ import annotations

from outagecomms.lint.lexicon import load_lexicon
from outagecomms.lint.rules import MessageContext, check_text
from outagecomms.models import Phase


def rules_found(
    text: str, lang: str, *, phase: Phase | None = None, glossary: tuple[str, ...] = ()
) -> list[str]:
    context = MessageContext(lang, phase=phase, glossary=glossary)
    return [f.rule for f in check_text(text, load_lexicon(lang), context)]


# cliche-apology: families, typos, diacritics


def test_persian_apology_formula_matches_in_any_order() -> None:
    assert "cliche-apology" in rules_found("پوزش می‌خواهیم از اختلال پیش آمده.", "fa")


def test_persian_apology_formula_matches_written_without_zwnj() -> None:
    assert "cliche-apology" in rules_found("ما بابت این خطا پوزش میخواهیم.", "fa")


def test_persian_apology_formula_survives_a_typo() -> None:
    assert "cliche-apology" in rules_found("بابت هرگونه نارحتی پوزش می‌خواهیم.", "fa")


def test_english_apology_formula_matches_in_any_order() -> None:
    found = rules_found("Any inconvenience this caused, we sincerely apologize for.", "en")
    assert "cliche-apology" in found


def test_english_apology_formula_survives_a_typo() -> None:
    assert "cliche-apology" in rules_found("We apologise for any inconveniance.", "en")


def test_ukrainian_apology_formula_survives_a_typo() -> None:
    assert "cliche-apology" in rules_found("Перепрошуємо за тимчасові незручості.", "uk")


def test_latvian_apology_formula_matches_without_diacritics() -> None:
    assert "cliche-apology" in rules_found("Atvainojamies par sagadatajam neertibam.", "lv")


# blame-shift: where the cause is put


def test_a_cause_put_on_a_hosting_vendor_is_blame() -> None:
    found = rules_found("The outage was caused by an issue at our hosting vendor.", "en")
    assert "blame-shift" in found


def test_a_fault_at_an_external_partner_is_blame() -> None:
    found = rules_found("A fault at an external partner left card payments failing.", "en")
    assert "blame-shift" in found


def test_owning_the_outcome_makes_naming_a_supplier_no_blame() -> None:
    text = "Our payment provider had an outage, and that is on us: we relied on one provider."
    assert "blame-shift" not in rules_found(text, "en")


def test_ukrainian_reasons_outside_our_control_are_blame() -> None:
    found = rules_found("Зв'язку немає з незалежних від нас причин.", "uk")
    assert "blame-shift" in found


def test_a_named_company_right_after_a_cause_is_blame() -> None:
    found = rules_found('Traucējumus izraisīja AS "Piegādes tīkls" bojājums.', "lv")
    assert "blame-shift" in found


def test_latvian_blame_is_found_without_diacritics() -> None:
    assert "blame-shift" in rules_found("Traucejumi radas piegadataja vainas del.", "lv")


def test_a_bank_writing_about_its_own_systems_blames_nobody() -> None:
    assert "blame-shift" not in rules_found("سامانه‌های بانک امشب قطع شد.", "fa")


# over-promise: only the future


def test_a_past_duration_is_no_over_promise() -> None:
    assert "over-promise" not in rules_found("We restored the service within 2 hours.", "en")


def test_a_persian_past_duration_is_no_over_promise() -> None:
    text = "ارتباط برای حدود ۵ دقیقه قطع شد و ظرف ۱۰ دقیقه برطرف شد."
    assert "over-promise" not in rules_found(text, "fa")


def test_a_recurring_interval_is_no_over_promise() -> None:
    text = "Informācija kartē atjaunojas ik pēc 15 minūtēm."
    assert "over-promise" not in rules_found(text, "lv")


def test_an_approximate_estimate_is_an_over_promise() -> None:
    text = "Estimated time to clear the backlog: ~35 minutes."
    assert "over-promise" in rules_found(text, "en")


def test_a_hoped_for_clock_time_is_an_over_promise() -> None:
    text = "Payments should be working again, hopefully by 15:30."
    assert "over-promise" in rules_found(text, "en")


def test_a_fix_by_this_evening_is_an_over_promise() -> None:
    assert "over-promise" in rules_found("Bojājums līdz vakaram tiks novērsts.", "lv")


# shouting: acronyms and initialisms are not


def test_a_known_acronym_is_not_shouting() -> None:
    text = "Payments via SEPA and card payments at POS terminals are unaffected."
    assert "shouting" not in rules_found(text, "en")


def test_an_initialism_without_vowels_is_not_shouting() -> None:
    assert "shouting" not in rules_found("LVRTC informē par plānotiem darbiem.", "lv")


def test_a_short_cyrillic_initialism_is_not_shouting() -> None:
    assert "shouting" not in rules_found("Якщо ні, зверніться до ОСББ.", "uk")


def test_a_product_name_in_the_glossary_is_not_shouting() -> None:
    found = rules_found("ACMEPAY is back for everyone.", "en", glossary=("AcmePay",))
    assert "shouting" not in found


# jargon: the audience's words


def test_a_glossary_word_is_not_jargon() -> None:
    found = rules_found("Some shards are restarting; you may be moved.", "en", glossary=("shards",))
    assert "jargon" not in found


def test_a_domain_without_a_scheme_is_not_jargon() -> None:
    found = rules_found("Follow status.database-hosting.com for news.", "en")
    assert "jargon" not in found


def test_bare_http_status_codes_are_jargon() -> None:
    assert "jargon" in rules_found("Some requests return 503/504s.", "en")


def test_caching_is_jargon() -> None:
    assert "jargon" in rules_found("Our caching layer did not work as expected.", "en")


def test_a_word_in_scare_quotes_is_not_jargon() -> None:
    text = 'Аналогічний "тайм-аут" триватиме у роботі банкоматів.'
    assert "jargon" not in rules_found(text, "uk")


# missing parts: meaning, not one phrasing


def test_maintenance_complete_says_it_is_resolved() -> None:
    found = rules_found("Maintenance complete! Enjoy the game.", "en", phase=Phase.RESOLVED)
    assert "missing-resolution" not in found


def test_a_latvian_service_that_resumed_is_resolved() -> None:
    found = rules_found("Skrejceļš ir atsācis darbu.", "lv", phase=Phase.RESOLVED)
    assert "missing-resolution" not in found


def test_a_promised_incident_report_is_no_next_update() -> None:
    text = "Payments are working again. We will post a full incident report tomorrow."
    assert "missing-resolution" not in rules_found(text, "en", phase=Phase.RESOLVED)


def test_a_next_update_must_say_when() -> None:
    text = "We are investigating slow logins. We will update you as we learn more."
    assert "missing-next-update" in rules_found(text, "en", phase=Phase.INVESTIGATING)


def test_vague_but_honest_impact_wording_is_impact() -> None:
    text = "Users may be having issues accessing the dashboard. Next update at 14:30 UTC."
    assert "missing-impact" not in rules_found(text, "en", phase=Phase.INVESTIGATING)


# flat-no and apology-count


def test_an_impersonal_impossibility_is_no_refusal() -> None:
    text = "Sistēmai nav iespējams pieslēgties, jo parole vairs netiek pieņemta."
    assert "flat-no" not in rules_found(text, "lv")


def test_a_ukrainian_we_have_no_way_is_a_refusal() -> None:
    assert "flat-no" in rules_found("У нас немає можливості відновити роботу мережі.", "uk")


def test_persian_unfortunately_is_not_counted_as_an_apology() -> None:
    text = "متاسفانه سامانه قطع شد؛ از این بابت پوزش می‌خواهیم."
    assert "apology-count" not in rules_found(text, "fa")


def test_a_supplier_named_as_information_is_no_blame() -> None:
    text = "Sadarbībā ar partneriem novēršam kļūmes."
    assert "blame-shift" not in rules_found(text, "lv")


def test_saying_what_is_blocked_acknowledges_the_problem() -> None:
    text = "We know this blocked checkouts at a busy time. Next update within the hour."
    assert "missing-ack" not in rules_found(text, "en", phase=Phase.UPDATE)


# blame-shift: the publisher's own infrastructure is not a third party


def test_a_failure_in_our_own_data_centers_is_not_blame() -> None:
    text = "The outage came from a failure within our data centers."
    assert "blame-shift" not in rules_found(text, "en")


def test_naming_our_own_data_centers_again_later_is_not_blame() -> None:
    text = "The cause was inside our data centers. Data centers fail over when a system fails."
    assert "blame-shift" not in rules_found(text, "en")


def test_our_provider_is_still_a_third_party() -> None:
    text = "The root cause was a failure at our hosting provider."
    assert "blame-shift" in rules_found(text, "en")


def test_latvian_own_data_centre_failure_is_not_blame() -> None:
    text = "Traucējumus izraisīja avārija mūsu datu centrā."
    assert "blame-shift" not in rules_found(text, "lv")


def test_latvian_supply_chain_problems_as_the_cause_are_blame() -> None:
    text = "Piegāžu ķēžu problēmas ir ietekmējušas lidmašīnu pieejamību."
    assert "blame-shift" in rules_found(text, "lv")


def test_ukrainian_supply_chain_failure_as_the_cause_is_blame() -> None:
    text = "Затримки спричинені збоєм у ланцюгу постачання."
    assert "blame-shift" in rules_found(text, "uk")


# jargon: a word is jargon only in its technical sense


def test_latvian_placing_road_signs_is_not_a_deployment() -> None:
    text = "Bez ceļazīmju izvietošanas rakt nedrīkst."
    assert "jargon" not in rules_found(text, "lv")


def test_latvian_software_deployment_is_jargon() -> None:
    text = "Traucējumus radīja programmatūras izvietošana."
    assert "jargon" in rules_found(text, "lv")


# issue #15, third pass: supplies, orders, consequences, unquoted names, conditions, denials


def test_sorry_for_the_hassle_is_the_generic_formula() -> None:
    assert "cliche-apology" in rules_found("We're sorry for the hassle this caused.", "en")


def test_a_customer_side_cause_is_no_blame_shift() -> None:
    text = "Some of you thought your browser was to blame; it was not."
    assert "blame-shift" not in rules_found(text, "en")


def test_a_fix_said_not_to_come_today_is_no_over_promise() -> None:
    text = "The dashboard will not be fixed today; we will write again tomorrow morning."
    assert "over-promise" not in rules_found(text, "en")


def test_a_latvian_fix_said_not_to_come_by_evening_is_no_over_promise() -> None:
    assert "over-promise" not in rules_found("Bojājums līdz vakaram netiks novērsts.", "lv")


def test_a_late_delivery_of_parts_is_a_supplier_cause() -> None:
    text = "Timetables changed because the delivery of spare parts is late."
    assert "blame-shift" in rules_found(text, "en")


def test_another_companys_deliveries_are_a_supplier_cause() -> None:
    text = "Production problems have again delayed Acme's deliveries of new trains."
    assert "blame-shift" in rules_found(text, "en")


def test_persian_fuel_delivered_to_power_plants_is_a_supplier_cause() -> None:
    text = "به دلیل کاهش سوخت تحویلی به نیروگاه‌ها، برق برخی مناطق قطع شد."
    assert "blame-shift" in rules_found(text, "fa")


def test_ukrainian_delayed_engine_deliveries_are_a_supplier_cause() -> None:
    assert "blame-shift" in rules_found("Рейси скасовано через затримки поставок двигунів.", "uk")


def test_latvian_fuel_deliveries_are_a_supplier_cause() -> None:
    assert "blame-shift" in rules_found("Reisi atcelti degvielas piegāžu dēļ.", "lv")


def test_persian_contractors_destroying_a_line_is_blame() -> None:
    text = "پیمانکاران راه‌سازی مسیر فیبر نوری را تخریب کردند."
    assert "blame-shift" in rules_found(text, "fa")


def test_a_consequence_connective_makes_the_supplier_the_cause() -> None:
    text = "Our vendor changed its settings, which means the app shows old balances."
    assert "blame-shift" in rules_found(text, "en")


def test_latvian_kas_nozime_makes_the_supplier_the_cause() -> None:
    text = "Piegādātājs mainīja grafiku, kas nozīmē, ka vilcieni kavēsies."
    assert "blame-shift" in rules_found(text, "lv")


def test_an_order_from_another_company_is_its_cause() -> None:
    text = "Графіки запроваджено за командою «Енергокомпанії»."
    assert "blame-shift" in rules_found(text, "uk")


def test_an_unquoted_initialism_after_a_failure_is_a_company_to_blame() -> None:
    text = "Воду не подають: аварія в мережах ОЕК залишила насосні без живлення."
    assert "blame-shift" in rules_found(text, "uk")


def test_a_latvian_initialism_after_a_failure_is_a_company_to_blame() -> None:
    assert "blame-shift" in rules_found("Maksājumi kavējas kļūmes ZTR sistēmā dēļ.", "lv")


def test_a_generic_acronym_after_a_failure_is_no_company() -> None:
    assert "blame-shift" not in rules_found("An error in SMS delivery delayed codes.", "en")


def test_a_company_inside_a_conditional_clause_is_not_blamed() -> None:
    text = "Графіки застосовуватимуть лише в разі дефіциту та після команди «Енергокомпанії»."
    assert "blame-shift" not in rules_found(text, "uk")


def test_a_persian_phrase_matches_its_ezafe_form() -> None:
    assert "jargon" in rules_found("شبکه توزیع محتوای سایت از دسترس خارج شد.", "fa")


def test_restoring_the_service_acknowledges_a_problem() -> None:
    text = "Work continues to restore the service. Next update at 15:00 UTC."
    assert "missing-ack" not in rules_found(text, "en", phase=Phase.UPDATE)


def test_payments_expected_to_normalise_is_impact() -> None:
    text = "We expect card payments to normalise soon. Next update at 15:00 UTC."
    assert "missing-impact" not in rules_found(text, "en", phase=Phase.UPDATE)
