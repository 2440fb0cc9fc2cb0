"""The example configurations in examples/service/ point at the hooks and carry a token,
and the Datadog payload template gives what the Datadog hook reads."""

from __future__ import annotations

import json

import yaml

from outagecomms.service.sources import datadog
from tests.conftest import REPO

EXAMPLES = REPO / "examples" / "service"


def test_the_alertmanager_receiver_posts_to_the_hook_with_a_bearer_token() -> None:
    config = yaml.safe_load((EXAMPLES / "alertmanager.yml").read_text(encoding="utf-8"))
    (receiver,) = [r for r in config["receivers"] if r["name"] == "outagecomms"]
    (webhook,) = receiver["webhook_configs"]
    assert webhook["url"].endswith("/hooks/alertmanager")
    assert webhook["send_resolved"] is True
    assert webhook["http_config"]["authorization"]["type"] == "Bearer"


def test_the_grafana_contact_point_posts_to_the_hook_with_a_bearer_token() -> None:
    config = yaml.safe_load((EXAMPLES / "grafana-contact-point.yaml").read_text("utf-8"))
    (receiver,) = config["contactPoints"][0]["receivers"]
    assert receiver["type"] == "webhook"
    assert receiver["settings"]["url"].endswith("/hooks/grafana")
    assert receiver["settings"]["authorization_scheme"] == "Bearer"


def test_the_datadog_template_renders_to_what_the_hook_reads() -> None:
    template = (EXAMPLES / "datadog-webhook-payload.json").read_text(encoding="utf-8")
    values = {
        "$AGGREG_KEY": "9bd4ac31", "$ALERT_CYCLE_KEY": "7009", "$ALERT_TRANSITION": "Triggered",
        "$ALERT_ID": "1234", "$ALERT_PRIORITY": "P1", "$ALERT_TYPE": "error",
        "$TAGS": "env:prod,service:payments", "$DATE": "1764582645000",
        "$EVENT_TITLE": "Payments failing",
    }  # fmt: skip
    for variable in sorted(values, key=len, reverse=True):
        template = template.replace(variable, values[variable])
    (alert,) = datadog.reduce(json.loads(template), {})
    assert alert.dedupe_key == "9bd4ac31-7009"
    assert alert.firing
    assert alert.labels == {
        "env": "prod", "service": "payments", "priority": "P1", "alert_type": "error",
        "monitor_id": "1234",
    }  # fmt: skip
