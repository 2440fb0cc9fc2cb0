"""``routes.yaml``: which alert declares which approved runbook, with what severity and
which words (README "Alert intake: routes.yaml").

Every word a customer may read comes from this file or the runbook, chosen by an alert's
labels from enumerated tables: an alert's own text (summary, description, values) is
never a variable. The file is pure data; :mod:`outagecomms.service.matcher` applies it.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from outagecomms.errors import ConfigError, UsageError
from outagecomms.project import Project
from outagecomms.service.values import duration
from outagecomms.vocabulary import Severity
from outagecomms.yamlfile import YamlDocument, dotted, load_yaml

ROUTES_FILE = "routes.yaml"

Words = Annotated[
    str | dict[str, str],
    Field(description="one text, or a table language -> text"),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FixedValue(Strict):
    value: Words


class LabelTable(Strict):
    """A variable chosen by a label's value from an enumerated table."""

    from_label: str = Field(min_length=1)
    values: dict[str, Words]
    default: Words | None = None
    """Used when the label's value has no entry (without it: internal channels only)."""


class SeverityTable(Strict):
    from_label: str = Field(min_length=1)
    values: dict[str, Severity] = Field(default_factory=dict)
    default: Severity | None = None


class Route(Strict):
    name: str = Field(min_length=1, max_length=128)
    match: dict[str, str] = Field(default_factory=dict)
    """Every listed label must match: equal, or a regular expression after ``~``."""
    runbook: str = Field(min_length=1)
    severity: Severity | SeverityTable | None = None
    variables: dict[str, FixedValue | LabelTable] = Field(default_factory=dict)
    channels: list[str] = Field(default_factory=list)
    cooldown: str | None = None

    @field_validator("match")
    @classmethod
    def _patterns(cls, match: dict[str, str]) -> dict[str, str]:
        for label, wanted in match.items():
            if isinstance(wanted, str) and wanted.startswith("~"):
                try:
                    re.compile(wanted[1:])
                except re.error as exc:
                    raise ValueError(
                        f"{label}: {wanted!r} is not a regular expression ({exc})"
                    ) from None
        return match

    @field_validator("cooldown")
    @classmethod
    def _cooldown(cls, value: str | None) -> str | None:
        try:
            duration("cooldown", value, off_allowed=True)
        except UsageError as exc:
            raise ValueError(exc.message) from None
        return value


class RoutesFile(Strict):
    routes: list[Route] = Field(default_factory=list)


@dataclass(frozen=True)
class LoadedRoutes:
    routes: RoutesFile
    document: YamlDocument

    def where(self, *loc: str | int) -> str:
        return self.document.where(loc)

    def route_index(self, name: str) -> int:
        return next(i for i, r in enumerate(self.routes.routes) if r.name == name)


def routes_path(project: Project) -> Path:
    return project.root / ROUTES_FILE


def load_routes(project: Project, path: Path | None = None) -> LoadedRoutes | None:
    """The project's ``routes.yaml`` (None when it has none); errors name ``file:line``."""
    path = path or routes_path(project)
    if not path.is_file():
        return None
    document = load_yaml(path)
    try:
        parsed = RoutesFile.model_validate(document.data or {})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
            problems.append(f"{document.where(loc)}: {dotted(loc)}: {error['msg']}")
        failure = ConfigError(problems[0])
        failure.problems = problems  # type: ignore[attr-defined]
        raise failure from None
    names = [r.name for r in parsed.routes]
    for index, name in enumerate(names):
        if names.index(name) != index:
            raise ConfigError(
                f"route name {name!r} is used twice; route names are unique",
                location=document.where(("routes", index, "name")),
            )
    return LoadedRoutes(parsed, document)


def check_routes(project: Project, loaded: LoadedRoutes) -> list[str]:
    """What is wrong with the routes against the project, one ``file:line: what`` each:
    an unknown runbook, a variable the runbook does not have, words missing a language."""
    problems: list[str] = []
    runbooks = {}
    try:
        runbooks = {k: v.runbook for k, v in project.runbooks().items()}
    except ConfigError as exc:
        problems.append(str(exc))
    known_channels: set[str] = set()
    with suppress(ConfigError):  # the channel files' own lint reports them
        known_channels = set(project.channels())
    for index, route in enumerate(loaded.routes.routes):
        runbook = runbooks.get(route.runbook)
        if runbook is None:
            choices = ", ".join(sorted(runbooks)) or "none"
            problems.append(
                f"{loaded.where('routes', index, 'runbook')}: route {route.name!r}: no runbook "
                f"{route.runbook!r} (runbooks: {choices})"
            )
            continue
        for channel in route.channels:
            if known_channels and channel not in known_channels:
                problems.append(
                    f"{loaded.where('routes', index, 'channels')}: route {route.name!r}: "
                    f"no channel {channel!r}"
                )
        for name, spec in route.variables.items():
            at = loaded.where("routes", index, "variables", name)
            if name not in runbook.variables:
                known = ", ".join(runbook.variables) or "none"
                problems.append(
                    f"{at}: route {route.name!r}: runbook {runbook.id!r} has no variable "
                    f"{name!r} (its variables: {known})"
                )
                continue
            for label, words in _tables(spec):
                missing = missing_languages(words, runbook.languages)
                if missing:
                    problems.append(
                        f"{loaded.where('routes', index, 'variables', name, *label)}: route "
                        f"{route.name!r}: {name} has no words in {', '.join(missing)} "
                        f"(the runbook's languages: {', '.join(runbook.languages)})"
                    )
        required = [n for n, v in runbook.variables.items() if v.required]
        for name in required:
            if name not in route.variables:
                problems.append(
                    f"{loaded.where('routes', index)}: route {route.name!r}: runbook "
                    f"{runbook.id!r} needs variable {name!r}; add it under variables"
                )
    return problems


def _tables(spec: FixedValue | LabelTable) -> list[tuple[tuple[str, ...], Words]]:
    if isinstance(spec, FixedValue):
        return [(("value",), spec.value)]
    found: list[tuple[tuple[str, ...], Words]] = [
        (("values", key), words) for key, words in spec.values.items()
    ]
    if spec.default is not None:
        found.append((("default",), spec.default))
    return found


def missing_languages(words: Words, languages: list[str]) -> list[str]:
    if isinstance(words, str):
        return []  # one text for every language (a name, a code)
    return [lang for lang in languages if lang not in words]


def as_assignments(name: str, words: Words, languages: list[str]) -> dict[str, str]:
    """Words as the orchestrator's variables: ``name.LANG`` for each of the runbook's
    ``languages``, and ``name`` in the first (as a runbook default falls back to it)."""
    if isinstance(words, str):
        return {name: words}
    values = {f"{name}.{lang}": words[lang] for lang in languages if lang in words}
    first = words.get(languages[0]) if languages else None
    if first is not None:
        values[name] = first
    return values


def route_json(route: Route) -> dict[str, Any]:
    return route.model_dump(mode="json", exclude_defaults=True)
