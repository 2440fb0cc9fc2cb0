"""Which components an incident affects, and the status changes that follow.

The rule (README "Components"): a component's status is the worst status any OPEN incident
puts it in, else ``operational``. It is worked out again for each component of an incident
when the incident is declared, re-opened or resolved; a change is stored only when the
status differs. ``PATCH /api/v1/components/{id}`` and ``outagecomms components set``
(:func:`set_status`) set a status by hand, which stands until an incident affecting that
component is declared, re-opened or resolved; the status page follows at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from outagecomms.components.catalog import Catalog, load_catalog, unknown_component_message
from outagecomms.components.page import rebuild_status_pages
from outagecomms.components.statuses import BY_SEVERITY, ComponentStatus, parse_status, worst
from outagecomms.errors import ConfigError, UnknownNameError, UsageError
from outagecomms.inputs import check_value
from outagecomms.limits import ACTOR_MAX_LENGTH
from outagecomms.logs import get_logger
from outagecomms.models import Runbook, Severity
from outagecomms.project import Project
from outagecomms.store import Store
from outagecomms.store import components_repo as repo
from outagecomms.store.records import iso_utc

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = get_logger(__name__)


def catalog_of(project: Project) -> Catalog:
    return load_catalog(project.root, project.limits)


def parse_component_flags(flags: Sequence[str]) -> dict[str, ComponentStatus | None]:
    """``["payments=major_outage", "login"]`` -> id -> status (None: the default)."""
    parsed: dict[str, ComponentStatus | None] = {}
    for flag in flags:
        component, sep, status = flag.partition("=")
        component = component.strip()
        if not component:
            raise UsageError(
                f"--component {flag!r} is not ID or ID=STATUS; write it like "
                "--component payments=partial_outage"
            )
        try:
            parsed[component] = parse_status(status) if sep else None
        except ValueError as exc:
            raise UsageError(f"--component {flag!r}: {exc}") from None
    return parsed


def affected_components(
    project: Project, runbook: Runbook, severity: Severity, flags: Sequence[str] = ()
) -> dict[str, str]:
    """Component id -> status for a new incident: the runbook's components, then each
    ``--component ID[=STATUS]`` (an id alone: the runbook's status for it, else the one of
    the severity; ``=operational``: not affected). An unknown id given by hand is a usage
    error; one the runbook names is left out with a warning (``lint`` reports it), so a
    stale runbook never stops a declare (without ``components.yaml``, silently)."""
    overrides = parse_component_flags(flags)
    try:
        catalog = catalog_of(project) if (overrides or runbook.components) else Catalog()
    except ConfigError as exc:
        if overrides:
            raise  # asked for by hand: say what is wrong with the file
        log.warning("components.unreadable", runbook=runbook.id, error=str(exc))
        return {}  # a broken components.yaml never stops a declare
    for component in overrides:
        if component not in catalog:
            raise UsageError(unknown_component_message(component, catalog, project.root))
    named = dict(runbook.components or {})
    affected: dict[str, ComponentStatus] = {}
    for component, status in named.items():
        if component in catalog:
            affected[component] = status
        elif catalog.document is not None:  # no components.yaml: components are off
            log.warning("component.unknown", runbook=runbook.id, component=component)
    for component, given in overrides.items():
        status = given or named.get(component) or BY_SEVERITY[severity]
        if status is ComponentStatus.OPERATIONAL:
            affected.pop(component, None)
        else:
            affected[component] = status
    return {c: s.value for c, s in affected.items()}


def record_affected(
    conn: Connection, number: int, affected: Mapping[str, str], now: datetime, actor: str
) -> None:
    """At declare: incident ``number`` affects ``affected``; their statuses follow."""
    repo.insert_incident_components(conn, number, affected)
    follow_incident(conn, number, now, actor, source="declare")


def follow_incident(
    conn: Connection, number: int, now: datetime, actor: str | None, *, source: str
) -> None:
    """Work out again the status of every component incident ``number`` affects (after it
    was declared, re-opened or resolved), storing each change."""
    for component in repo.incident_components(conn, number):
        status = worst(repo.open_impacts(conn, component)).value
        if (repo.current_status(conn, component) or ComponentStatus.OPERATIONAL) != status:
            repo.add_component_change(
                conn,
                component=component,
                status=status,
                at=now,
                source=source,
                incident=number,
                actor=actor,
            )


@dataclass(frozen=True)
class ComponentView:
    """A component as the API and the page show it."""

    id: str
    name: str
    group: str | None
    group_name: str | None
    status: str
    updated_at: datetime | None
    position: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "group": self.group,
            "status": self.status,
            "updated_at": iso_utc(self.updated_at),
        }


def component_views(conn: Connection, catalog: Catalog, lang: str) -> list[ComponentView]:
    """Every component of ``catalog`` with its status now, in file order."""
    current = repo.current_changes(conn)
    views = []
    for position, component in enumerate(catalog.components, start=1):
        change = current.get(component.id)
        views.append(
            ComponentView(
                id=component.id,
                name=catalog.name_of(component.id, lang),
                group=component.group,
                group_name=catalog.group_name(component.group, lang) if component.group else None,
                status=change.status if change else ComponentStatus.OPERATIONAL.value,
                updated_at=change.at if change else None,
                position=position,
            )
        )
    return views


def list_components(project: Project, store: Store) -> list[ComponentView]:
    """Every component with its status now (``GET /api/v1/components``)."""
    with store.read() as conn:
        return component_views(conn, catalog_of(project), project.settings.default_language)


def set_status(
    project: Project,
    store: Store,
    component: str,
    status: str,
    *,
    now: datetime,
    actor: str,
    reason: str | None = None,
) -> ComponentView:
    """Set ``component``'s status by hand (``PATCH /api/v1/components/{id}``,
    ``outagecomms components set``): an unknown id is an :class:`UnknownNameError` naming
    the known ones, an unknown status a usage error naming the five. Then the status page
    of each enabled ``site`` channel is rebuilt (:mod:`.page`); a page that cannot be
    rebuilt is logged, and the status stands."""
    catalog = catalog_of(project)
    if component not in catalog:
        raise UnknownNameError(
            unknown_component_message(component, catalog, project.root), parameter="component"
        )
    try:
        chosen = parse_status(status)
    except ValueError as exc:
        raise UsageError(str(exc), parameter="status") from None
    check_value(actor, "by", max_length=ACTOR_MAX_LENGTH)
    if reason is not None:
        limit = project.limits.reason_max_length
        check_value(reason, "reason", max_length=limit, setting="reason_max_length", multiline=True)
    with store.write() as conn:
        repo.add_component_change(
            conn,
            component=component,
            status=chosen.value,
            at=now,
            source="manual",
            actor=actor,
            reason=reason,
        )
        views = component_views(conn, catalog, project.settings.default_language)
    log.info("component.status", component=component, status=chosen.value, actor=actor)
    rebuild_status_pages(project, store, now=now)
    return next(v for v in views if v.id == component)
