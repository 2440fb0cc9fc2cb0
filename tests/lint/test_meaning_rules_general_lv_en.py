"""The meaning rules made general for Latvian and English (issue #15, after round 6): each test
is one behaviour, with a real message of the tuning part of the corpus (its id in the test's
comment) where the tuning part has one of that class; the few without one say so and use a
sentence of the class written for the test (communication-guide.md, "What each phrase rule
means on real messages")."""

from __future__ import annotations

from outagecomms.models import Phase
from tests.lint.test_meaning_rules import rules_found

# blame-shift: cause attribution


def test_someone_elses_system_by_its_owners_name_is_blame() -> None:
    # en-r6-ubank-1
    text = (
        "Loans are starting to be funded, thus creating a large burden on Fiserv's (our core) "
        "system to allow access at all times."
    )
    assert "blame-shift" in rules_found(text, "en", glossary=("UBank",))


def test_todays_outage_names_no_owner() -> None:
    # en-twitter-3
    text = "The cause of today's outage came from within our data centers."
    assert "blame-shift" not in rules_found(text, "en")


def test_upstream_with_an_interruption_is_blame() -> None:
    # en-r5-x4b-25
    text = "Upstream network for all three PoPs has a reported interruption in New York."
    assert "blame-shift" in rules_found(text, "en", glossary=("X4B", "PoP", "PoPs"))


def test_waiting_for_a_fix_from_the_other_side_is_blame() -> None:
    # en-r4-liveagent-11
    text = (
        "Please note this is a temporary fix and we are waiting for a final resolution from "
        "the Cogent side."
    )
    assert "blame-shift" in rules_found(text, "en", glossary=("LiveAgent",))


def test_a_provider_that_blocked_the_attack_is_information() -> None:
    # en-r6-simpleanalytics-9
    text = (
        "Our homepage was down for approximately 30 minutes due to an attack that was being "
        "blocked by our service provider."
    )
    assert "blame-shift" not in rules_found(text, "en", glossary=("Simple Analytics",))


def test_reducing_a_dependency_on_a_third_party_is_information() -> None:
    # en-r5-pubnub-2
    text = (
        "To prevent a similar issue from occurring in the future we have added work to our "
        "roadmap to reduce our dependency on the third-party for Admin Portal logins."
    )
    assert "blame-shift" not in rules_found(text, "en", glossary=("PubNub", "Admin Portal"))


def test_a_capitalised_company_after_a_cause_is_blame() -> None:
    # no tuning message names an unquoted company right after "due to" / "an outage at"
    assert "blame-shift" in rules_found("Due to an outage at Leaseweb, the site is down.", "en")


def test_a_capitalised_place_or_product_is_no_company_to_blame() -> None:
    # en-r5-x4b-26 (a place), and a product named as what is affected
    assert "blame-shift" not in rules_found(
        "Some systems are offline in Ashburn due to a power outage.", "en"
    )
    assert "blame-shift" not in rules_found("We are seeing issues with Apple Pay payments.", "en")


def test_a_storm_after_a_cause_is_no_company() -> None:
    # no tuning message names a storm; a storm is weather, not a company
    assert "blame-shift" not in rules_found("Delays due to Storm Eunice are expected.", "en")


def test_latvian_users_lack_of_skill_is_blame() -> None:
    # lv-r5-nvd-eveseliba-3
    text = (
        "Ja tādi rodas konkrētiem lietotājiem, tā esot vai nu neprasme ar e-veselību strādāt, "
        "pieredzes trūkums."
    )
    assert "blame-shift" in rules_found(text, "lv", glossary=("e-veselība",))


def test_latvian_cause_after_a_quoted_company_is_blame() -> None:
    # lv-airbaltic-r2-3 names the manufacturer in quotation marks; here the cause follows it
    # (a postposition: "X bojājuma dēļ"), which no tuning message has
    text = "Traucējumi radušies AS Sadales tīkls bojājuma dēļ."
    assert "blame-shift" in rules_found(text, "lv")


def test_latvian_delfi_is_no_cause_word() -> None:
    # lv-r5-rix-wind-1: "dēļ" is a whole word, not the start of "Delfi"
    text = (
        '"Stiprā vēja dēļ šodien lidostā "Rīga" iespējama reisu kavēšanās," portālam "Delfi" '
        "norādīja Karnīte."
    )
    assert "blame-shift" not in rules_found(text, "lv", glossary=("Rīga",))


