"""``components.yaml``: the parts of the product customers see a status for.

```yaml
groups:                                  # optional: a group's name per language
  accounts: {en: Accounts, fa: حساب‌ها}
components:
  - {id: payments, name: {en: Payments, fa: پرداخت}}
  - {id: login, name: {en: Sign-in, fa: ورود}, group: accounts}
```

Loaded like runbooks and channels: bad YAML, an unknown key or a repeated id is a
:class:`~outagecomms.project.FileProblems` naming ``file:line``. A project without the file
has no components (nothing about components is shown or stored).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from outagecomms.components.statuses import COMPONENT_ID
from outagecomms.limits import DEFAULT_LIMITS, Limits
from outagecomms.models import LocalizedText, localized
from outagecomms.yamlfile import YamlDocument, display_path, load_yaml

COMPONENTS_FILE = "components.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Component(_Strict):
    """One part of the product with a status of its own."""

    id: str = Field(description="lowercase letters, digits, '-' or '_'; runbooks name it")
    name: LocalizedText = Field(description="one text, or a table language -> text")
    group: str | None = Field(default=None, description="shown under this group's heading")
    description: LocalizedText | None = None

    @field_validator("id", "group")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        if value is not None and not COMPONENT_ID.match(value):
            raise ValueError(
                f"{value!r} is not a component id; use lowercase letters, digits, '-' or '_'"
            )
        return value


class ComponentsFile(_Strict):
    """The whole of ``components.yaml``."""

    groups: dict[str, LocalizedText] = Field(
        default_factory=dict, description="group id -> its name (default: the id)"
    )
    components: list[Component] = Field(default_factory=list)


@dataclass(frozen=True)
class Catalog:
    """The project's components in file order (empty: the project has none)."""

    components: tuple[Component, ...] = ()
    groups: tuple[tuple[str, LocalizedText], ...] = ()
    document: YamlDocument | None = None

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.components]

    def __contains__(self, component_id: object) -> bool:
        return component_id in self.ids

    def __bool__(self) -> bool:
        return bool(self.components)

    def get(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)

    def name_of(self, component_id: str, lang: str) -> str:
        """The component's name in ``lang`` (else English, else its first; else its id)."""
        found = self.get(component_id)
        return component_id if found is None else text_in(found.name, lang, component_id)

    def group_name(self, group: str, lang: str) -> str:
        return text_in(dict(self.groups).get(group), lang, group)

    def unknown(self, component_ids: Sequence[str]) -> list[str]:
        return [c for c in component_ids if c not in self.ids]

    def known_list(self) -> str:
        return ", ".join(self.ids) or "none"


def text_in(value: LocalizedText | None, lang: str, default: str) -> str:
    """``value`` in ``lang``, else in English, else its first text, else ``default``."""
    if isinstance(value, dict):
        return localized(value, lang, "en") or next(iter(value.values()), default)
    return value or default


def catalog_path(root: Path) -> Path:
    return root / COMPONENTS_FILE


def load_catalog(root: Path, limits: Limits = DEFAULT_LIMITS) -> Catalog:
    """The components of the project at ``root`` (a file read once per content)."""
    path = catalog_path(root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Catalog()
    except OSError:
        return _load(path, limits)
    return _load_once(path, raw, limits)


@functools.lru_cache(maxsize=16)
def _load_once(path: Path, raw: bytes, limits: Limits) -> Catalog:
    return _load(path, limits)


def _load(path: Path, limits: Limits) -> Catalog:
    from outagecomms.project import FileProblems, validate_document

    document = load_yaml(path, limits)
    if document.data is None:
        return Catalog(document=document)
    parsed = validate_document(ComponentsFile, document, limits)
    problems: list[str] = []
    seen: set[str] = set()
    for index, component in enumerate(parsed.components):
        if component.id in seen:
            problems.append(
                f"{document.where(('components', index, 'id'))}: components[{index}].id: "
                f"{component.id!r} is listed twice; keep one of them"
            )
        seen.add(component.id)
    if problems:
        raise FileProblems(problems)
    return Catalog(tuple(parsed.components), tuple(parsed.groups.items()), document)


def unknown_component_message(component_id: str, catalog: Catalog, root: Path) -> str:
    return (
        f"no component {component_id!r} in {display_path(catalog_path(root))} "
        f"(known: {catalog.known_list()}); add it there or fix the id"
    )
