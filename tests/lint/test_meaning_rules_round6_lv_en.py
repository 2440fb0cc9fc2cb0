"""Round 6 of the meaning rules for Latvian and English (issue #15): resolutions and impact said
in other words, someone else's service named by its kind, a part that did not do its job,
someone else's works, and "within this day", each with a real short phrase of its class from the
tuning part of the corpus (communication-guide.md, "What each phrase rule means on real
messages")."""

from __future__ import annotations

from outagecomms.models import Phase
from tests.lint.test_meaning_rules import rules_found

# en missing-resolution: the outcome in other words


def test_running_normally_again_is_a_resolution() -> None:
    text = "Update 11:04 UTC: All systems are running normally again."
    assert "missing-resolution" not in rules_found(text, "en", phase=Phase.RESOLVED)


def test_operating_as_usual_is_a_resolution() -> None:
    text = "The payment service is operating as usual."
    assert "missing-resolution" not in rules_found(text, "en", phase=Phase.RESOLVED)


def test_no_issues_anymore_is_a_resolution() -> None:
    text = "The error rate has dropped and we dont see any issues anymore."
    assert "missing-resolution" not in rules_found(text, "en", phase=Phase.RESOLVED)


def test_a_fix_and_success_since_is_a_resolution() -> None:
    text = "We've implemented a hot fix, and since then all incoming data has been processed."
    assert "missing-resolution" not in rules_found(text, "en", phase=Phase.RESOLVED)


def test_a_fix_still_being_worked_on_is_no_resolution() -> None:
    text = "We are still working on a fix for the login page."
    assert "missing-resolution" in rules_found(text, "en", phase=Phase.RESOLVED)


# en missing-impact: a service down whatever the adverb, an action that may not work


def test_a_dashboard_mostly_down_is_impact() -> None:
    text = "Our dashboard and public websites are mostly down. We are investigating the issue."
    assert "missing-impact" not in rules_found(text, "en", phase=Phase.INVESTIGATING)


def test_a_dashboard_temporarily_down_is_impact() -> None:
    text = "The dashboard is temporarily down since 11:59 UTC."
    assert "missing-impact" not in rules_found(text, "en", phase=Phase.INVESTIGATING)


def test_uploads_that_might_not_work_are_impact() -> None:
    text = "Uploading and fetching assets might not work as expected."
    assert "missing-impact" not in rules_found(text, "en", phase=Phase.INVESTIGATING)


def test_an_issue_alone_is_still_no_impact() -> None:
    text = "We are investigating the issue."
    assert "missing-impact" in rules_found(text, "en", phase=Phase.INVESTIGATING)


# en blame-shift: someone else's service named by its kind


def test_an_external_service_with_issues_is_blame() -> None:
    text = "Our external service used for Asset handling is currently experiencing issues."
    assert "blame-shift" in rules_found(text, "en")


def test_errors_generated_within_the_cdn_are_blame() -> None:
    text = "Investigation suggests that these errors were generated within the CDN."
    assert "blame-shift" in rules_found(text, "en")


def test_a_problem_at_the_hosting_platform_is_blame() -> None:
    text = "A problem at our hosting platform caused the outage."
    assert "blame-shift" in rules_found(text, "en")


def test_an_external_service_without_a_failure_is_no_blame() -> None:
    text = "Payments are handled by an external service."
    assert "blame-shift" not in rules_found(text, "en")


# en jargon and blame-shift: a protocol in capitals is a technical term, not an organisation


def test_a_directory_protocol_is_jargon() -> None:
    text = "Users are unable to log in due to an error handling LDAP requests."
    assert "jargon" in rules_found(text, "en")


def test_a_protocol_in_capitals_is_no_company_to_blame() -> None:
    text = "Users are unable to log in due to an error handling LDAP requests."
    assert "blame-shift" not in rules_found(text, "en")


def test_an_unknown_initialism_after_a_cause_is_still_a_company() -> None:
    text = "The outage was caused by XYZT, our card processor."
    assert "blame-shift" in rules_found(text, "en")


# lv blame-shift: a part that did not do its job, someone else's works


def test_a_suppliers_alarm_that_did_not_go_off_is_blame() -> None:
    text = (
        "Tele2 ir pieprasījis paskaidrojumus no dzesināšanas sistēmas piegādātāja, kura "
        "sistēmā iekļautā temperatūras signalizācija savlaicīgi nenostrādāja."
    )
    assert "blame-shift" in rules_found(text, "lv")


def test_a_cable_dug_through_during_unagreed_works_is_blame() -> None:
    text = (
        "Pārtraukumu izraisīja nesaskaņotu kanalizācijas tīkla izbūves darbu laikā "
        "pārrakta kabeļu līnija."
    )
    assert "blame-shift" in rules_found(text, "lv")


def test_a_cable_dug_through_during_unagreed_works_without_diacritics_is_blame() -> None:
    text = "Partraukumu izraisija nesaskanotu tikla izbuves darbu laika parrakta kabelu linija."
    assert "blame-shift" in rules_found(text, "lv")


def test_our_own_planned_works_are_no_blame() -> None:
    text = "Plānoto remontdarbu laikā ūdens padeve būs pārtraukta līdz plkst. 15."
    assert "blame-shift" not in rules_found(text, "lv")


# lv over-promise: within this day


def test_restoration_within_this_day_is_an_over_promise() -> None:
    text = "Šobrīd tiek prognozēts, ka ūdens atjaunošana notiks šīs dienas laikā."
    assert "over-promise" in rules_found(text, "lv")


def test_a_past_restoration_the_same_day_is_no_over_promise() -> None:
    text = "Ūdens padeve tika atjaunota tās pašas dienas laikā."
    assert "over-promise" not in rules_found(text, "lv")


# lv missing-impact and missing-resolution: a utility's restoration, restored in a past person


def test_waters_restoration_is_impact() -> None:
    text = "Joprojām notiek darbs, ūdens atjaunošana notiks vēlāk."
    assert "missing-impact" not in rules_found(text, "lv", phase=Phase.UPDATE)


def test_we_restored_is_a_resolution() -> None:
    text = "«Avārijas pieteikumu saņēmām ap pulksten 15, bet ap 19 ūdens padevi jau atjaunojām»"
    assert "missing-resolution" not in rules_found(text, "lv", phase=Phase.RESOLVED)


def test_routes_running_again_are_a_resolution() -> None:
    text = "Visi minētie maršruti atkal kursē pa savu pamata maršrutu."
    assert "missing-resolution" not in rules_found(text, "lv", phase=Phase.RESOLVED)
