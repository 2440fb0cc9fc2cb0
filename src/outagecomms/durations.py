"""Durations as people write them in runbooks and on the command line: ``90s``, ``15m``, ``2h``."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([smhd])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[smhd]\s*)+$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """Parse ``90s``, ``15m``, ``2h``, ``1d`` or a combination such as ``1h30m``.

    Raises ``ValueError`` with a message that shows the accepted forms.
    """
    cleaned = text.strip().lower()
    if not _WHOLE.match(cleaned):
        raise ValueError(f"{text!r} is not a duration; write it like 90s, 15m, 2h or 1h30m")
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(cleaned))
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration; write it like 90s, 15m or 2h")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest canonical spelling, the inverse of :func:`parse_duration`."""
    seconds = int(value.total_seconds())
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
