"""Composing one phase for many incidents at one moment: a text is composed once per
distinct set of the facts its templates read, and what is shared is exactly what composing
for that incident alone gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from outagecomms.compose import Composed, compose
from outagecomms.compose_once import ComposedOnce
from outagecomms.models import Channel, Phase, Runbook, Severity
from outagecomms.templates import IncidentFacts
from tests.factories import runbook_data

NOW = datetime(2026, 11, 23, 12, 5, tzinfo=UTC)
GIVEN = {"impact": "checkout fails"}
CHANNEL = Channel(name="chat", kind="telegram", url="json://127.0.0.1:9/chat")
FIRST = IncidentFacts(
    incident_id="INC-7",
    severity=Severity.MAJOR,
    started_at=NOW - timedelta(minutes=65),
    now=NOW,
    next_update_at=NOW + timedelta(hours=1),
    status_url="https://status.example.com",
    sender="Ana from Support",
)
SECOND = replace(FIRST, incident_id="INC-8", started_at=FIRST.started_at - timedelta(seconds=10))
"""Another incident, declared ten seconds earlier (the same whole minutes elapsed)."""


def runbook_with(source: str) -> Runbook:
    runbook = Runbook.model_validate(runbook_data(languages=("en",)))
    runbook.messages[Phase.UPDATE].chat["en"] = source  # type: ignore[index]
    return runbook


def composed_by(once: ComposedOnce, runbook: Runbook, facts: IncidentFacts) -> Composed:
    def alone(chosen: dict[str, Channel] | object) -> dict[str, Composed]:
        assert isinstance(chosen, dict)
        return {n: compose(runbook, Phase.UPDATE, c, facts, GIVEN) for n, c in chosen.items()}

    texts = once.texts(
        runbook, Phase.UPDATE, {"chat": CHANNEL}, facts, GIVEN, default_language="en",
        compose=alone,
    )  # fmt: skip
    return texts["chat"]


def compositions(source: str, *incidents: IncidentFacts) -> tuple[int, list[Composed]]:
    """How many texts were composed for ``incidents`` at one moment, and each one's text."""
    runbook = runbook_with(source)
    once = ComposedOnce()
    texts = [composed_by(once, runbook, facts) for facts in incidents]
    return once.composed, texts


UPDATE = "Still working: {{ impact }}. Next update by {{ next_update_at }}."


def test_incidents_whose_templates_read_the_same_facts_share_one_text() -> None:
    assert compositions(UPDATE, FIRST, SECOND)[0] == 1


def test_a_shared_text_is_the_one_composing_for_that_incident_alone_gives() -> None:
    _, [_, shared] = compositions(UPDATE, FIRST, SECOND)
    alone = compose(runbook_with(UPDATE), Phase.UPDATE, CHANNEL, SECOND, GIVEN)
    assert shared == alone


def test_a_text_that_reads_the_incident_id_is_composed_for_each_incident() -> None:
    composed, texts = compositions("{{ incident_id }}: {{ impact }}", FIRST, SECOND)
    bodies = [text.body for text in texts]
    assert (composed, bodies) == (2, ["INC-7: checkout fails", "INC-8: checkout fails"])


def test_a_text_that_reads_the_elapsed_time_is_shared_within_the_same_whole_minute() -> None:
    assert compositions("Down for {{ elapsed }}: {{ impact }}", FIRST, SECOND)[0] == 1


def test_a_text_that_reads_the_elapsed_time_is_composed_again_a_minute_later() -> None:
    later = replace(FIRST, incident_id="INC-9", started_at=FIRST.started_at + timedelta(minutes=1))
    composed, texts = compositions("Down for {{ elapsed }}: {{ impact }}", FIRST, later)
    assert (composed, len({text.body for text in texts})) == (2, 2)


def test_texts_for_another_promise_are_composed_apart() -> None:
    sooner = replace(SECOND, next_update_at=NOW + timedelta(minutes=30))
    composed, texts = compositions("Next update by {{ next_update_at }}.", FIRST, sooner)
    assert (composed, len({text.body for text in texts})) == (2, 2)
