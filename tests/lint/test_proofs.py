from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from outagecomms.counting import measure
from outagecomms.lint.proofs import longest_moment, prove_runbook, worst_case_filler
from outagecomms.localdates import LocalMoment
from outagecomms.models import Channel, ChannelKind, Runbook
from outagecomms.vocabulary import Audience
from tests.factories import runbook_data


def runbook(**variable: object) -> Runbook:
    data = runbook_data(languages=("en", "fa"))
    data["variables"]["impact"].update(variable)
    return Runbook.model_validate(data)


def prove(book: Runbook) -> list[str]:
    return [
        f.message
        for f in prove_runbook(book, status_url="https://status.example.com", sender="Support")
    ]


def test_sms_filler_for_a_gsm_language_forces_ucs2() -> None:
    filler = worst_case_filler("en", ChannelKind.SMS, 10)
    assert len(filler) == 10
    assert measure(filler, ChannelKind.SMS).unit == "ucs2"


def test_x_filler_for_chinese_weighs_two_per_character() -> None:
    assert measure(worst_case_filler("zh", ChannelKind.X, 10), ChannelKind.X).length == 20


def test_x_filler_for_persian_is_persian_letters() -> None:
    assert worst_case_filler("fa", ChannelKind.X, 3) == "ششش"


def test_a_runbook_within_limits_proves_clean() -> None:
    assert prove(runbook()) == []


def test_a_long_max_length_fails_the_proof_and_names_the_variable() -> None:
    messages = prove(runbook(max_length=260, example="checkout fails"))
    assert any("'impact'" in m and "x" in m for m in messages)


def test_the_sms_proof_uses_worst_case_not_the_example() -> None:
    messages = prove(runbook(max_length=150, example="short"))
    assert any("on sms" in m for m in messages)


def test_a_short_message_variable_without_max_length_is_an_error() -> None:
    data = runbook_data()
    del data["variables"]["impact"]["max_length"]
    messages = prove(Runbook.model_validate(data))
    assert any("no max_length" in m and "'impact'" in m for m in messages)


def test_ukrainian_worst_case_time_counts_the_longer_preposition_at_eleven() -> None:
    moment = longest_moment("uk", "Europe/Kyiv")
    earlier = moment - timedelta(days=2)
    assert " об 11:" in LocalMoment(moment, ZoneInfo("Europe/Kyiv"), "uk", earlier).full


def _reached_on(book: Runbook, channel: Channel) -> list[int]:
    found = prove_runbook(
        book, status_url="https://status.example.com", sender="Support", channels=[channel]
    )
    return [
        int(m.group(1)) for f in found if (m := re.search(r"reach (\d+) .* on channel", f.message))
    ]


def test_a_subscribers_sms_proof_counts_the_opt_out_line() -> None:
    book = runbook(max_length=150, example="short")
    url = "twilio://AC123:secret@+15550001111/{to}"
    customers = Channel(name="sms-all", kind=ChannelKind.SMS, url=url, max_segments=1)
    subscribers = customers.model_copy(
        update={"name": "sms-subs", "audience": Audience.SUBSCRIBERS}
    )
    plain, with_line = _reached_on(book, customers), _reached_on(book, subscribers)
    assert plain and with_line
    assert max(with_line) - max(plain) >= len("Reply STOP to opt out.")
