"""The ``components`` lint rule: ``components.yaml`` loads, and every component a runbook
names (``components:``) is in it, reported at the runbook's ``file:line``."""

from __future__ import annotations

from collections.abc import Sequence

from outagecomms.components.catalog import (
    COMPONENTS_FILE,
    Catalog,
    load_catalog,
    unknown_component_message,
)
from outagecomms.errors import ConfigError
from outagecomms.lint.findings import Finding, Level, finding
from outagecomms.project import LoadedRunbook, Project
from outagecomms.yamlfile import display_path


def component_findings(project: Project, runbooks: Sequence[LoadedRunbook]) -> list[Finding]:
    naming = [r for r in runbooks if r.runbook.components]
    try:
        catalog = load_catalog(project.root, project.limits)
    except ConfigError as exc:
        problems = getattr(exc, "problems", None) or [str(exc)]
        where = display_path(project.root / COMPONENTS_FILE)
        return [finding("components", p).at(file=where) for p in problems]
    if catalog.document is None:  # no components.yaml: components are off
        return [_no_file(loaded, project) for loaded in naming]
    return [f for loaded in naming for f in _unknown(loaded, catalog, project)]


def _no_file(loaded: LoadedRunbook, project: Project) -> Finding:
    where = display_path(project.root / COMPONENTS_FILE)
    return finding(
        "components",
        f"the runbook names components but there is no {where}, so none is shown or set; "
        'add the file (README "Components") or remove components:',
    ).at(
        severity=Level.WARNING,
        file=display_path(loaded.document.path),
        line=loaded.document.line_of(("components",)),
        runbook=loaded.id,
    )


def _unknown(loaded: LoadedRunbook, catalog: Catalog, project: Project) -> list[Finding]:
    document = loaded.document
    return [
        finding("components", unknown_component_message(component, catalog, project.root)).at(
            file=display_path(document.path),
            line=document.line_of(("components", component)),
            runbook=loaded.id,
        )
        for component in loaded.runbook.components or {}
        if component not in catalog
    ]
