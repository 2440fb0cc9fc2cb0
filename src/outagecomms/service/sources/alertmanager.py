"""Prometheus Alertmanager's webhook (``webhook_configs``, payload version 4): one
notification per alert group. The group's ``groupKey`` is the dedupe key, its
``commonLabels`` are matched, and ``status: resolved`` (every alert of the group resolved)
resolves it. Grafana's webhook contact point sends the same shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outagecomms.errors import UsageError
from outagecomms.service.matcher import Alert
from outagecomms.service.sources import an_object, labels_of, text_field

SOURCE = "alertmanager"


def group_alert(source: str, payload: Any) -> Alert:
    """An Alertmanager-shaped group notification (Alertmanager, Grafana) as one alert."""
    body = an_object(payload, source)
    key = text_field(body, "groupKey", source)
    status = text_field(body, "status", source)
    if status not in ("firing", "resolved"):
        raise UsageError(f"{source}: status {status!r} is neither firing nor resolved")
    labels = labels_of(body.get("commonLabels"), f"{source}: commonLabels")
    if not labels:  # an old sender without commonLabels: the labels all alerts share
        alerts = body.get("alerts") or []
        sets = [
            labels_of(a.get("labels"), f"{source}: alerts[].labels")
            for a in alerts
            if isinstance(a, dict)
        ]
        if sets:
            labels = {k: v for k, v in sets[0].items() if all(s.get(k) == v for s in sets)}
    return Alert(source, key, status == "firing", labels)


def reduce(payload: Any, headers: Mapping[str, str]) -> list[Alert]:
    return [group_alert(SOURCE, payload)]