def test_latvian_beyond_our_influence_is_blame() -> None:
    # lv-airbaltic-r2-3 says "ārpus mūsu kontroles"; "nav atkarīgs no mums" is its synonym
    assert "blame-shift" in rules_found("Tas nav atkarīgs no mums.", "lv")


def test_our_own_operators_are_staff() -> None:
    # no tuning message has call-centre operators; they are the publisher's own staff
    assert "blame-shift" not in rules_found(
        "Our operators are busy due to high call volumes.", "en"
    )
    assert "blame-shift" not in rules_found(
        "Mūsu operatori strādā pastiprināti, jo zvanu ir daudz.", "lv"
    )


# cliche-apology: formula families


def test_an_apology_for_any_disruption_is_a_cliche() -> None:
    # en-r4-cynder-14
    text = "We apologize for any disruption this may cause."
    assert "cliche-apology" in rules_found(text, "en")


def test_regret_for_the_trouble_caused_is_a_cliche() -> None:
    # the en-r4-cynder-5 formula with "regret" and "the ... caused"
    assert "cliche-apology" in rules_found("We regret the disruption this may have caused.", "en")


def test_sorry_about_the_downtime_is_no_formula() -> None:
    # en-dreamwidth-r2-2: "sorry about the downtime" names what it is for
    assert "cliche-apology" not in rules_found("We're really sorry about the downtime!", "en")


def test_latvian_apology_for_caused_disruptions_is_a_cliche() -> None:
    # lv-eriga-r2-1 has "par sagādātajām neērtībām"; the same formula with "traucējumiem"
    assert "cliche-apology" in rules_found("Atvainojamies par sagādātajiem traucējumiem!", "lv")


def test_latvian_apology_that_says_what_for_is_no_cliche() -> None:
    # lv-nvd-1
    text = (
        "Nacionālais veselības dienests atvainojas visiem iedzīvotājiem, kuriem plānveida "
        "uzlabošanas darbi radīja sarežģījumus, iegādājoties e-recepšu medikamentus."
    )
    assert "cliche-apology" not in rules_found(text, "lv")


# over-promise: only the future


def test_momentarily_is_an_over_promise() -> None:
    # en-r6-hygraph-6
    text = "We have started an upscaling ouf our database, which should be done momentarily"
    assert "over-promise" in rules_found(text, "en", glossary=("Hygraph",))


def test_a_past_duration_is_no_over_promise() -> None:
    # en-r6-simpleanalytics-9
    text = "Our homepage was down for approximately 30 minutes due to an attack."
    assert "over-promise" not in rules_found(text, "en")


def test_planned_works_length_is_no_over_promise() -> None:
    # no tuning message gives planned work's length this way
    assert "over-promise" not in rules_found("The maintenance will take about 30 minutes.", "en")
    assert "over-promise" in rules_found("The fix will take about 30 minutes.", "en")


def test_latvian_within_the_next_hour_is_an_over_promise() -> None:
    # lv-rigasudens-1 promises "līdz plkst."; "tuvākās stundas laikā" is the same promise
    text = "Ūdens padevi atjaunosim tuvākās stundas laikā."
    assert "over-promise" in rules_found(text, "lv")


def test_latvian_planned_works_schedule_is_no_over_promise() -> None:
    # lv-citadele-1 is a schedule of planned work; "ilgs līdz" gives its end
    assert "over-promise" not in rules_found("Remontdarbi ilgs līdz plkst. 18:00.", "lv")


# jargon


def test_latvian_extra_memory_is_jargon() -> None:
    # lv-r5-easycruit-6
    text = "Šis nedēļas beigās mēs pievienosim papildu atmiņu, lai uzlabotu atbildes laiku."
    assert "jargon" in rules_found(text, "lv", glossary=("EasyCruit", "Visma"))


def test_latvian_migration_to_our_new_data_centre_is_jargon() -> None:
    # lv-r5-easycruit-7
    text = "Ir pabeigta migrācija uz mūsu jauno datu centru."
    assert "jargon" in rules_found(text, "lv", glossary=("EasyCruit", "Visma"))


def test_a_cloud_instance_is_jargon() -> None:
    # en-r6-hygraph-16
    text = "Our enginner have identified an issue with our Memorystore instance."
    assert "jargon" in rules_found(text, "en", glossary=("Hygraph",))


def test_a_data_centre_is_no_jargon() -> None:
    # en-r4-liveagent-10 (labelled without jargon)
    text = "We are experiencing connectivity issues in our EU data center."
    assert "jargon" not in rules_found(text, "en", glossary=("LiveAgent",))


# shouting


