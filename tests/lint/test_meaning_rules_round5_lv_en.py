"""Round 5 of the meaning rules for Latvian and English (issue #15): where the cause is put,
future times, jargon classes, resolutions and impact in other words, each with a real short
phrase of its class from the tuning part of the corpus (communication-guide.md, "What each
phrase rule means on real messages")."""

from __future__ import annotations

from outagecomms.models import Phase
from tests.lint.test_meaning_rules import rules_found

# en blame-shift: "upstream" names the provider, and waiting on its fix puts the cause there


def test_an_issue_said_to_be_upstream_is_blame() -> None:
    found = rules_found("Issue looks upstream and we await response from their techs.", "en")
    assert "blame-shift" in found


def test_an_upstream_service_interruption_is_blame() -> None:
    found = rules_found("Due to an upstream service interruption updates are unavailable.", "en")
    assert "blame-shift" in found


def test_upstream_is_not_jargon() -> None:
    found = rules_found("Due to an upstream service interruption updates are unavailable.", "en")
    assert "jargon" not in found


def test_our_own_upstream_internal_service_is_no_blame() -> None:
    text = "A few servers became unable to connect to an upstream internal service."
    assert "blame-shift" not in rules_found(text, "en")


def test_awaiting_the_vendors_fix_is_blame() -> None:
    found = rules_found("We have made the vendor aware and are awaiting a fix.", "en")
    assert "blame-shift" in found


def test_working_with_a_provider_is_still_no_blame() -> None:
    text = "We are working with our payment provider to restore card payments."
    assert "blame-shift" not in rules_found(text, "en")


# en over-promise: a hoped-for finish today promises; a deadline on a named day does not


def test_hoping_to_be_done_by_a_time_tonight_over_promises() -> None:
    found = rules_found("Hoping to have this done by 7pm tonight.", "en")
    assert "over-promise" in found


def test_hopefully_done_before_lunch_over_promises() -> None:
    assert "over-promise" in rules_found("Hopefully will be done before lunch.", "en")


def test_a_fix_due_on_a_named_day_and_date_is_no_over_promise() -> None:
    text = "We've identified the cause and expect to release a fix by 8 a.m. Wed., Oct. 24."
    assert "over-promise" not in rules_found(text, "en")


def test_a_fix_due_by_a_time_today_still_over_promises() -> None:
    text = "We've identified the cause and expect to release a fix by 3pm."
    assert "over-promise" in rules_found(text, "en")


# en jargon: classes of what the services run on


def test_hypervisors_are_jargon() -> None:
    assert "jargon" in rules_found("We will be upgrading our hypervisors tonight.", "en")


def test_a_message_queueing_instance_is_jargon() -> None:
    text = "We cleared a backlog of system messages on the message queueing instance."
    assert "jargon" in rules_found(text, "en")


def test_a_cloud_database_product_by_its_initials_is_jargon() -> None:
    text = "We worked on restoring the records for all accounts from our RDS backup."
    assert "jargon" in rules_found(text, "en")


def test_a_failing_network_switch_is_jargon() -> None:
    text = "We are removing the location due to recurring issues with a failing switch."
    assert "jargon" in rules_found(text, "en")


def test_switching_to_another_route_is_no_jargon() -> None:
    assert "jargon" not in rules_found("You can switch to the mobile app meanwhile.", "en")


# en missing-resolution: the outcome said in other words


def test_no_longer_exhibiting_says_it_is_resolved() -> None:
    found = rules_found("The behavior is no longer exhibiting.", "en", phase=Phase.RESOLVED)
    assert "missing-resolution" not in found


def test_all_sites_should_be_online_says_it_is_resolved() -> None:
    text = "All sites should be online. Please reach out to us if this is not the case."
    assert "missing-resolution" not in rules_found(text, "en", phase=Phase.RESOLVED)


def test_an_attack_that_has_been_mitigated_is_resolved() -> None:
    text = "At this time the attack has been mitigated."
    assert "missing-resolution" not in rules_found(text, "en", phase=Phase.RESOLVED)


def test_the_upgrade_is_now_complete_says_it_is_resolved() -> None:
    found = rules_found("The upgrade is now complete.", "en", phase=Phase.RESOLVED)
    assert "missing-resolution" not in found


def test_all_done_says_it_is_resolved() -> None:
    text = "All done. If you have any issues please let us know."
    found = rules_found(text, "en", phase=Phase.RESOLVED)
    assert "missing-resolution" not in found


def test_a_message_without_an_outcome_still_misses_the_resolution() -> None:
    found = rules_found("We are looking into the login errors.", "en", phase=Phase.RESOLVED)
    assert "missing-resolution" in found


