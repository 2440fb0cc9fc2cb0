"""One module per alert source: each reduces its documented payload to
:class:`~outagecomms.service.matcher.Alert` values (labels, a dedupe key, firing or
resolved), dropping every free-text field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from outagecomms.errors import UsageError
from outagecomms.service.matcher import Alert

Reducer = Callable[[Any, Mapping[str, str]], list[Alert]]
"""A source's parsed JSON payload and its request headers (lower-case) -> its alerts."""


def labels_of(value: Any, where: str) -> dict[str, str]:
    """A ``{name: value}`` object as text labels (numbers and booleans as text; nested
    values and nulls are dropped, they are never a label)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageError(f"{where}: expected an object of labels")
    return {
        str(k): v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in value.items()
        if isinstance(v, str | int | float | bool)
    }


def text_field(payload: Mapping[str, Any], name: str, where: str) -> str:
    value = payload.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{where}: {name} is missing or empty; is this a {where} payload?")
    return value


def an_object(payload: Any, source: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise UsageError(f"a {source} payload is a JSON object")
    return payload


SOURCE_NAMES = ("alertmanager", "grafana", "datadog", "statuspage", "cloudevents")


def reducer_for(source: str) -> Reducer:
    """The reducer of ``source`` (a usage error naming the known ones otherwise)."""
    if source not in SOURCE_NAMES:
        raise UsageError(f"unknown source {source!r}; use one of: {', '.join(SOURCE_NAMES)}")
    module = __import__(f"outagecomms.service.sources.{source}", fromlist=["reduce"])
    reduce: Reducer = module.reduce
    return reduce
