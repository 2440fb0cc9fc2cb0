"""Durations in request bodies and ``routes.yaml``: ``30m``; ``0``/``off`` where an
interval may be switched off."""

from __future__ import annotations

from datetime import timedelta

from outagecomms.durations import OFF, parse_duration
from outagecomms.errors import UsageError


def duration(field: str, value: str | None, *, off_allowed: bool = False) -> timedelta | None:
    """``value`` as a duration (None stays None); with ``off_allowed``, ``0``/``off`` is
    zero. A bad value is a usage error naming ``field``."""
    if value is None:
        return None
    if off_allowed and value.strip().lower() in OFF:
        return timedelta(0)
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise UsageError(f"{field}: {exc}") from None
