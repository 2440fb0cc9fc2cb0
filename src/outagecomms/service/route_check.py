"""``outagecomms routes check`` and ``lint``'s view of ``routes.yaml``: the file against
the project, and which route a sample payload takes with the words it would send."""

from __future__ import annotations

from typing import Any

from outagecomms.errors import ConfigError
from outagecomms.models import Audience, Phase
from outagecomms.preview import preview
from outagecomms.project import Project
from outagecomms.service.matcher import Alert, decide
from outagecomms.service.routes_file import LoadedRoutes, check_routes, load_routes
from outagecomms.service.sources import SOURCE_NAMES, reducer_for


def check_project(project: Project) -> list[str]:
    """Every problem of the project's ``routes.yaml``, ``file:line: what`` each (none
    without the file)."""
    try:
        loaded = load_routes(project)
    except ConfigError as exc:
        return list(getattr(exc, "problems", None) or [str(exc)])
    return [] if loaded is None else check_routes(project, loaded)


def _languages(project: Project) -> Any:
    def of(runbook_id: str) -> list[str]:
        try:
            return list(project.runbook(runbook_id).runbook.languages)
        except ConfigError:
            return []

    return of


def check_payload(project: Project, source: str, payload: Any) -> list[dict[str, Any]]:
    """For each alert of ``payload``: the route it takes (or why none), and the message
    each customer channel would get (variables the route leaves unset show examples)."""
    reduce = reducer_for(source)
    loaded = load_routes(project)
    return [_check(project, loaded, alert) for alert in reduce(payload, {})]


def _check(project: Project, loaded: LoadedRoutes | None, alert: Alert) -> dict[str, Any]:
    decision = decide(loaded, alert, _languages(project))
    route = decision.route
    result: dict[str, Any] = {
        "source": alert.source,
        "dedupe_key": f"{alert.source}:{alert.dedupe_key}",
        "status": "firing" if alert.firing else "resolved",
        "labels": dict(alert.labels),
        "route": None if route is None else route.name,
        "near": decision.near,
        "problem": decision.problem,
        "runbook": None if route is None else route.runbook,
        "severity": None if decision.severity is None else decision.severity.value,
        "variables": decision.variables,
        "action": "declare" if alert.firing else "resolve if open",
        "messages": {},
    }
    if route is None or decision.problem:
        return result
    phase = Phase.INVESTIGATING if alert.firing else Phase.RESOLVED
    items = preview(
        project,
        route.runbook,
        phases=[phase],
        channel_names=route.channels,
        given=decision.variables,
        severity=decision.severity,
    )
    customers = {
        c.name for c in project.channels().values() if c.channel.audience is Audience.CUSTOMERS
    }
    result["messages"] = {
        item.composed.channel: item.composed.text
        for item in items
        if item.composed.channel in customers or not customers
    }
    return result


__all__ = ["SOURCE_NAMES", "check_payload", "check_project"]
