"""The runbooks and example channels shipped in the repository: they load, cover every
outage type, phase and language they promise, and every message fits its channel."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from outagecomms.lint.proofs import variables_used
from outagecomms.lint.runner import lint_paths
from outagecomms.localdates import LocalMoment
from outagecomms.models import ChannelKind, Format, Phase, Tense, localized
from outagecomms.preview import PreviewItem, preview
from outagecomms.project import Project
from outagecomms.templates import (
    CLOSING_PHASES,
    UNPROMISED_PHASES,
    context,
    default_facts,
    iter_templates,
    render_message,
    resolve_values,
)
from outagecomms.vocabulary import MAINTENANCE_PHASES
from tests.conftest import REPO

OUTAGE_TYPES = {
    "payments-failing",
    "intermittent-errors",
    "slow-performance",
    "region-unreachable",
    "login-failing",
    "data-delayed",
    "scheduled-maintenance",
}
LANGUAGES = {"en", "fa", "uk", "lv"}
CHANNELS = {
    "customers-email",
    "customers-email-fa",
    "customers-email-uk",
    "customers-email-lv",
    "x-status",
    "telegram-fa",
    "telegram-uk",
    "telegram-lv",
    "sms-customers",
    "sms-customers-uk",
    "sms-customers-lv",
    "team-slack",
    "mastodon-status",
    "status-webhook",
}
# Late in the UTC day, so the next update falls on the next day and renders in its longest
# form (date, time and zone).
NOW = datetime(2025, 9, 30, 23, 45, tzinfo=UTC)
SAMPLE_ZONE = ZoneInfo("UTC")  # the zone of preview's sample channels


@cache
def project() -> Project:
    """The repository as a project, loaded once (the tests only read it)."""
    return Project(REPO)


def _shipped() -> dict[str, tuple[list[str], list[Phase]]]:
    """Runbook id -> (languages, phases), for parametrizing; empty when loading fails (then
    test_every_shipped_runbook_loads_without_problems reports why)."""
    try:
        loaded = project().runbooks()
    except Exception:
        return {}
    return {
        rid: (list(item.runbook.languages), list(item.runbook.messages))
        for rid, item in loaded.items()
    }


SHIPPED = _shipped()
CASES = [
    pytest.param(rid, phase, kind, lang, id=f"{rid}-{phase.value}-{kind.value}-{lang}")
    for rid, (langs, phases) in SHIPPED.items()
    for phase in phases
    for kind in ChannelKind
    for lang in langs
]


@cache
def rendered(runbook_id: str) -> dict[tuple[Phase, ChannelKind, str], PreviewItem]:
    """Every phase on one sample channel of every kind in every language, example values."""
    items = preview(project(), runbook_id, all_kinds=True, now=NOW)
    return {(item.phase, item.composed.kind, item.composed.lang): item for item in items}


def test_every_shipped_runbook_loads_without_problems() -> None:
    loaded = project().runbooks()
    assert loaded, "no runbooks in runbooks/"
    for rid, item in loaded.items():
        assert item.path.name == f"{rid}.yaml"


def test_there_is_a_runbook_for_each_of_the_seven_outage_types() -> None:
    ids = set(project().runbooks())
    assert len(ids) >= 7
    assert ids >= OUTAGE_TYPES, f"missing: {sorted(OUTAGE_TYPES - ids)}"


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_every_runbook_speaks_english_and_persian(runbook_id: str) -> None:
    languages = project().runbook(runbook_id).runbook.languages
    assert {"en", "fa"} <= set(languages)


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_every_runbook_has_all_six_phases(runbook_id: str) -> None:
    optional = {Phase.CORRECTION}  # a built-in correction is sent when a runbook has none
    maintenance = set(MAINTENANCE_PHASES) if runbook_id != "scheduled-maintenance" else set()
    assert (
        set(project().runbook(runbook_id).runbook.messages) == set(Phase) - optional - maintenance
    )


def test_the_maintenance_runbook_has_every_maintenance_phase_and_reminders() -> None:
    runbook = project().runbook("scheduled-maintenance").runbook
    assert set(MAINTENANCE_PHASES) <= set(runbook.messages)
    assert runbook.remind_before


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_every_runbook_speaks_english_persian_ukrainian_and_latvian(runbook_id: str) -> None:
    assert set(project().runbook(runbook_id).runbook.languages) == LANGUAGES


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_every_runbook_lints_clean_without_warnings(runbook_id: str) -> None:
    path = project().runbook(runbook_id).path
    report, _ = lint_paths(project(), [path], now=NOW)
    assert [f"{f.where} {f.rule}: {f.message}" for f in report.findings] == []


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_the_impact_is_declared_present_tense_with_an_optional_past_form(
    runbook_id: str,
) -> None:
    variables = project().runbook(runbook_id).runbook.variables
    assert variables["impact"].tense is Tense.PRESENT
    assert variables["impact_past"].tense is Tense.PAST
    assert not variables["impact_past"].required


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_no_closing_message_quotes_a_present_tense_variable(runbook_id: str) -> None:
    runbook = project().runbook(runbook_id).runbook
    present = {name for name, spec in runbook.variables.items() if spec.tense is Tense.PRESENT}
    present |= {"impact", "workaround"} & set(runbook.variables)  # present by convention
    quoted = [
        f"{ref.phase.value}/{ref.format.value}/{ref.lang}: {sorted(names)}"
        for ref in iter_templates(runbook)
        if ref.phase in CLOSING_PHASES and (names := variables_used(ref.source) & present)
    ]
    assert quoted == []


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_every_variable_of_a_short_message_has_a_max_length(runbook_id: str) -> None:
    runbook = project().runbook(runbook_id).runbook
    for phase, formats in runbook.messages.items():
        for lang, message in formats.short.items():
            text = message if isinstance(message, str) else message.text
            for name in re.findall(r"\{\{\s*(\w+)", text):
                spec = runbook.variables.get(name)
                if spec is not None and spec.kind.value == "text":
                    assert spec.max_length, f"{phase.value}/{lang}: {name} has no max_length"


@pytest.mark.parametrize(("runbook_id", "phase", "kind", "lang"), CASES)
def test_example_message_fits_its_channel_without_truncation(
    runbook_id: str, phase: Phase, kind: ChannelKind, lang: str
) -> None:
    item = rendered(runbook_id)[(phase, kind, lang)]
    composed = item.composed
    assert not composed.language_fallback
    assert composed.measurement.fits, (
        f"{composed.measurement.length}/{composed.measurement.limit} "
        f"{composed.measurement.unit}: {composed.text}"
    )
    assert not composed.truncated


@pytest.mark.parametrize(("runbook_id", "phase", "kind", "lang"), CASES)
def test_open_messages_promise_the_next_update_and_closing_ones_do_not(
    runbook_id: str, phase: Phase, kind: ChannelKind, lang: str
) -> None:
    composed = rendered(runbook_id)[(phase, kind, lang)].composed
    runbook = project().runbook(runbook_id).runbook
    settings = project().settings
    next_update = NOW + runbook.cadence_for(runbook.severity)
    clock = LocalMoment(next_update, SAMPLE_ZONE, lang, NOW).time
    if phase in UNPROMISED_PHASES:
        assert clock not in composed.text
    else:
        assert clock in composed.text
    assert settings.status_url in composed.text


# What an optional part that is left out must not leave behind: a space before punctuation,
# empty brackets, punctuation doubled, a double space, or a bare label ("problem: Details:").
LEFTOVERS = re.compile(r" [.,;:،؛]|\(\s*\)|[,;:،؛]\s*[.,;:،؛]|(?<=\S)  |:\s+[^\s.!?:]+:\s")


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_every_message_reads_cleanly_with_only_the_required_values(runbook_id: str) -> None:
    runbook = project().runbook(runbook_id).runbook
    settings = project().settings
    facts = default_facts(runbook, now=NOW, status_url=settings.status_url, sender=settings.sender)
    for lang in runbook.languages:
        required = {
            name: localized(spec.example, lang, runbook.languages[0]) or f"[{name}]"
            for name, spec in runbook.variables.items()
            if spec.required
        }
        values = resolve_values(runbook, required, lang)
        for phase in runbook.messages:
            ctx = context(runbook, facts, values, lang=lang, zone=SAMPLE_ZONE, phase=phase)
            for fmt in Format:
                text = render_message(runbook, phase, fmt, lang, ctx).folded()
                found = LEFTOVERS.search(text)
                assert found is None, f"{phase.value}/{fmt.value}/{lang}: {found!r} in {text!r}"


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_every_long_message_ends_with_a_human_signature(runbook_id: str) -> None:
    runbook = project().runbook(runbook_id).runbook
    for phase, formats in runbook.messages.items():
        for lang, long in formats.long.items():
            assert long.body.rstrip().endswith("{{ sender }}"), f"{phase.value}/{lang}"


@pytest.mark.parametrize("runbook_id", sorted(SHIPPED))
def test_shipped_channels_carry_every_message_within_their_limits(runbook_id: str) -> None:
    items = preview(project(), runbook_id, now=NOW)
    assert {item.composed.channel for item in items} == set(project().channels())
    for item in items:
        composed = item.composed
        assert composed.measurement.fits, f"{composed.channel} {item.phase.value}"
        assert not composed.truncated, f"{composed.channel} {item.phase.value}"


# ---------------------------------------------------------------------------- channels

REFERENCE = re.compile(r"\$\{([^}]*)\}")
SECRET_PARAMS = {"pass", "password", "token", "secret", "key", "apikey", "auth", "access_token"}
SECRET_SHAPES = [
    re.compile(r"\d{6,}:[A-Za-z0-9_-]{20,}"),  # Telegram bot token
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}"),  # Slack token
    re.compile(r"\bAC[0-9a-f]{32}\b"),  # Twilio account SID
    re.compile(r"[A-Za-z0-9+/_-]{32,}"),  # any long random-looking literal
]


def _without_references(url: str) -> str:
    return REFERENCE.sub("", url)


def test_every_example_channel_loads() -> None:
    channels = project().channels()
    assert set(channels) >= CHANNELS
    for name, item in channels.items():
        assert item.document.path.name == f"{name}.yaml"


@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_channel_url_references_only_upper_case_environment_variables(name: str) -> None:
    url = project().channel(name).channel.url
    names = REFERENCE.findall(url)
    assert names, f"{name}: the URL holds no ${{VAR}}; secrets belong in the environment"
    for var in names:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", var), f"{name}: ${{{var}}} is not UPPER_CASE"


def literal_secrets(url: str) -> list[str]:
    """What in ``url`` looks like a secret written out instead of a ``${VAR}`` reference."""
    found: list[str] = []
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    if ":" in userinfo and not REFERENCE.fullmatch(userinfo.split(":", 1)[1]):
        found.append("password in the user part")
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        name = key.lower().lstrip("-+")
        if name in SECRET_PARAMS or name == "authorization":
            literal = unquote(_without_references(value)).removeprefix("Bearer ").strip()
            if literal or not REFERENCE.search(value):
                found.append(f"query parameter {key}")
    literal_url = _without_references(url)
    found += [shape.pattern for shape in SECRET_SHAPES if shape.search(literal_url)]
    return found


@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_channel_url_holds_no_literal_secret(name: str) -> None:
    assert literal_secrets(project().channel(name).channel.url) == []


@pytest.mark.parametrize(
    "url",
    [
        "mailtos://status:hunter2@smtp.example.com",
        "mailtos://smtp.example.com?user=${SMTP_USER}&pass=hunter2",
        "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-100123",
        "jsons://${HOST}/hook?-Authorization=Bearer%20abc123",
    ],
)
def test_the_literal_secret_check_catches_written_out_secrets(url: str) -> None:
    assert literal_secrets(url)


def _dummy(var: str) -> str:
    if "EMAIL" in var or var.endswith("_TO") or var == "SMTP_USER":
        return "someone@example.com"
    return "dummyvalue"


@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_channel_url_is_one_apprise_accepts(name: str) -> None:
    import apprise

    url = project().channel(name).channel.url
    dummy = {
        "SMTP_HOST": "smtp.example.com",
        "TELEGRAM_BOT_TOKEN": "123456:ABCdefGHIjklMNO",
        "TELEGRAM_CHAT_ID": "-1001234567",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_FROM_NUMBER": "+15551234567",
        "SMS_TO_NUMBERS": "+15557654321",
        "SLACK_BOT_TOKEN": "xoxb-1234-5678-abcdef",
        "MASTODON_HOST": "mastodon.example.org",
        "STATUS_WEBHOOK_HOST": "status.example.com",
    }
    filled = REFERENCE.sub(lambda m: dummy.get(m.group(1), _dummy(m.group(1))), url)
    assert apprise.Apprise.instantiate(filled, suppress_exceptions=True) is not None, filled
