"""SQL text that runs on both connections the store hands out: the standard library's
``sqlite3`` one (:mod:`outagecomms.store.lite`, a SQLite database already at the newest
schema) and a SQLAlchemy ``Connection`` (PostgreSQL, and SQLite while it migrates).

The hot path's queries (a declare, an update, ``status``) are written once as text with
``:name`` parameters, which ``sqlite3`` takes natively and SQLAlchemy through ``text()``;
:func:`sql_of` gives the :class:`Sql` of either connection, so the worker, the service and
PostgreSQL run the very same functions. Values go through :mod:`outagecomms.store.codec`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql.elements import TextClause

Params = Mapping[str, Any]


class Sql(Protocol):
    """A connection inside a transaction, for SQL text with ``:name`` parameters."""

    @property
    def dialect_name(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Every row of a query (or of a statement's ``RETURNING``), as tuples."""
        ...

    def run(self, sql: str, params: Params | None = None) -> int:
        """A statement without rows; how many rows it changed."""
        ...

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        """One statement for each of ``rows`` (``executemany``)."""
        ...


class AlchemySql:
    """:class:`Sql` over a SQLAlchemy ``Connection``."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect_name = conn.dialect.name

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.conn.execute(_text(sql), dict(params or {}))]

    def run(self, sql: str, params: Params | None = None) -> int:
        return int(self.conn.execute(_text(sql), dict(params or {})).rowcount)

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self.conn.execute(_text(sql), [dict(row) for row in rows])


@lru_cache(maxsize=1024)
def _text(sql: str) -> TextClause:
    """``text(sql)``, built once per statement (SQLAlchemy caches its compiled form); a
    bounded cache, since every length of an ``IN`` list (:func:`in_list`) is its own text."""
    from sqlalchemy import text

    return text(sql)


def sql_of(conn: Connection) -> Sql:
    """The :class:`Sql` of a connection the store handed out."""
    from outagecomms.store.lite import LiteConnection

    if isinstance(conn, LiteConnection):
        return conn
    return AlchemySql(conn)


def in_list(name: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """``(:name_0, :name_1, ...)`` and its parameters, for ``column IN ...``."""
    params = {f"{name}_{index}": value for index, value in enumerate(values)}
    if not params:
        raise ValueError(f"an empty IN list for {name}")
    return "(" + ", ".join(f":{key}" for key in params) + ")", params
