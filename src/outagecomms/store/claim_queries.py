"""The claim's statements, decided in SQL (the rules are :mod:`outagecomms.outbox.claims`'s):
:func:`claim_verdicts` reads the due deliveries by the ``(state, due_at, message_id, id)``
index, at most ``scan`` of them, and says of each whether it is claimable, superseded
(and why) or waiting for an earlier one; :func:`take_leases` moves the claimable ones to
``sending`` with ``UPDATE ... RETURNING``; :func:`cancel_superseded` cancels the others.

The statements are built once per process and reused with new values (SQLAlchemy caches
their compiled form by statement, so no claim builds or compiles one again).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Executable,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    literal_column,
    not_,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.engine import Connection

from outagecomms.store.records import DeliveryRecord
from outagecomms.store.tables import PENDING_STATES, DeliveryState, deliveries, messages
from outagecomms.vocabulary import Phase

RESOLVED = Phase.RESOLVED.value
POSTMORTEM = Phase.POSTMORTEM.value
SENDING = DeliveryState.SENDING.value
PENDING = [state.value for state in PENDING_STATES]

CLAIMABLE, RESOLVED_SINCE, SUPERSEDED, WAITS = 0, 1, 2, 3
"""A due delivery's verdict: claimable; cancelled because its incident was resolved after
its message; cancelled because a newer message went to its channel and recipient; waiting
for an earlier message there (being sent, or, for a postmortem, an undelivered
resolution)."""


def _is(column: Any, *values: str) -> ColumnElement[bool]:
    """``column`` is one of these constants, written into the statement (no bound
    parameter to expand at each execution)."""
    return or_(*(column == literal_column(f"'{value}'") for value in values))


def _number(value: int) -> ColumnElement[int]:
    return literal_column(str(value))


_NOW = bindparam("claim_now", type_=deliveries.c.due_at.type)
_OWNER = bindparam("claim_owner", type_=deliveries.c.lease_owner.type)
_SCAN: BindParameter[int] = bindparam("claim_scan", type_=Integer())
_LIMIT: BindParameter[int] = bindparam("claim_limit", type_=Integer())


@dataclass(frozen=True, slots=True)
class Verdict:
    """One due delivery as the claim saw it."""

    id: int
    message_id: int
    channel: str
    state: str
    lease_owner: str | None
    incident: int
    verdict: int


def claim_verdicts(conn: Connection, *, owner: str, now: datetime, scan: int) -> list[Verdict]:
    """The first ``scan`` deliveries that are due, oldest due first (then by message and
    id), each with its verdict, leaving out the ones that wait: ``queued``, ``retry`` or
    ``blocked`` with ``due_at <= now`` and no live lease of another owner, or ``sending``
    with an expired lease (its sender died). One query per state walks the index and
    stops at ``scan``, so the cost does not grow with the backlog. On PostgreSQL the rows
    are locked ``FOR UPDATE SKIP LOCKED`` (workers claiming at once share them); on
    SQLite the caller's ``BEGIN IMMEDIATE`` serialises claims."""
    rows = conn.execute(
        _verdicts_statement(), {"claim_now": now, "claim_owner": owner, "claim_scan": scan}
    )
    return [Verdict(*row) for row in rows if row[-1] != WAITS]


def take_leases(
    conn: Connection, delivery_ids: Collection[int], *, owner: str, now: datetime, until: datetime
) -> list[DeliveryRecord]:
    """Move these deliveries to ``sending`` (one attempt more) under ``owner``'s lease
    until ``until``; the ones taken over from a sender whose lease ran out (``sending``
    before) are marked possibly duplicated. Returns them as they now are, by id (one
    ``UPDATE ... RETURNING``, no second read)."""
    if not delivery_ids:
        return []
    values = {"lease_ids": list(delivery_ids), "lease_owner_": owner, "lease_until": until}
    result = conn.execute(_lease_statement(), {**values, "lease_now": now})
    return sorted((_record(row) for row in result), key=lambda record: record.id)


