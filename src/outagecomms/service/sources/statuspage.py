"""Atlassian Statuspage's webhook notifications, for an upstream provider's status: an
``incident`` update (dedupe key ``incident.id``; ``resolved`` or ``postmortem`` resolves)
or a ``component_update`` (key ``component.id``; back to ``operational`` resolves).
Labels: ``page``, ``impact``, ``status`` and, for a component, ``component`` (its name)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outagecomms.errors import UsageError
from outagecomms.service.matcher import Alert
from outagecomms.service.sources import an_object, text_field

SOURCE = "statuspage"
OVER = frozenset({"resolved", "postmortem", "completed"})


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def reduce(payload: Any, headers: Mapping[str, str]) -> list[Alert]:
    body = an_object(payload, SOURCE)
    page = body.get("page") if isinstance(body.get("page"), dict) else {}
    labels = {"page": str(page.get("id"))} if page and page.get("id") else {}
    incident = body.get("incident")
    if isinstance(incident, dict):
        status = text_field(incident, "status", SOURCE).lower()
        labels.update(status=status)
        if _text(incident.get("impact")):
            labels["impact"] = str(incident["impact"])
        key = f"incident-{text_field(incident, 'id', SOURCE)}"
        return [Alert(SOURCE, key, status not in OVER, labels)]
    update = body.get("component_update")
    component = body.get("component")
    if isinstance(update, dict) and isinstance(component, dict):
        status = text_field(update, "new_status", SOURCE).lower()
        labels.update(status=status)
        if _text(component.get("name")):
            labels["component"] = str(component["name"])
        key = f"component-{text_field(component, 'id', SOURCE)}"
        return [Alert(SOURCE, key, status != "operational", labels)]
    raise UsageError("statuspage: neither an incident nor a component_update notification")
