"""The tone rules read meaning, fourth pass (issue #15, round 4): sentences and clauses as
they are written, generic nouns in the apology formula, someone else's work and "extraordinary
circumstances" as causes, and fixes, impact and resolutions in other words."""

from __future__ import annotations

from outagecomms.lint.lexicon import load_lexicon
from outagecomms.lint.rules import MessageContext, check_text, prepare
from outagecomms.models import Phase


def rules_found(
    text: str, lang: str, *, phase: Phase | None = None, glossary: tuple[str, ...] = ()
) -> list[str]:
    context = MessageContext(lang, phase=phase, glossary=glossary)
    return [f.rule for f in check_text(text, load_lexicon(lang), context)]


# sentences and clauses


def test_an_ordinal_dot_ends_no_sentence() -> None:
    assert "2025." not in prepare("Kavējumi būs arī 2025. gadā, kas nozīmē ...", "lv").text


def test_a_dot_after_a_number_before_a_capital_still_ends_the_sentence() -> None:
    assert "15." in prepare("Viss strādā kopš 15. Paldies!", "lv").text.upper()


def test_a_future_fix_after_a_past_clause_over_promises() -> None:
    text = "Most users were fixed yesterday and the rest will be back by 15:00."
    assert "over-promise" in rules_found(text, "en")


def test_a_persian_future_fix_after_a_past_clause_over_promises() -> None:
    text = "مشکل بیشتر مشترکان دیروز حل شد و تا ظهر امروز بقیه برطرف خواهد شد."
    assert "over-promise" in rules_found(text, "fa")


def test_a_past_fix_within_a_time_is_still_no_over_promise() -> None:
    assert "over-promise" not in rules_found(
        "We restored it within 2 hours and we are sorry.", "en"
    )


# cliche-apology


def test_apologising_for_any_service_interruption_is_the_generic_formula() -> None:
    assert "cliche-apology" in rules_found("We apologize for any service interruption.", "en")


def test_apologising_for_the_impact_is_the_generic_formula() -> None:
    assert "cliche-apology" in rules_found("We apologise for the impact this caused.", "en")


def test_an_apology_that_says_what_it_is_for_passes() -> None:
    text = "We are sorry that the outage stopped your payroll run on Friday."
    assert "cliche-apology" not in rules_found(text, "en")


def test_an_apology_formula_glued_to_the_word_before_it_is_still_the_formula() -> None:
    assert "cliche-apology" in rules_found("Uzņēmumsatvainojas par sagādātajām neērtībām.", "lv")


# blame-shift


def test_someone_elses_digging_that_damaged_a_line_is_a_cause_put_on_others() -> None:
    assert "blame-shift" in rules_found("Roadworks nearby damaged the fibre line.", "en")


def test_latvian_digging_works_that_cut_a_cable_are_a_cause_put_on_others() -> None:
    assert "blame-shift" in rules_found("Rakšanas darbu laikā tika pārrakts kabelis.", "lv")


def test_ukrainian_earthworks_that_damaged_a_cable_are_a_cause_put_on_others() -> None:
    assert "blame-shift" in rules_found("Під час земляних робіт пошкодили кабель.", "uk")


def test_persian_digging_by_another_company_is_a_cause_put_on_others() -> None:
    assert "blame-shift" in rules_found("بر اثر حفاری شرکت آب کابل آسیب دید.", "fa")


def test_extraordinary_circumstances_are_outside_our_control_in_legal_words() -> None:
    assert "blame-shift" in rules_found(
        "Flights were cancelled due to extraordinary circumstances.", "en"
    )
    assert "blame-shift" in rules_found("Reisi atcelti ārkārtēju apstākļu dēļ.", "lv")


def test_a_failure_on_the_part_of_a_company_puts_the_cause_on_it() -> None:
    text = "Через відключення електроенергії з боку ДТЕК насоси не працюють."
    assert "blame-shift" in rules_found(text, "uk")


def test_working_in_tandem_with_a_vendor_is_information_not_blame() -> None:
    text = "We worked in tandem with our vendor to fix the outage."
    assert "blame-shift" not in rules_found(text, "en")


def test_a_well_known_host_by_name_is_a_third_party() -> None:
    assert "blame-shift" in rules_found("The outage was caused by a fault at Linode.", "en")


# jargon


def test_a_burst_of_network_traffic_is_jargon() -> None:
    assert "jargon" in rules_found("A burst of traffic slowed the site.", "en")


def test_road_traffic_and_routing_traffic_are_no_jargon() -> None:
    assert "jargon" not in rules_found("Road traffic is heavy, so our engineer is late.", "en")
    assert "jargon" not in rules_found("We changed how we route traffic.", "en")


# over-promise


def test_ukrainian_within_the_next_hour_is_a_short_future_time() -> None:
    text = "Усі послуги мають бути відновлені протягом найближчої години."
    assert "over-promise" in rules_found(text, "uk")


def test_persian_within_a_few_hours_is_a_short_future_time() -> None:
    assert "over-promise" in rules_found("قطعی‌ها تا چند ساعت آینده رفع خواهند شد.", "fa")


def test_a_resolution_by_an_hour_is_a_promised_fix_time() -> None:
    text = "The worst case resolution timeline is by 6 AM PST."
    assert "over-promise" in rules_found(text, "en")


# missing parts in other words


def test_a_deployed_permanent_fix_says_it_is_resolved() -> None:
    found = rules_found("A permanent fix has been deployed.", "en", phase=Phase.RESOLVED)
    assert "missing-resolution" not in found


def test_persian_connected_again_says_it_is_resolved() -> None:
    found = rules_found("ارتباط تلفنی مشترکان وصل شد.", "fa", phase=Phase.RESOLVED)
    assert "missing-resolution" not in found


def test_connectivity_issues_are_an_impact() -> None:
    text = "We are investigating connectivity issues. Next update at 14:00 UTC."
    assert "missing-impact" not in rules_found(text, "en", phase=Phase.INVESTIGATING)


def test_issues_impacting_a_product_are_an_impact() -> None:
    text = "We are fixing the issues impacting Checkout. Next update at 14:00 UTC."
    found = rules_found(text, "en", phase=Phase.UPDATE, glossary=("Checkout",))
    assert "missing-impact" not in found