def leases_with_verdicts(conn: Connection) -> bool:
    """Whether :func:`claim_and_lease` serves this database (one statement that decides
    and leases: PostgreSQL's data-modifying CTEs); elsewhere :func:`claim_verdicts` then
    :func:`take_leases`."""
    return conn.dialect.name == "postgresql"


def claim_and_lease(
    conn: Connection, *, owner: str, now: datetime, scan: int, limit: int, until: datetime
) -> tuple[list[Verdict], list[DeliveryRecord]]:
    """:func:`claim_verdicts` and :func:`take_leases` of the first ``limit`` claimable
    ones, in one statement (one round trip): the verdicts of the leased and the
    superseded deliveries (as read, before the lease), and the leased ones as they now
    are, by id."""
    rows = conn.execute(
        _claim_statement(),
        {"claim_now": now, "claim_owner": owner, "claim_scan": scan, "claim_limit": limit,
         "lease_owner_": owner, "lease_until": until, "lease_now": now},
    )  # fmt: skip
    verdicts: list[Verdict] = []
    leased: list[DeliveryRecord] = []
    width = len(Verdict.__slots__)
    names = [column.name for column in deliveries.columns]
    for row in rows:
        verdicts.append(Verdict(*row[:width]))
        if row[width] is not None:
            leased.append(_record_of(dict(zip(names, row[width:], strict=True))))
    return verdicts, sorted(leased, key=lambda record: record.id)


def cancel_superseded(
    conn: Connection, delivery_ids: Collection[int], *, state: str, reason: str, now: datetime
) -> None:
    """Cancel these deliveries, if still in ``state`` (the one they were read in), with
    ``reason``; ones interrupted while ``sending`` are marked possibly duplicated (an
    earlier attempt may have left)."""
    if not delivery_ids:
        return
    interrupted = state == SENDING
    conn.execute(
        _cancel_statement(),
        {
            "cancel_ids": list(delivery_ids),
            "cancel_state": state,
            "cancel_reason": (
                f"{reason}; an earlier attempt may have been sent" if interrupted else reason
            ),
            "cancel_duplicate": interrupted,
            "cancel_now": now,
        },
    )


_STATES = {state.value: state for state in DeliveryState}


def _record(row: Any) -> DeliveryRecord:
    """A returned ``deliveries`` row (every column, in the table's order) as a record."""
    return _record_of(row._asdict())


def _record_of(values: dict[str, Any]) -> DeliveryRecord:
    values["state"] = _STATES[values["state"]]
    values["possibly_duplicate"] = bool(values["possibly_duplicate"])
    return DeliveryRecord(**values)


# --------------------------------------------------------------------------- statements


def _unleased(table: Any) -> ColumnElement[bool]:
    """No live lease of another owner on this row."""
    return or_(
        table.c.lease_owner.is_(None),
        table.c.lease_owner == _OWNER,
        table.c.lease_expires_at <= _NOW,
    )


def _claimable(table: Any) -> ColumnElement[bool]:
    """The row is due for this owner: pending and due, or ``sending`` past its lease."""
    return or_(
        and_(_is(table.c.state, *PENDING), table.c.due_at <= _NOW, _unleased(table)),
        and_(_is(table.c.state, SENDING), table.c.lease_expires_at <= _NOW),
    )


def _resolved_since(incident: Any, message_id: Any) -> ColumnElement[bool]:
    """The incident has a ``resolved`` message newer than ``message_id``."""
    resolution = messages.alias()
    return (
        select(resolution.c.id)
        .where(
            resolution.c.incident_id == incident,
            _is(resolution.c.phase, RESOLVED),
            resolution.c.id > message_id,
        )
        .correlate_except(resolution)
        .exists()
    )


def _newer_on_key(
    incident: Any, channel: Any, recipient: Any, message_id: Any, phase: Any
) -> ColumnElement[bool]:
    """A newer message of the incident went (or goes) to the same channel and recipient;
    a postmortem does not count against a resolution (it waits for it instead)."""
    newer = messages.alias()
    return (
        select(newer.c.id)
        .where(
            newer.c.incident_id == incident,
            newer.c.id > message_id,
            or_(not_(_is(phase, RESOLVED)), not_(_is(newer.c.phase, POSTMORTEM))),
            _delivered_on_key(newer, channel, recipient, lambda _other: true()),
        )
        .correlate_except(newer)
        .exists()
    )


