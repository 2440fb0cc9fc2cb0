"""The YAML parser behind :func:`outagecomms.yamlfile.load_yaml`: PyYAML composing a bounded
tree (no aliases, a nesting limit, no huge numbers) into Python values that remember their
lines. Imported only when a file is parsed: a runbook or channel kept validated
(:mod:`outagecomms.validated_cache`) needs no YAML at all."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = object  # type: ignore[misc,assignment]

from outagecomms.errors import ConfigError
from outagecomms.limits import DEFAULT_LIMITS, Limits, raise_it
from outagecomms.yamlfile import Location, YamlDocument, display_path


class _CEvents(Composer, CParser, Resolver):
    """libyaml's parser (about ten times faster than PyYAML's own) under PyYAML's
    composer, so that composing stays bounded here."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        Composer.__init__(self)
        Resolver.__init__(self)


_Events: type = _CEvents if yaml.__with_libyaml__ else yaml.SafeLoader

if TYPE_CHECKING:
    _BoundedBase = yaml.SafeLoader
else:
    _BoundedBase = object  # the loader it is mixed into parses and composes


class _Bounded(_BoundedBase):
    """PyYAML's safe loader composing a bounded tree: no aliases (an alias bomb of a few
    hundred bytes expands to billions of nodes), no nesting deeper than the limit."""

    def __init__(self, text: str, path: Path, limits: Limits) -> None:
        super().__init__(text)
        self.path = path
        self.limits = limits
        self.depth = 0

    def _refuse(self, message: str, mark: yaml.Mark | None) -> ConfigError:
        line = mark.line + 1 if mark is not None else 1
        return ConfigError(message, location=f"{display_path(self.path)}:{line}")

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise self._refuse(
                f"YAML alias *{event.anchor} is not allowed in outagecomms files; "
                "write the value out in full",
                event.start_mark,
            )
        self.depth += 1
        try:
            if self.depth > self.limits.yaml_max_depth:
                raise self._refuse(
                    f"nested deeper than {self.limits.yaml_max_depth} levels; flatten it "
                    + raise_it("yaml_max_depth"),
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _FastLoader(_Bounded, _Events):  # type: ignore[misc]
    """Bounded, on libyaml's events when PyYAML has them."""


class _BoundedLoader(_Bounded, yaml.SafeLoader):
    """Bounded, on PyYAML's own reader and scanner: their error messages are the ones
    shown (libyaml's differ, and stop at its own nesting limit first)."""


def _compose(text: str, path: Path, limits: Limits) -> yaml.Node | None:
    for kind in (_FastLoader, _BoundedLoader):
        loader = kind(text, path, limits)
        try:
            return loader.get_single_node()
        except yaml.YAMLError:
            if kind is _BoundedLoader or _Events is yaml.SafeLoader:
                raise  # the messages shown come from PyYAML's own parser
        finally:
            loader.dispose()
    return None  # pragma: no cover - the second loader returns or raises


def parse_yaml(text: str, path: Path, limits: Limits = DEFAULT_LIMITS) -> YamlDocument:
    """Parse YAML ``text`` that came from ``path`` (used in error messages)."""
    try:
        node = _compose(text, path, limits)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or " ")
        raise ConfigError(
            f"invalid YAML: character U+{code:04X} is not allowed in a YAML file; "
            "remove it (control characters often come from copy and paste)",
            location=f"{display_path(path)}:{line}",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(
            f"invalid YAML: {problem}; check indentation and quoting "
            "(a value containing ': ' or starting with '{' needs quotes)",
            location=f"{display_path(path)}:{line}",
        ) from None
    lines: dict[Location, int] = {}
    if node is None:
        return YamlDocument(path, None, {(): 1})
    data = _Constructor(path, limits).construct(node, (), lines)
    return YamlDocument(path, data, lines)


_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class _Constructor:
    """Python values from a composed tree, remembering each one's line."""

    path: Path
    limits: Limits

    def _where(self, node: yaml.Node) -> str:
        return f"{display_path(self.path)}:{node.start_mark.line + 1}"

    def _too_large(self, node: yaml.Node) -> ConfigError:
        ceiling = self.limits.yaml_max_integer
        return ConfigError(
            f"the number {node.value[:20]}{'…' if len(node.value) > 20 else ''} is larger "
            f"than {ceiling:,}; use a smaller one {raise_it('yaml_max_integer')}",
            location=self._where(node),
        )

    def construct(self, node: yaml.Node, loc: Location, lines: dict[Location, int]) -> Any:
        lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node)
                if key in result:
                    raise ConfigError(
                        f"duplicate key {key!r}; keep one of them",
                        location=f"{display_path(self.path)}:{key_node.start_mark.line + 1}",
                    )
                child: Location = (*loc, key if isinstance(key, int) else str(key))
                lines[child] = key_node.start_mark.line + 1
                result[key] = self.construct(value_node, child, lines)
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                child = (*loc, index)
                lines[child] = item.start_mark.line + 1
                items.append(self.construct(item, child, lines))
            return items
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise ConfigError("a mapping key must be plain text", location=self._where(node))
        if node.tag in (_INT_TAG, _FLOAT_TAG) and len(node.value) > 40:
            raise self._too_large(node)  # refused before Python converts thousands of digits
        if node.tag == _STR_TAG:
            return node.value  # a plain string: nothing to convert (most scalars)
        try:
            value = yaml.constructor.SafeConstructor().construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise ConfigError(f"invalid value: {exc.problem}", location=self._where(node)) from None
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and abs(value) > self.limits.yaml_max_integer and abs(value) != float("inf"):
            raise self._too_large(node)
        return value