# lv blame-shift: someone else's works, a certificate issuer, "not us but AS “X”"


def test_latvian_pipes_torn_while_a_street_is_rebuilt_is_blame() -> None:
    text = "Komunikācijas pārrautas, īstenojot Neretas, Prohorova un Garozas ielas rekonstrukciju."
    assert "blame-shift" in rules_found(text, "lv")


def test_latvian_pipes_torn_while_a_street_is_rebuilt_without_diacritics_is_blame() -> None:
    text = "Komunikacijas parrautas, istenojot Neretas un Garozas ielas rekonstrukciju."
    assert "blame-shift" in rules_found(text, "lv")


def test_latvian_another_named_companys_repair_works_are_blame() -> None:
    text = "Posmā, kur VAS “Latvijas dzelzceļš” (LDz) veic remontdarbus, pieejams viens ceļš."
    assert "blame-shift" in rules_found(text, "lv")


def test_latvian_a_failure_at_the_certificate_issuer_is_blame() -> None:
    text = "Drošības sertifikāta izdevējam radās kļūda, kas ietekmēja mūsu pakalpojumus."
    assert "blame-shift" in rules_found(text, "lv")


def test_latvian_residents_mistaking_another_company_for_us_is_blame() -> None:
    text = "Ēkas apkalpo cits uzņēmums, kuru iedzīvotāji bieži sajauc ar AS “Rīgas siltums”."
    assert "blame-shift" in rules_found(text, "lv")


def test_latvian_a_manufacturers_unreliable_forecasts_are_blame() -> None:
    text = "Neraugoties uz centieniem, “Pratt & Whitney” prognozes ir izrādījušās ļoti mainīgas."
    assert "blame-shift" in rules_found(text, "lv")


def test_latvian_our_own_repair_works_are_no_blame() -> None:
    text = "Veicam remontdarbus, tāpēc ūdens padeve ir pārtraukta līdz vakaram."
    assert "blame-shift" not in rules_found(text, "lv")


# lv over-promise: approximate short future times, not past ones


def test_latvian_a_fix_within_a_couple_of_hours_over_promises() -> None:
    text = "Ūdens piegādi varētu atjaunot pāris stundu laikā."
    assert "over-promise" in rules_found(text, "lv")


def test_latvian_a_fix_within_a_couple_of_hours_without_diacritics_over_promises() -> None:
    assert "over-promise" in rules_found("Udens piegadi varetu atjaunot paris stundu laika.", "lv")


def test_latvian_a_problem_solved_within_hours_in_the_past_is_no_over_promise() -> None:
    text = "Ekspertiem izdevās problēmu identificēt un atrisināt dažu stundu laikā."
    assert "over-promise" not in rules_found(text, "lv")


# lv jargon: caching, raw error numbers, data-centre moves


def test_latvian_cache_problems_are_jargon() -> None:
    text = "Sakarā ar kešatmiņas problēmām novēršanai vajadzēs līdz pat 4 dienām."
    assert "jargon" in rules_found(text, "lv")


def test_latvian_cache_without_diacritics_is_jargon() -> None:
    assert "jargon" in rules_found("Lūdzu, attīriet kesatminu un mēģiniet vēlreiz.", "lv")


def test_latvian_a_raw_error_number_is_jargon() -> None:
    text = "Sludinājuma izvietošana varēja neizdoties – parādījās kļūdas ziņojums 801."
    assert "jargon" in rules_found(text, "lv")


def test_latvian_a_move_to_a_new_data_centre_is_jargon() -> None:
    text = "Problēma radās pēc pakalpojuma migrācijas uz jaunu datu centru."
    assert "jargon" in rules_found(text, "lv")


# lv missing-impact: a service's restoration and something not done yet are impact


def test_latvian_the_restoration_of_water_supply_is_impact() -> None:
    text = "Par avārijas novēršanas darbu gaitu un ūdens padeves atjaunošanu informācija sekos."
    assert "missing-impact" not in rules_found(text, "lv", phase=Phase.INVESTIGATING)


def test_latvian_results_not_updated_yet_are_impact() -> None:
    text = "Testi, ko kandidāti veica svētdien, vēl nav atjaunināti sistēmā."
    assert "missing-impact" not in rules_found(text, "lv", phase=Phase.UPDATE)


def test_latvian_the_issue_alone_is_still_no_impact() -> None:
    found = rules_found("Mēs pētām šo jautājumu.", "lv", phase=Phase.INVESTIGATING)
    assert "missing-impact" in found
