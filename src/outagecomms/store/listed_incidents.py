"""The incidents ``status`` lists, read with only the columns it shows or needs.

``status`` reads every open incident (10,000 of them in the benchmark): an
:class:`~outagecomms.store.records.IncidentRecord` per row costs a frozen dataclass of 19
fields, two JSON columns and seven times (~6 µs a row), most of which ``status`` never
looks at. A :class:`ListedIncident` is the row itself (a tuple) with the incident's
fields ``status`` uses by name; its times are decoded when the row is read.
:class:`IncidentFacts` is what both kinds of record offer to the views that print and
count them (:mod:`outagecomms.incidents.views`, the CLI's ``status``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast

from outagecomms.store.codec import time_out
from outagecomms.store.records import IncidentStatus, public_id
from outagecomms.store.sql import sql_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


class IncidentFacts(Protocol):
    """What ``status`` and the JSON of an incident read of it (an
    :class:`~outagecomms.store.records.IncidentRecord` or a :class:`ListedIncident`)."""

    @property
    def number(self) -> int: ...
    @property
    def id(self) -> str: ...
    @property
    def runbook_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def next_update_at(self) -> datetime | None: ...
    @property
    def break_glass_reason(self) -> str | None: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def runbook_sha256(self) -> str | None: ...
    @property
    def blocked_reason(self) -> str | None: ...
    @property
    def blocked_at(self) -> datetime | None: ...
    @property
    def blocked_until(self) -> datetime | None: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def cadence_override(self) -> timedelta | None: ...


LISTED_COLUMNS = (
    "id", "runbook_id", "status", "severity", "phase", "cadence_seconds", "next_update_at",
    "break_glass_reason", "started_at", "resolved_at", "runbook_sha256", "blocked_reason",
    "blocked_at", "blocked_until",
)  # fmt: skip
"""The columns of a :class:`ListedIncident`, in its order."""
_OPEN = IncidentStatus.OPEN.value


class ListedIncident(tuple[Any, ...]):
    """One listed incident: the values of :data:`LISTED_COLUMNS`, times decoded (aware UTC);
    its status and phase are their stored words (``open``, ``investigating``), equal to
    the enums an :class:`~outagecomms.store.records.IncidentRecord` holds."""

    __slots__ = ()

    @classmethod
    def of_row(cls, row: tuple[Any, ...]) -> ListedIncident:
        (number, runbook_id, status, severity, phase, cadence_seconds, next_update_at,
         break_glass_reason, started_at, resolved_at, runbook_sha256, blocked_reason,
         blocked_at, blocked_until) = row  # fmt: skip
        return tuple.__new__(cls, (
            number, runbook_id, status, severity, phase, cadence_seconds,
            time_out(next_update_at), break_glass_reason, time_out(started_at),
            None if resolved_at is None else time_out(resolved_at), runbook_sha256,
            blocked_reason, None if blocked_at is None else time_out(blocked_at),
            None if blocked_until is None else time_out(blocked_until),
        ))  # fmt: skip

    @property
    def number(self) -> int:
        return cast(int, self[0])

    @property
    def id(self) -> str:
        return public_id(self[0])

    @property
    def runbook_id(self) -> str:
        return cast(str, self[1])

    @property
    def status(self) -> str:
        return cast(str, self[2])

    @property
    def severity(self) -> str:
        return cast(str, self[3])

    @property
    def phase(self) -> str:
        return cast(str, self[4])

    @property
    def cadence_seconds(self) -> int | None:
        return cast("int | None", self[5])

    @property
    def next_update_at(self) -> datetime | None:
        return cast("datetime | None", self[6])

    @property
    def break_glass_reason(self) -> str | None:
        return cast("str | None", self[7])

    @property
    def started_at(self) -> datetime:
        return cast(datetime, self[8])

    @property
    def resolved_at(self) -> datetime | None:
        return cast("datetime | None", self[9])

    @property
    def runbook_sha256(self) -> str | None:
        return cast("str | None", self[10])

    @property
    def blocked_reason(self) -> str | None:
        return cast("str | None", self[11])

    @property
    def blocked_at(self) -> datetime | None:
        return cast("datetime | None", self[12])

    @property
    def blocked_until(self) -> datetime | None:
        return cast("datetime | None", self[13])

    @property
    def is_open(self) -> bool:
        return bool(self[2] == _OPEN)

    @property
    def cadence_override(self) -> timedelta | None:
        seconds = self[5]
        return None if seconds is None else timedelta(seconds=seconds)

    def __repr__(self) -> str:
        fields = (f"{n}={v!r}" for n, v in zip(LISTED_COLUMNS, self, strict=True))
        return f"ListedIncident({', '.join(fields)})"


def list_listed(conn: Connection, where: str, params: Mapping[str, Any]) -> list[ListedIncident]:
    """The incidents matching ``where`` (on ``incidents``), oldest first."""
    query = f"SELECT {', '.join(LISTED_COLUMNS)} FROM incidents WHERE {where} ORDER BY id"
    return list(map(ListedIncident.of_row, sql_of(conn).rows(query, params)))
