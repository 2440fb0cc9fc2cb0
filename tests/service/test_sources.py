"""Each source's payload reduced to labels, a dedupe key and firing or resolved; never
its free text."""

from __future__ import annotations

import pytest

from outagecomms.errors import UsageError
from outagecomms.service.sources import alertmanager, cloudevents, statuspage
from tests.service.conftest import payload


def test_alertmanager_matches_the_groups_common_labels_and_keys_on_group_key() -> None:
    (alert,) = alertmanager.reduce(payload("alertmanager-firing"), {})
    assert alert.dedupe_key == payload("alertmanager-firing")["groupKey"]
    assert alert.labels["region"] == "eu-west-1"
    assert "instance" not in alert.labels  # not common to the group
    assert "summary" not in alert.labels


def test_alertmanager_without_common_labels_uses_the_labels_all_alerts_share() -> None:
    body = payload("alertmanager-firing")
    del body["commonLabels"]
    (alert,) = alertmanager.reduce(body, {})
    assert alert.labels["alertname"] == "PaymentsFailing"


def test_an_alertmanager_status_other_than_firing_or_resolved_is_refused() -> None:
    with pytest.raises(UsageError, match="neither firing nor resolved"):
        alertmanager.reduce(payload("alertmanager-firing") | {"status": "pending"}, {})


def test_a_statuspage_component_update_keys_on_the_component() -> None:
    (alert,) = statuspage.reduce(payload("statuspage-component"), {})
    assert alert.dedupe_key == "component-rb5wq1dczvbm"
    assert alert.firing
    assert alert.labels == {
        "page": "j2mfxwj97wnj",
        "status": "major_outage",
        "component": "Card authorisation API",
    }


def test_a_statuspage_component_back_to_operational_resolves() -> None:
    body = payload("statuspage-component")
    body["component_update"]["new_status"] = "operational"
    (alert,) = statuspage.reduce(body, {})
    assert not alert.firing


def test_a_statuspage_incident_drops_its_name_and_updates() -> None:
    (alert,) = statuspage.reduce(payload("statuspage-incident"), {})
    assert alert.labels == {"page": "j2mfxwj97wnj", "status": "investigating", "impact": "major"}


def test_a_cloudevents_batch_gives_one_alert_per_event() -> None:
    batch = [payload("cloudevents-firing"), payload("cloudevents-resolved")]
    alerts = cloudevents.reduce(batch, {})
    assert [a.firing for a in alerts] == [True, False]
    assert {a.dedupe_key for a in alerts} == {"payments-eu-west-1"}


def test_a_cloudevent_without_specversion_1_0_is_refused() -> None:
    with pytest.raises(UsageError, match="specversion"):
        cloudevents.reduce(payload("cloudevents-firing") | {"specversion": "0.3"}, {})
