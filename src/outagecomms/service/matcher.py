"""Which route an alert takes, and what it would declare (README "Alert intake: routes.yaml").

An alert is reduced to its source, its dedupe key, firing or resolved, and its labels;
only labels choose anything, and only from the tables in ``routes.yaml``. When no route
matches, or a label value has no entry, the decision says why and names the route that
almost matched: the alert goes to internal channels only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from outagecomms.service.routes_file import (
    LabelTable,
    LoadedRoutes,
    Route,
    SeverityTable,
    Words,
    as_assignments,
)
from outagecomms.vocabulary import Severity


@dataclass(frozen=True)
class Alert:
    """One alert as every source is reduced to: never its free text."""

    source: str
    dedupe_key: str
    firing: bool
    labels: Mapping[str, str]


@dataclass(frozen=True)
class Decision:
    """What an alert leads to: a runbook with its severity and words, or (``problem``)
    internal channels only."""

    route: Route | None = None
    severity: Severity | None = None
    variables: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    near: str | None = None
    """The route that almost matched (most labels equal), when none did."""

    @property
    def matched(self) -> bool:
        return self.route is not None and self.problem is None


def label_matches(wanted: str, value: str | None) -> bool:
    if value is None:
        return False
    if wanted.startswith("~"):
        return re.fullmatch(wanted[1:], value) is not None
    return wanted == value


def _misses(route: Route, labels: Mapping[str, str]) -> list[str]:
    return [k for k, wanted in route.match.items() if not label_matches(wanted, labels.get(k))]


def _words(spec: LabelTable, labels: Mapping[str, str]) -> Words | None:
    value = labels.get(spec.from_label)
    if value is not None and value in spec.values:
        return spec.values[value]
    return spec.default


def _severity(route: Route, labels: Mapping[str, str]) -> Severity | None:
    spec = route.severity
    if spec is None or isinstance(spec, Severity):
        return spec
    assert isinstance(spec, SeverityTable)
    value = labels.get(spec.from_label)
    return spec.values.get(value, spec.default) if value is not None else spec.default


def decide(
    routes: LoadedRoutes | None, alert: Alert, languages_of: Callable[[str], list[str]]
) -> Decision:
    """The first route whose every ``match`` label matches (in file order) and its words;
    ``languages_of`` gives a runbook's languages."""
    if routes is None or not routes.routes.routes:
        return Decision(problem="no routes.yaml in the project (or it has no routes)")
    best: tuple[int, Route, list[str]] | None = None
    for route in routes.routes.routes:
        misses = _misses(route, alert.labels)
        if not misses:
            return _words_for(route, alert, languages_of)
        score = len(route.match) - len(misses)
        if score > 0 and (best is None or score > best[0]):
            best = (score, route, misses)
    if best is None:
        return Decision(problem="no route matches its labels")
    _, near, misses = best
    shown = ", ".join(f"{k}={alert.labels.get(k)!r} (wants {near.match[k]!r})" for k in misses)
    return Decision(problem=f"no route matches; {near.name!r} almost did: {shown}", near=near.name)


def _words_for(route: Route, alert: Alert, languages_of: Callable[[str], list[str]]) -> Decision:
    languages = languages_of(route.runbook)
    variables: dict[str, str] = {}
    for name, spec in route.variables.items():
        words = _words(spec, alert.labels) if isinstance(spec, LabelTable) else spec.value
        if words is None:
            assert isinstance(spec, LabelTable)
            value = alert.labels.get(spec.from_label)
            return Decision(
                route=route,
                problem=f"route {route.name!r}: label {spec.from_label}={value!r} has no "
                f"entry in variables.{name} (add it to routes.yaml, or a default)",
                near=route.name,
            )
        variables.update(as_assignments(name, words, languages))
    return Decision(route=route, severity=_severity(route, alert.labels), variables=variables)
