"""Datadog's webhook integration, with the payload template in
``examples/datadog-webhook-payload.json``: the dedupe key is
``$AGGREG_KEY-$ALERT_CYCLE_KEY``, the labels are the monitor's ``$TAGS`` (``key:value``)
plus ``priority`` (``$ALERT_PRIORITY``), ``alert_type`` and ``monitor_id``
(``$ALERT_ID``), and ``$ALERT_TRANSITION`` ``Recovered`` resolves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outagecomms.errors import UsageError
from outagecomms.service.matcher import Alert
from outagecomms.service.sources import an_object, text_field

SOURCE = "datadog"
RESOLVING = frozenset({"recovered"})
IGNORED = frozenset({"no data", "renotify"})
"""Transitions that change nothing here (a reminder, or a monitor with no data)."""


def tags(value: Any) -> dict[str, str]:
    """``"env:prod,service:payments,critical"`` -> ``{"env": "prod", "service":
    "payments", "critical": "true"}`` (Datadog sends a comma-separated text or a list)."""
    items = value.split(",") if isinstance(value, str) else value or []
    if not isinstance(items, list):
        raise UsageError("datadog: tags must be text or a list")
    found: dict[str, str] = {}
    for item in items:
        if not isinstance(item, str) or not item.strip():
            continue
        name, sep, rest = item.strip().partition(":")
        found[name] = rest if sep else "true"
    return found


def reduce(payload: Any, headers: Mapping[str, str]) -> list[Alert]:
    body = an_object(payload, SOURCE)
    transition = text_field(body, "alert_transition", SOURCE).strip().lower()
    if transition in IGNORED:
        return []
    key = f"{text_field(body, 'aggreg_key', SOURCE)}-{text_field(body, 'alert_cycle_key', SOURCE)}"
    labels = tags(body.get("tags"))
    for field, name in (
        ("alert_priority", "priority"),
        ("alert_type", "alert_type"),
        ("alert_id", "monitor_id"),
    ):
        value = body.get(field)
        if isinstance(value, str | int) and str(value).strip():
            labels[name] = str(value)
    return [Alert(SOURCE, key, transition not in RESOLVING, labels)]
