"""Dates and times as a reader of each language expects them.

``next_update_at`` and ``started_at`` reach templates as :class:`LocalMoment` objects:
``{{ next_update_at }}`` prints the time (with the date when it is not today) and the
zone; ``.time``, ``.date`` and ``.zone`` give the parts. Persian uses the Solar Hijri
calendar and Persian digits; other languages use CLDR data through Babel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import jdatetime
from babel.dates import format_date, get_timezone_location

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# Day-month patterns that read naturally in each language (CLDR "MMMMd" skeleton).
_DAY_MONTH = {"en": "d MMMM", "uk": "d MMMM", "lv": "d. MMMM", "de": "d. MMMM"}


def localize_digits(text: str, lang: str) -> str:
    """Persian text is written with Persian digits."""
    return text.translate(PERSIAN_DIGITS) if lang == "fa" else text


def zone_label(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """A short zone name a customer recognises: ``UTC``, ``EET``, ``UTC+3:30``; in Persian
    the zone's place (``وقت ایران``)."""
    local = moment.astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    if lang == "fa":
        place = str(get_timezone_location(zone, locale="fa", return_city=False))
        if zone.key not in {"UTC", "Etc/UTC"} and not any("a" <= c.lower() <= "z" for c in place):
            return place
        return localize_digits(_offset_label(offset), lang)
    abbreviation = local.strftime("%Z")
    if abbreviation.isalpha():
        return abbreviation
    return _offset_label(offset)


def _offset_label(offset: timedelta) -> str:
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_day(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """``23 November``, ``23 листопада``, ``23. novembris``, ``۲ آذر``."""
    local = moment.astimezone(zone)
    if lang == "fa":
        jalali = jdatetime.date.fromgregorian(date=local.date())
        month = jdatetime.date.j_months_fa[jalali.month - 1]
        return localize_digits(f"{jalali.day} {month}", lang)
    pattern = _DAY_MONTH.get(lang, "d MMMM")
    try:
        return str(format_date(local, pattern, locale=lang))
    except Exception:  # an unknown locale: fall back to English rather than fail a send
        return str(format_date(local, pattern, locale="en"))


def format_clock(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """24-hour ``14:30`` (Persian digits in Persian)."""
    return localize_digits(moment.astimezone(zone).strftime("%H:%M"), lang)


@dataclass(frozen=True)
class LocalMoment:
    """A point in time as one channel's readers see it."""

    moment: datetime
    zone: ZoneInfo
    lang: str
    reference: datetime

    @property
    def time(self) -> str:
        return format_clock(self.moment, self.zone, self.lang)

    @property
    def date(self) -> str:
        return format_day(self.moment, self.zone, self.lang)

    @property
    def zone_name(self) -> str:
        return zone_label(self.moment, self.zone, self.lang)

    @property
    def full(self) -> str:
        """Date, time and zone, always."""
        comma = "،" if self.lang == "fa" else ","
        return f"{self.date}{comma} {self.time} {self._zone_suffix()}"

    @property
    def iso(self) -> str:
        return self.moment.astimezone(UTC).isoformat()

    def _zone_suffix(self) -> str:
        label = self.zone_name
        return f"({label})" if self.lang == "fa" else label

    def __str__(self) -> str:
        """The time and zone; the date too when it is not the same local day as now."""
        same_day = (
            self.moment.astimezone(self.zone).date() == self.reference.astimezone(self.zone).date()
        )
        if same_day:
            return f"{self.time} {self._zone_suffix()}"
        return self.full


def format_elapsed(elapsed: timedelta, lang: str) -> str:
    """``1 hour 5 minutes`` in the reader's language (Babel's unit names)."""
    from babel.units import format_unit

    minutes = max(0, int(elapsed.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if lang == "fa":  # CLDR's Persian unit names are not in Babel's data
        words = [f"{hours} ساعت"] if hours else []
        if minutes or not hours:
            words.append(f"{minutes} دقیقه")
        return localize_digits(" و ".join(words), lang)
    parts: list[str] = []
    try:
        if hours:
            parts.append(str(format_unit(hours, "duration-hour", locale=lang)))
        if minutes or not hours:
            parts.append(str(format_unit(minutes, "duration-minute", locale=lang)))
    except Exception:
        return format_elapsed(elapsed, "en") if lang != "en" else f"{hours}h {minutes}m"
    joiner = " و " if lang == "fa" else " "
    return localize_digits(joiner.join(parts), lang)
