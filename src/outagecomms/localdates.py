"""Dates and times as a reader of each language expects them.

``next_update_at``, ``started_at`` and ``now`` reach templates as :class:`LocalMoment`
objects. ``{{ next_update_at }}`` prints the whole time expression a reader of the language
expects, without a preposition before it (the template writes "by", «до», «تا»), the date
first when it is not the same local day as now:

- en ``10:58 EET``, ``2 June, 10:58 EET``;
- fa ``۱۰:۵۸ (وقت ایران)``, ``۱۲ خرداد، ۱۰:۵۸ (وقت ایران)``;
- uk ``10:58 за київським часом``, ``2 червня о 10:58 за київським часом`` (zones without a
  city form here: ``за часом UTC+5:30``, ``за UTC``);
- lv ``plkst. 10.58 pēc Rīgas laika``, ``2. jūnijā plkst. 10.58 pēc Rīgas laika`` (else
  ``pēc UTC+5:30 laika``, ``pēc UTC laika``).

``.time``, ``.date``, ``.zone_name`` and ``.full`` give the parts and the dated form.
Persian uses the Solar Hijri calendar and Persian digits; other languages use CLDR data
through Babel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import jdatetime
from babel.dates import format_date, get_timezone_location

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# Day-month patterns that read naturally in each language (CLDR "MMMMd" skeleton).
_DAY_MONTH = {"en": "d MMMM", "uk": "d MMMM", "lv": "d. MMMM", "de": "d. MMMM"}

# Latvian says a date in a time expression in the locative: «2. jūnijā plkst. 10.58».
_LV_MONTHS_LOCATIVE = (
    "janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā",
    "jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī",
)  # fmt: skip

# «за київським часом»: the city's adjective (instrumental), for the zones readers know by
# their city. Other zones read «за часом UTC+2».
_UK_CITY_TIME = {
    "Europe/Kyiv": "київським",
    "Europe/Kiev": "київським",
    "Europe/Zaporozhye": "київським",
    "Europe/Uzhgorod": "київським",
    "Europe/Riga": "ризьким",
    "Europe/Vilnius": "вільнюським",
    "Europe/Tallinn": "таллінським",
    "Europe/Warsaw": "варшавським",
    "Europe/Chisinau": "кишинівським",
    "Europe/Bucharest": "бухарестським",
    "Europe/Budapest": "будапештським",
    "Europe/Prague": "празьким",
    "Europe/Bratislava": "братиславським",
    "Europe/Vienna": "віденським",
    "Europe/Berlin": "берлінським",
    "Europe/Paris": "паризьким",
    "Europe/Rome": "римським",
    "Europe/Madrid": "мадридським",
    "Europe/Lisbon": "лісабонським",
    "Europe/Amsterdam": "амстердамським",
    "Europe/Brussels": "брюссельським",
    "Europe/London": "лондонським",
    "Europe/Dublin": "дублінським",
    "Europe/Stockholm": "стокгольмським",
    "Europe/Copenhagen": "копенгагенським",
    "Europe/Athens": "афінським",
    "Europe/Sofia": "софійським",
    "Europe/Istanbul": "стамбульським",
    "Europe/Minsk": "мінським",
    "Europe/Moscow": "московським",
    "Asia/Tehran": "тегеранським",
    "Asia/Dubai": "дубайським",
    "Asia/Tokyo": "токійським",
    "America/New_York": "нью-йоркським",
}

# «pēc Rīgas laika»: the city in the genitive. Other zones read «pēc UTC+2 laika».
_LV_CITY_TIME = {
    "Europe/Riga": "Rīgas",
    "Europe/Vilnius": "Viļņas",
    "Europe/Tallinn": "Tallinas",
    "Europe/Helsinki": "Helsinku",
    "Europe/Stockholm": "Stokholmas",
    "Europe/Copenhagen": "Kopenhāgenas",
    "Europe/Oslo": "Oslo",
    "Europe/Kyiv": "Kijivas",
    "Europe/Kiev": "Kijivas",
    "Europe/Warsaw": "Varšavas",
    "Europe/Prague": "Prāgas",
    "Europe/Vienna": "Vīnes",
    "Europe/Budapest": "Budapeštas",
    "Europe/Bucharest": "Bukarestes",
    "Europe/Sofia": "Sofijas",
    "Europe/Athens": "Atēnu",
    "Europe/Berlin": "Berlīnes",
    "Europe/Paris": "Parīzes",
    "Europe/Rome": "Romas",
    "Europe/Madrid": "Madrides",
    "Europe/Lisbon": "Lisabonas",
    "Europe/Amsterdam": "Amsterdamas",
    "Europe/Brussels": "Briseles",
    "Europe/London": "Londonas",
    "Europe/Dublin": "Dublinas",
    "Europe/Istanbul": "Stambulas",
    "Europe/Minsk": "Minskas",
    "Europe/Moscow": "Maskavas",
    "Asia/Tehran": "Teherānas",
    "Asia/Tokyo": "Tokijas",
    "America/New_York": "Ņujorkas",
}


def localize_digits(text: str, lang: str) -> str:
    """Persian text is written with Persian digits."""
    return text.translate(PERSIAN_DIGITS) if lang == "fa" else text


@lru_cache(maxsize=256)
def _persian_place(zone: ZoneInfo) -> str:
    """The zone's place in Persian (``وقت ایران``), kept per zone: Babel is slow."""
    return str(get_timezone_location(zone, locale="fa", return_city=False))


