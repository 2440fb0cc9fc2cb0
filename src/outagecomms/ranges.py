"""Estimates as ranges: ``2-4 hours`` is data, written in each reader's language.

The communication guide forbids exact short promises; an estimate variable of kind
``range`` takes ``LOW-HIGH UNIT`` (``2-4h``, ``30-60 minutes``, ``1–2 days``) and is
rendered as ``2–4 hours``, ``۲ تا ۴ ساعت``, ``2–4 години``, ``2–4 stundas``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from babel.units import format_unit

from outagecomms.localdates import localize_digits

Unit = Literal["minute", "hour", "day"]
MAX_BOUND = 99

_UNITS: dict[str, Unit] = {
    "m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day",
}  # fmt: skip
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|–|—|to)\s*(\d+)\s*([a-z]+)\s*$", re.IGNORECASE)
_PERSIAN_WORDS = {"minute": "دقیقه", "hour": "ساعت", "day": "روز"}


@dataclass(frozen=True)
class Range:
    low: int
    high: int
    unit: Unit


def parse_range(text: str) -> Range:
    """``2-4 hours`` -> ``Range(2, 4, "hour")``; anything else is a ``ValueError`` with the fix."""
    match = _RANGE.match(text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")))
    if not match or match.group(3).lower() not in _UNITS:
        raise ValueError(
            f"{text!r} is not a range; write it like 2-4h, 30-60 minutes or 1-2 days "
            "(an exact time over-promises)"
        )
    low, high = int(match.group(1)), int(match.group(2))
    if not 0 < low < high <= MAX_BOUND:
        raise ValueError(f"{text!r}: the range needs 0 < low < high <= {MAX_BOUND}, like 2-4h")
    return Range(low, high, _UNITS[match.group(3).lower()])


@lru_cache(maxsize=1024)
def format_range(value: Range, lang: str) -> str:
    """``2–4 hours`` in ``lang`` (kept per range and language: Babel is slow, and lint renders
    the same estimate in every message)."""
    if lang == "fa":
        return localize_digits(f"{value.low} تا {value.high} {_PERSIAN_WORDS[value.unit]}", lang)
    try:
        high = str(format_unit(value.high, f"duration-{value.unit}", locale=lang))
    except Exception:
        high = str(format_unit(value.high, f"duration-{value.unit}", locale="en"))
    return f"{value.low}–{high}"


def longest_range(lang: str) -> str:
    """The longest text a range can render to in ``lang`` (for worst-case length proofs)."""
    candidates = [
        format_range(Range(MAX_BOUND - 1, MAX_BOUND, unit), lang)
        for unit in ("minute", "hour", "day")
    ]
    candidates += [
        format_range(Range(1, n, u), lang) for n in (2, 3, 4, 5) for u in ("minute", "hour", "day")
    ]
    return max(candidates, key=len)