def test_an_acronym_in_parentheses_is_no_shouting() -> None:
    # no tuning message spells out a long acronym; "(SCADA)" names what came before it
    text = "Our Supervisory Control and Data Acquisition (SCADA) system is restored."
    assert "shouting" not in rules_found(text, "en")


# missing-part rules


def test_more_information_in_30_minutes_is_a_next_update() -> None:
    # en-r5-zendesk-tymeshift-2
    text = (
        "We are continuing our investigation into the root cause of customers not being able "
        "to login to Tymeshift. We will provide more information in 30 mins."
    )
    found = rules_found(text, "en", phase=Phase.UPDATE, glossary=("Tymeshift", "Pods"))
    assert not {"missing-ack", "missing-impact", "missing-next-update"} & set(found)


def test_a_fixs_time_in_another_clause_is_no_next_update() -> None:
    # en-ofapi-1
    text = (
        "We expect a full resolution to be in place within the next 72 hours and will post "
        "updates here as the situation evolves."
    )
    assert "missing-next-update" in rules_found(text, "en", phase=Phase.INVESTIGATING)


def test_locations_having_issues_is_impact() -> None:
    # en-r5-x4b-18
    text = "We are aware some locations are having issues currnetly. We are working on it."
    assert "missing-impact" not in rules_found(text, "en", phase=Phase.INVESTIGATING)


def test_content_remaining_in_draft_is_impact() -> None:
    # en-r5-massgov-7
    text = (
        "Earlier we reported an issue where some people had reported content scheduled to be "
        "published is remaining in draft instead of going live."
    )
    assert "missing-impact" not in rules_found(text, "en", phase=Phase.IDENTIFIED)


def test_an_unreachable_server_is_an_acknowledgement() -> None:
    # en-r4-cynder-18
    text = "Email will attempt to retry the delivery in the event a server is unreachable."
    assert "missing-ack" not in rules_found(text, "en", phase=Phase.UPDATE)


def test_accessible_again_is_a_resolution() -> None:
    # en-r6-simpleanalytics-9 says "is now accessible again" (it also says "resolved")
    text = "The homepage is now accessible again."
    assert "missing-resolution" not in rules_found(text, "en", phase=Phase.RESOLVED)


def test_a_promised_full_report_is_no_next_update() -> None:
    # en-r6-hygraph resolutions promise reports; "a full report" is one too
    text = "The issue is now fixed. We will share a full report in the coming days."
    assert "missing-resolution" not in rules_found(text, "en", phase=Phase.RESOLVED)


def test_latvian_working_without_disruption_is_a_resolution() -> None:
    # lv-r5-nvd-eveseliba-3 says "sistēma strādā bez traucējumiem"
    text = "Pašlaik e-veselības sistēma strādā bez traucējumiem."
    assert "missing-resolution" not in rules_found(text, "lv", phase=Phase.RESOLVED)


def test_latvian_traffic_normalising_is_a_resolution() -> None:
    # lv-r6-rigassatiksme-5 says "transporta kustība normalizējas"
    text = "Transporta kustība ir normalizējusies."
    assert "missing-resolution" not in rules_found(text, "lv", phase=Phase.RESOLVED)


def test_latvian_we_will_give_news_at_a_time_is_a_next_update() -> None:
    # lv-r5-easycruit-7 says "sniegsim jaunāko informāciju šajā lapā" with no time
    found = rules_found(
        "Traucējumi turpinās. Jaunāko informāciju sniegsim plkst. 15:00.", "lv", phase=Phase.UPDATE
    )
    assert "missing-next-update" not in found
    found = rules_found(
        "Traucējumi turpinās. Sniegsim jaunāko informāciju šajā lapā.", "lv", phase=Phase.UPDATE
    )
    assert "missing-next-update" in found


def test_latvian_payments_that_may_fail_are_impact() -> None:
    # lv-luminor-1 has delays; "var neizdoties" is the same for payments
    text = "Karšu maksājumi joprojām var neizdoties. Nākamā informācija plkst. 14:00."
    assert "missing-impact" not in rules_found(text, "lv", phase=Phase.UPDATE)


# blame-shift, continued: the cause said in the next sentence, someone else's silence, a company
# said to have the trouble


def test_a_party_then_this_is_causing_downtime_is_blame() -> None:
    # en-r6-simpleanalytics-6
    text = (
        "Our hosting provider is performing maintenance on the rack containing our server. "
        "This is causing downtime on our dashboard server."
    )
    assert "blame-shift" in rules_found(text, "en", glossary=("Simple Analytics",))