def zone_label(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """A short zone name a customer recognises: ``UTC``, ``EET``, ``UTC+3:30``; in Persian
    the zone's place (``وقت ایران``)."""
    local = moment.astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    if lang == "fa":
        place = _persian_place(zone)
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


def _offset_of(moment: datetime, zone: ZoneInfo) -> str:
    return _offset_label(moment.astimezone(zone).utcoffset() or timedelta(0))


def zone_phrase(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """What follows the time: ``EET``, ``(وقت ایران)``, ``за київським часом``,
    ``pēc Rīgas laika``."""
    if lang == "uk":
        city = _UK_CITY_TIME.get(zone.key)
        if city:
            return f"за {city} часом"
        offset = _offset_of(moment, zone)
        return "за UTC" if offset == "UTC" else f"за часом {offset}"
    if lang == "lv":
        city = _LV_CITY_TIME.get(zone.key)
        return f"pēc {city or _offset_of(moment, zone)} laika"
    label = zone_label(moment, zone, lang)
    return f"({label})" if lang == "fa" else label


def time_phrase(moment: datetime, zone: ZoneInfo, lang: str, *, dated: bool) -> str:
    """The time expression of :class:`LocalMoment`, with the date first when ``dated``."""
    clock = format_clock(moment, zone, lang)
    zone_part = zone_phrase(moment, zone, lang)
    if lang == "lv":
        local = moment.astimezone(zone)
        day = f"{local.day}. {_LV_MONTHS_LOCATIVE[local.month - 1]} " if dated else ""
        return f"{day}plkst. {clock} {zone_part}"
    if not dated:
        return f"{clock} {zone_part}"
    day = format_day(moment, zone, lang)
    if lang == "uk":  # «об» before a vowel: об 11:00 (одинадцятій), о 10:00
        at = "об" if moment.astimezone(zone).hour == 11 else "о"
        return f"{day} {at} {clock} {zone_part}"
    comma = "،" if lang == "fa" else ","
    return f"{day}{comma} {clock} {zone_part}"


def format_day(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """``23 November``, ``23 листопада``, ``23. novembris``, ``۲ آذر``."""
    return _day_phrase(moment.astimezone(zone).date(), lang)


@lru_cache(maxsize=4096)
def _day_phrase(local: date, lang: str) -> str:
    """Kept per local day and language: Babel is slow, lint renders the same moments
    thousands of times, and a status page lists hundreds of incidents of a few days."""
    if lang == "fa":
        jalali = jdatetime.date.fromgregorian(date=local)
        month = jdatetime.date.j_months_fa[jalali.month - 1]
        return localize_digits(f"{jalali.day} {month}", lang)
    pattern = _DAY_MONTH.get(lang, "d MMMM")
    try:
        return str(format_date(local, pattern, locale=lang))
    except Exception:  # an unknown locale: fall back to English rather than fail a send
        return str(format_date(local, pattern, locale="en"))


def format_clock(moment: datetime, zone: ZoneInfo, lang: str) -> str:
    """24-hour ``14:30`` (Persian digits in Persian; Latvian writes ``14.30``)."""
    pattern = "%H.%M" if lang == "lv" else "%H:%M"
    return localize_digits(moment.astimezone(zone).strftime(pattern), lang)


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
        return time_phrase(self.moment, self.zone, self.lang, dated=True)

    @property
    def iso(self) -> str:
        return self.moment.astimezone(UTC).isoformat()

    def __str__(self) -> str:
        """The time and zone; the date too when it is not the same local day as now."""
        same_day = (
            self.moment.astimezone(self.zone).date() == self.reference.astimezone(self.zone).date()
        )
        return time_phrase(self.moment, self.zone, self.lang, dated=not same_day)


def format_elapsed(elapsed: timedelta, lang: str) -> str:
    """``1 hour 5 minutes`` in the reader's language (Babel's unit names), in whole
    minutes: kept per number of minutes and language (every incident of a day has its own
    exact duration; lint asks for the same ones thousands of times)."""
    return _elapsed_phrase(elapsed_minutes(elapsed), lang)


def elapsed_minutes(elapsed: timedelta) -> int:
    """The whole minutes an elapsed time's phrase says (never negative)."""
    return max(0, int(elapsed.total_seconds() // 60))


@lru_cache(maxsize=4096)
def _unit_phrase(value: int, unit: str, lang: str) -> str:
    """Babel's ``format_unit`` of a whole number, kept: an elapsed phrase is made of an hour
    part and a minute part, and lint's worst case asks for every pair of them."""
    from babel.units import format_unit

    return str(format_unit(value, unit, locale=lang))


@lru_cache(maxsize=4096)
def _elapsed_phrase(whole_minutes: int, lang: str) -> str:
    hours, minutes = divmod(whole_minutes, 60)
    if lang == "fa":  # CLDR's Persian unit names are not in Babel's data
        words = [f"{hours} ساعت"] if hours else []
        if minutes or not hours:
            words.append(f"{minutes} دقیقه")
        return localize_digits(" و ".join(words), lang)
    parts: list[str] = []
    try:
        if hours:
            parts.append(_unit_phrase(hours, "duration-hour", lang))
        if minutes or not hours:
            parts.append(_unit_phrase(minutes, "duration-minute", lang))
    except Exception:
        return _elapsed_phrase(whole_minutes, "en") if lang != "en" else f"{hours}h {minutes}m"
    joiner = " و " if lang == "fa" else " "
    return localize_digits(joiner.join(parts), lang)
