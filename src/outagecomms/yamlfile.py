"""YAML loading that remembers where every value came from.

Pydantic reports a location as a tuple of keys (``("messages", "resolved", "short")``);
:class:`YamlDocument` turns that into the line of the file, so that every error a
runbook author sees reads ``runbooks/payments.yaml:14: messages.resolved.short: ...``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from outagecomms.errors import ConfigError

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file with a 1-based line number for every key and item."""

    path: Path
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The line of ``loc``, or of its nearest enclosing value that exists."""
        key: Location = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def where(self, loc: Sequence[str | int] = ()) -> str:
        """``file:line`` for ``loc``, with the file as the user named it."""
        return f"{display_path(self.path)}:{self.line_of(loc)}"


def display_path(path: Path) -> str:
    """A path relative to the working directory when it is below it, else as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def dotted(loc: Sequence[str | int]) -> str:
    """``("messages", "resolved", 0)`` -> ``messages.resolved[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def load_yaml(path: Path) -> YamlDocument:
    """Parse ``path``; a syntax error or duplicate key becomes a :class:`ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{display_path(path)}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{display_path(path)}: not UTF-8 text ({exc.reason}); save the file as UTF-8"
        ) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse YAML ``text`` that came from ``path`` (used in error messages)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
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
    data = _construct(node, (), lines, path)
    return YamlDocument(path, data, lines)


def _construct(node: yaml.Node, loc: Location, lines: dict[Location, int], path: Path) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, path)
            if key in result:
                raise ConfigError(
                    f"duplicate key {key!r}; keep one of them",
                    location=f"{display_path(path)}:{key_node.start_mark.line + 1}",
                )
            child: Location = (*loc, key if isinstance(key, int) else str(key))
            lines[child] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, child, lines, path)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*loc, index)
            lines[child] = item.start_mark.line + 1
            items.append(_construct(item, child, lines, path))
        return items
    return _scalar(node, path)


def _scalar(node: yaml.Node, path: Path) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise ConfigError(
            "a mapping key must be plain text",
            location=f"{display_path(path)}:{node.start_mark.line + 1}",
        )
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as exc:
        raise ConfigError(
            f"invalid value: {exc.problem}",
            location=f"{display_path(path)}:{node.start_mark.line + 1}",
        ) from None