def _delivered_on_key(
    message: Any, channel: Any, recipient: Any, where: Callable[[Any], ColumnElement[bool]]
) -> ColumnElement[bool]:
    """``message`` has a delivery to this channel and recipient for which ``where`` holds
    (looked up by the ``(message_id, channel, recipient)`` key, never by recipient alone:
    one recipient, "", is most rows)."""
    other = deliveries.alias()
    return (
        select(other.c.id)
        .where(
            other.c.message_id == message.c.id,
            other.c.channel == channel,
            other.c.recipient == recipient,
            where(other),
        )
        .correlate_except(other)
        .exists()
    )


def _waits(window: Any, message: Any) -> ColumnElement[bool]:
    """An earlier message of the incident on the same channel and recipient must go first:
    one being sent, or for a postmortem a resolution not delivered yet, unless that one is
    itself due and superseded (this claim cancels it)."""
    earlier_message = messages.alias()

    def holds_back(earlier: Any) -> ColumnElement[bool]:
        superseded = or_(
            _resolved_since(earlier_message.c.incident_id, earlier.c.message_id),
            _newer_on_key(
                earlier_message.c.incident_id,
                earlier.c.channel,
                earlier.c.recipient,
                earlier.c.message_id,
                earlier_message.c.phase,
            ),
        )
        undelivered_resolution = and_(
            _is(message.c.phase, POSTMORTEM),
            _is(earlier_message.c.phase, RESOLVED),
            _is(earlier.c.state, *PENDING),
        )
        return and_(
            or_(_is(earlier.c.state, SENDING), undelivered_resolution),
            not_(and_(_claimable(earlier), superseded)),
        )

    return (
        select(earlier_message.c.id)
        .where(
            earlier_message.c.incident_id == message.c.incident_id,
            earlier_message.c.id < window.c.message_id,
            _delivered_on_key(earlier_message, window.c.channel, window.c.recipient, holds_back),
        )
        .correlate_except(earlier_message)
        .exists()
    )


def _due_window() -> Any:
    """The first ``scan`` due rows: one index walk per state, merged in claim order."""
    order = (deliveries.c.due_at, deliveries.c.message_id, deliveries.c.id)
    columns = (
        deliveries.c.id,
        deliveries.c.message_id,
        deliveries.c.channel,
        deliveries.c.recipient,
        deliveries.c.state,
        deliveries.c.lease_owner,
        deliveries.c.due_at,
    )
    arms = [
        and_(_is(deliveries.c.state, state), deliveries.c.due_at <= _NOW, _unleased(deliveries))
        for state in PENDING
    ]
    arms.append(and_(_is(deliveries.c.state, SENDING), deliveries.c.lease_expires_at <= _NOW))
    walks = [
        select(*columns)
        .where(where)
        .order_by(*order)
        .limit(_SCAN)
        .with_for_update(skip_locked=True, of=deliveries)
        .cte(f"due_{index}")
        for index, where in enumerate(arms)
    ]
    merged = union_all(*[select(walk) for walk in walks]).subquery("due_all")
    return (
        select(merged)
        .order_by(merged.c.due_at, merged.c.message_id, merged.c.id)
        .limit(_SCAN)
        .subquery("due")
    )


@cache
def _verdicts_statement() -> Executable:
    return _verdict_select(with_due=False)


