"""Grafana Alerting's webhook contact point: Alertmanager's group shape (``groupKey``,
``status``, ``commonLabels``) plus Grafana's own fields, which are ignored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outagecomms.service.matcher import Alert
from outagecomms.service.sources.alertmanager import group_alert

SOURCE = "grafana"


def reduce(payload: Any, headers: Mapping[str, str]) -> list[Alert]:
    return [group_alert(SOURCE, payload)]
