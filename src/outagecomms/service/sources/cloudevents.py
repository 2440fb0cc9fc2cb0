"""CloudEvents 1.0 over HTTP, structured (``application/cloudevents+json``, one event or
a batch) or binary (``ce-*`` headers with the data as the body). Labels: ``type``,
``source``, ``subject`` and the string values of ``data.labels``; the dedupe key is
``data.dedupe_key``, else ``subject``, else ``source``; a ``type`` ending in
``.resolved`` or ``data.status: resolved`` resolves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outagecomms.errors import UsageError
from outagecomms.service.matcher import Alert
from outagecomms.service.sources import labels_of

SOURCE = "cloudevents"
ATTRIBUTES = ("type", "source", "subject")


def _event(attributes: Mapping[str, Any], data: Any) -> Alert:
    if str(attributes.get("specversion", "")) != "1.0":
        raise UsageError("cloudevents: specversion must be 1.0")
    for name in ("id", "type", "source"):
        if not isinstance(attributes.get(name), str) or not attributes[name]:
            raise UsageError(f"cloudevents: the {name} attribute is required")
    labels = {n: str(attributes[n]) for n in ATTRIBUTES if isinstance(attributes.get(n), str)}
    body = data if isinstance(data, dict) else {}
    labels.update(labels_of(body.get("labels"), "cloudevents: data.labels"))
    key = body.get("dedupe_key") or attributes.get("subject") or attributes["source"]
    resolved = str(attributes["type"]).endswith(".resolved") or body.get("status") == "resolved"
    return Alert(SOURCE, str(key), not resolved, labels)


def reduce(payload: Any, headers: Mapping[str, str]) -> list[Alert]:
    if "ce-specversion" in headers:  # binary mode: attributes in headers
        attributes = {k.removeprefix("ce-"): v for k, v in headers.items() if k.startswith("ce-")}
        return [_event(attributes, payload)]
    events = payload if isinstance(payload, list) else [payload]
    if not events or not all(isinstance(e, dict) for e in events):
        raise UsageError("cloudevents: a structured event is a JSON object (a batch: a list)")
    return [_event(e, e.get("data")) for e in events]