def test_a_party_then_a_sentence_about_something_else_is_no_blame() -> None:
    # en-r6-utstatus-4 names the ISP as the one who restored service; nothing points back
    text = "Our ISP has restored service. All services should be up and running once more."
    assert "blame-shift" not in rules_found(text, "en", glossary=("Umami",))


def test_we_were_not_informed_is_blame() -> None:
    # en-r5-x4b-27
    text = (
        "Appologies for the short notice. While we knew this was planned we were not informed "
        "until just now of the exact details."
    )
    assert "blame-shift" in rules_found(text, "en", glossary=("X4B", "PoP", "routes"))


def test_we_were_notified_is_no_blame() -> None:
    # no tuning message says it; being notified is no deflection
    assert "blame-shift" not in rules_found(
        "We were notified of the issue at 14:00 and fixed it.", "en"
    )


def test_a_company_said_to_have_an_outage_is_blame() -> None:
    # no tuning message says it so (en-r6-hygraph-13 has "Our Login Provider Auth0 is currently
    # facing issues", caught by "provider")
    assert "blame-shift" in rules_found(
        "Earlier today Okta had an outage that affected logins.", "en"
    )


def test_latvian_a_manufacturer_that_let_us_down_is_blame() -> None:
    # lv-airbaltic-r2-3, without its "ārpus mūsu kontroles"
    text = 'Mūs gada beigās negaidīti ir pievīlis dzinēju ražotājs "Pratt & Whitney".'
    assert "blame-shift" in rules_found(text, "lv")


# missing-impact, continued


def test_declined_payments_are_impact() -> None:
    # no tuning message says it; a declined payment is what a customer meets
    found = rules_found(
        "Some payments may be declined. Next update at 10:00.", "en", phase=Phase.INVESTIGATING
    )
    assert not {"missing-ack", "missing-impact"} & set(found)


def test_a_party_that_fixed_it_is_information() -> None:
    # en-r6-utstatus-4 ("Our ISP has restored service"); with a failure word in its sentence
    assert "blame-shift" not in rules_found("Our provider has resolved the issue.", "en")
    assert "blame-shift" not in rules_found(
        "Sistēmas izstrādātāji ir novērsuši kļūdu, un sistēma darbojas.", "lv"
    )


def test_waiting_until_upstream_fixes_it_is_blame() -> None:
    # en-r5-x4b-21
    text = "Panel access will be restored when upstream resolves issue."
    assert "blame-shift" in rules_found(text, "en", glossary=("X4B", "PoP", "routes"))


def test_a_common_misspelling_of_inconvenience_is_the_formula() -> None:
    # en-r4-cynder-1 has "sorry for any inconvenience"; "inconvience" is its usual misspelling
    assert "cliche-apology" in rules_found("We are sorry for any inconvience.", "en")


def test_latvian_an_accident_cleared_is_a_resolution() -> None:
    # lv-r5-latvijasgaze-1 says a gas leak «tiks likvidēta» (will be cleared); said as done, it is
    # a resolution
    assert "missing-resolution" not in rules_found("Avārija likvidēta.", "lv", phase=Phase.RESOLVED)


def test_latvian_internet_provider_with_a_failure_is_blame() -> None:
    # lv-r5-pasts-valgunde-1 names "pasta pakalpojumu sniedzējs"; «nodrošinātājs» is its synonym
    text = "Interneta pakalpojumu nodrošinātāja tīklā radās bojājums."
    assert "blame-shift" in rules_found(text, "lv")


def test_latvian_will_be_restored_is_no_resolution() -> None:
    # lv-r5-latvijasgaze-1 «tiks likvidēta» is a future; so is «tiks atjaunota»
    found = rules_found("Ūdens padeve tiks atjaunota rīt.", "lv", phase=Phase.RESOLVED)
    assert "missing-resolution" in found
    found = rules_found("Ūdens padeve ir atjaunota.", "lv", phase=Phase.RESOLVED)
    assert "missing-resolution" not in found


def test_working_towards_a_resolution_is_no_resolution() -> None:
    # en-r4-cynder-7 ("continuing to work towards a resolution"), said in a resolution message
    text = "We're continuing to work towards a resolution for this issue."
    assert "missing-resolution" in rules_found(text, "en", phase=Phase.RESOLVED)


def test_all_servers_functional_is_a_resolution() -> None:
    # en-r5-x4b-17
    text = "All servers functional. Appologies for the resolution time."
    assert "missing-resolution" not in rules_found(
        text, "en", phase=Phase.RESOLVED, glossary=("X4B", "PoP", "routes")
    )
