"""Moments as people write them for a maintenance window: ISO 8601 with a zone
(``2026-06-14T22:00+03:00``, ``2026-06-14T19:00Z``) or relative to now (``+2h``, ``+1d2h``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outagecomms.durations import parse_duration

LONGEST_AHEAD = timedelta(days=400)
"""A window further ahead than this is a typo (a year written wrong), not a plan."""

FORMS = "write it like 2026-06-14T22:00+03:00, 2026-06-14T19:00Z or +2h"


def parse_iso_moment(text: str) -> datetime:
    """An ISO 8601 moment that names its zone, as aware UTC; else a ``ValueError``."""
    cleaned = text.strip()
    try:
        moment = datetime.fromisoformat(cleaned.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"{text!r} is not a moment; {FORMS}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone; add one ({FORMS})")
    return moment.astimezone(UTC)


def parse_moment(text: str, now: datetime) -> datetime:
    """``+2h`` (from ``now``) or an ISO 8601 moment with its zone, as aware UTC."""
    cleaned = text.strip()
    if cleaned.startswith("+"):
        try:
            return now.astimezone(UTC) + parse_duration(cleaned[1:], LONGEST_AHEAD)
        except ValueError as exc:
            raise ValueError(f"{text!r}: {exc}") from None
    moment = parse_iso_moment(cleaned)
    if moment - now > LONGEST_AHEAD:
        raise ValueError(f"{text!r} is more than {LONGEST_AHEAD.days} days ahead; check the year")
    return moment
