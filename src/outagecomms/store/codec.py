"""What the store's column types do to a value on its way in and out, written once for the
SQL text of :mod:`outagecomms.store.sql` (the stdlib ``sqlite3`` connection and a
SQLAlchemy ``Connection`` alike), and exactly as :mod:`outagecomms.store.tables` stores it:

- a ``UTCDateTime``: an aware datetime; on SQLite naive UTC text in SQLAlchemy's format
  (``YYYY-MM-DD HH:MM:SS.ffffff``), on PostgreSQL the aware value (``timestamptz``);
- a ``JSON`` column: ``json.dumps`` text (SQLAlchemy's serializer; ``None`` is ``null``);
  PostgreSQL's driver gives it back parsed, SQLite gives the text;
- a ``Boolean``: ``0``/``1`` on SQLite.

:data:`COLUMN_KINDS` names the columns of each kind (a test keeps it in step with
``tables.py``), so a row written by either adapter reads the same through the other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

Kind = Literal["time", "json", "bool"]

COLUMN_KINDS: dict[str, dict[str, Kind]] = {
    "incidents": {
        "next_update_at": "time", "variables": "json", "channels": "json",
        "started_at": "time", "resolved_at": "time", "updated_at": "time",
        "reminded_for": "time", "runbook_content": "json", "blocked_at": "time",
        "blocked_until": "time",
    },
    "messages": {"variables": "json", "next_update_at": "time", "created_at": "time"},
    "deliveries": {
        "due_at": "time", "lease_expires_at": "time", "sent_at": "time",
        "possibly_duplicate": "bool", "created_at": "time", "updated_at": "time",
    },
    "events": {"at": "time", "detail": "json"},
    "workers": {"started_at": "time", "seen_at": "time", "stopped_at": "time"},
    "component_changes": {"at": "time"},
    "maintenance_windows": {
        "starts_at": "time", "ends_at": "time", "components": "json", "planned_at": "time",
        "created_at": "time", "updated_at": "time", "started_at": "time",
        "completed_at": "time", "cancelled_at": "time",
    },
}  # fmt: skip
"""The columns of the hot path's tables whose value the codec changes (the others go in
and come out as they are)."""


def time_in(moment: datetime | None, dialect: str) -> datetime | str | None:
    """An aware datetime as the column stores it (see the module's docstring)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}; the store only takes aware UTC times")
    utc = moment.astimezone(UTC)
    if dialect != "sqlite":
        return utc
    return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


_STORED_TEXT = len("2024-06-01 12:00:00.000000")
"""The length of a moment as :func:`time_in` writes it on SQLite (always microseconds)."""


def time_out(value: datetime | str | None) -> datetime | None:
    """A stored moment as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == _STORED_TEXT and value[19] == ".":
            # SQLite's naive UTC text, read as UTC in one parse: a tenth of the time of a
            # parse and a `replace` (`status` reads 30,000 of them at 10,000 incidents)
            try:
                return datetime.fromisoformat(value + "+00:00")
            except ValueError:
                pass
        moment = datetime.fromisoformat(value)
    else:
        moment = value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def json_in(value: Any) -> str:
    return json.dumps(value)


def json_out(value: Any) -> Any:
    """A stored JSON value, parsed (PostgreSQL's driver has parsed it already)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Any:
    return json.loads(text)


def flat_json_out(value: Any) -> Any:
    """:func:`json_out` of a flat value (a list or a dict of strings) that the caller
    copies: the same text is parsed once (every ``null`` of an unset column, the variables
    that many incidents share). Never for nested values, which a copy would still share."""
    return _parsed(value) if value.__class__ is str else json_out(value)


def value_in(kind: Kind | None, value: Any, dialect: str) -> Any:
    if kind == "time":
        return time_in(value, dialect)
    if kind == "json":
        return json_in(value)
    if kind == "bool":
        return bool(value)
    return value


def row_in(table: str, values: Mapping[str, Any], dialect: str) -> dict[str, Any]:
    """The parameters of ``values`` (column -> Python value) for a statement on ``table``."""
    kinds = COLUMN_KINDS[table]
    return {name: value_in(kinds.get(name), value, dialect) for name, value in values.items()}


_DECODERS: dict[str, Callable[[Any], Any]] = {"time": time_out, "json": json_out, "bool": bool}


def row_out(table: str, columns: tuple[str, ...], row: tuple[Any, ...]) -> dict[str, Any]:
    """One row read from ``table`` (its ``columns`` in that order) as column -> value."""
    kinds = COLUMN_KINDS[table]
    decoded: dict[str, Any] = {}
    for name, value in zip(columns, row, strict=True):
        kind = kinds.get(name)
        decoded[name] = value if kind is None or value is None else _DECODERS[kind](value)
    return decoded
