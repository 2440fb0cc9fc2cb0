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

from outagecomms.errors import ConfigError
from outagecomms.limits import DEFAULT_LIMITS, Limits

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


def load_yaml(path: Path, limits: Limits = DEFAULT_LIMITS) -> YamlDocument:
    """Parse ``path``; a syntax error, a duplicate key, an alias or a value beyond
    ``limits`` becomes a :class:`ConfigError` with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{display_path(path)}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{display_path(path)}: not UTF-8 text ({exc.reason}); save the file as UTF-8"
        ) from None
    return parse_yaml(text, path, limits)


def parse_yaml(text: str, path: Path, limits: Limits = DEFAULT_LIMITS) -> YamlDocument:
    """Parse YAML ``text`` that came from ``path`` (used in error messages)."""
    from outagecomms.yaml_parse import parse_yaml as parse

    return parse(text, path, limits)
