"""Durations as people write them in runbooks and on the command line: ``90s``, ``15m``, ``2h``."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([smhd])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[smhd]\s*)+$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_MAX_DIGITS = 12
"""No part of a duration has more digits (999999999999s is 31,000 years): longer numbers
are refused before any arithmetic."""


def parse_duration(
    text: str, maximum: timedelta | None = None, setting: str = "max_duration"
) -> timedelta:
    """Parse ``90s``, ``15m``, ``2h``, ``1d`` or a combination such as ``1h30m``.

    Raises ``ValueError`` with a message that shows the accepted forms; a duration longer
    than ``maximum`` (the setting ``setting``) is one too.
    """
    cleaned = text.strip().lower()
    if len(cleaned) > 100 or not _WHOLE.match(cleaned):
        raise ValueError(f"{text!r} is not a duration; write it like 90s, 15m, 2h or 1h30m")
    parts = _PART.findall(cleaned)
    if any(len(n.lstrip("0")) > _MAX_DIGITS for n, _ in parts):
        raise ValueError(f"{text!r} is far too long a duration; write it like 90s, 15m or 2h")
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration; write it like 90s, 15m or 2h")
    if seconds > timedelta.max.total_seconds() // 2:
        raise ValueError(f"{text!r} is far too long a duration; write it like 90s, 15m or 2h")
    value = timedelta(seconds=seconds)
    if maximum is not None and value > maximum:
        from outagecomms.limits import raise_it

        raise ValueError(
            f"{text!r} is longer than {format_duration(maximum)}, the longest duration "
            f"allowed {raise_it(setting)}"
        )
    return value


OFF = frozenset({"0", "off", "none"})
"""How an interval that may be switched off (a flap cool-down) is switched off."""


def parse_cooldown(text: str) -> timedelta:
    """A flap cool-down: a duration (:func:`parse_duration`), or ``0``/``off``/``none`` for
    never re-opening (zero). Raises ``ValueError`` like :func:`parse_duration`."""
    if text.strip().lower() in OFF:
        return timedelta(0)
    return parse_duration(text)


def whole_minutes(span: timedelta) -> timedelta:
    """``span`` without its seconds, for a short human duration (``1h5m``)."""
    return timedelta(minutes=int(span.total_seconds() // 60))


def format_duration(value: timedelta) -> str:
    """The shortest canonical spelling, the inverse of :func:`parse_duration`."""
    seconds = int(value.total_seconds())
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