def _verdict_select(*, with_due: bool) -> Select[Any]:
    """Each due row of the window with its verdict. ``with_due`` (PostgreSQL's claim):
    with its ``due_at``, and each row's message looked up by its key (``LATERAL``): a plain
    join lets PostgreSQL's planner hash the whole ``messages`` table for a window of a few
    hundred rows (6 of the claim's 10 ms at 100,000 due, and growing with the store)."""
    window = _due_window()
    if with_due:
        message: Any = (
            select(messages.c.id, messages.c.incident_id, messages.c.phase)
            .where(messages.c.id == window.c.message_id)
            .limit(1)
            .lateral("due_message")
        )
        joined = true()
    else:
        message = messages.alias("due_message")
        joined = message.c.id == window.c.message_id
    verdict = case(
        (_resolved_since(message.c.incident_id, window.c.message_id), _number(RESOLVED_SINCE)),
        (
            _newer_on_key(
                message.c.incident_id,
                window.c.channel,
                window.c.recipient,
                window.c.message_id,
                message.c.phase,
            ),
            _number(SUPERSEDED),
        ),
        (_waits(window, message), _number(WAITS)),
        else_=_number(CLAIMABLE),
    ).label("verdict")
    return (
        select(
            window.c.id,
            window.c.message_id,
            window.c.channel,
            window.c.state,
            window.c.lease_owner,
            message.c.incident_id,
            verdict,
            *((window.c.due_at,) if with_due else ()),
        )
        .join(message, joined)
        .order_by(window.c.due_at, window.c.message_id, window.c.id)
    )


def _lease_values() -> dict[str, Any]:
    """What a lease sets: ``sending``, one attempt more, the owner and the lease's end;
    possibly duplicated when taken over from ``sending``."""
    was_sending = _is(deliveries.c.state, SENDING)
    return {
        "state": SENDING,
        "attempts": deliveries.c.attempts + 1,
        "lease_owner": bindparam("lease_owner_", type_=deliveries.c.lease_owner.type),
        "lease_expires_at": bindparam("lease_until", type_=deliveries.c.due_at.type),
        "updated_at": bindparam("lease_now", type_=deliveries.c.due_at.type),
        "possibly_duplicate": case((was_sending, True), else_=deliveries.c.possibly_duplicate),
    }


@cache
def _lease_statement() -> Executable:
    return (
        update(deliveries)
        .where(deliveries.c.id.in_(bindparam("lease_ids", expanding=True)))
        .values(**_lease_values())
        .returning(*deliveries.columns)
    )


@cache
def _claim_statement() -> Executable:
    """PostgreSQL: :func:`_verdicts_statement` and :func:`_lease_statement` in one, the
    lease a data-modifying CTE over the first ``claim_limit`` claimable rows; the rows of
    the leased ones and of the superseded ones, in claim order."""
    found = _verdict_select(with_due=True).cte("verdicts")
    order = (found.c.due_at, found.c.message_id, found.c.id)
    chosen = (
        select(found.c.id)
        .where(found.c.verdict == _number(CLAIMABLE))
        .order_by(*order)
        .limit(_LIMIT)
    )
    leased = (
        update(deliveries)
        .where(deliveries.c.id.in_(chosen))
        .values(**_lease_values())
        .returning(*deliveries.columns)
        .cte("leased")
    )
    verdict = (found.c.id, found.c.message_id, found.c.channel, found.c.state,
               found.c.lease_owner, found.c.incident_id, found.c.verdict)  # fmt: skip
    return (
        select(*verdict, *(leased.c[c.name].label(f"leased_{c.name}") for c in deliveries.columns))
        .select_from(found.outerjoin(leased, leased.c.id == found.c.id))
        .where(
            or_(
                found.c.verdict.in_([_number(RESOLVED_SINCE), _number(SUPERSEDED)]),
                leased.c.id.is_not(None),
            )
        )
        .order_by(*order)
    )


@cache
def _cancel_statement() -> Executable:
    return (
        update(deliveries)
        .where(
            deliveries.c.id.in_(bindparam("cancel_ids", expanding=True)),
            deliveries.c.state == bindparam("cancel_state"),
        )
        .values(
            state=DeliveryState.CANCELLED.value,
            due_at=None,
            lease_owner=None,
            lease_expires_at=None,
            possibly_duplicate=deliveries.c.possibly_duplicate
            | bindparam("cancel_duplicate", type_=deliveries.c.possibly_duplicate.type),
            last_error=bindparam("cancel_reason"),
            updated_at=bindparam("cancel_now", type_=deliveries.c.due_at.type),
        )
    )
