"""The status page's history: one page per month (``history/2024-06.html``) listing the
incidents resolved in it, linked from the index, so the index, the feed and the summary
hold only a bounded window (the open incidents and those resolved in the last
``site_window_days``) while every incident stays findable.

A resolved incident belongs to the month (UTC) it was resolved in, the same in every
language tree, so the language switcher of a month page always leads to a page that is
there. A month with no incident has no page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final

from babel.dates import format_date

from outagecomms.localdates import localize_digits
from outagecomms.store.records import IncidentRecord

if TYPE_CHECKING:
    from outagecomms.site.listed import Listing

HISTORY_FOLDER = "history/"

LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "archive": "Earlier incidents by month",
        "month_heading": "Incidents resolved in {month}",
        "none_in_month": "No incidents were resolved this month.",
    },
    "fa": {
        "archive": "رخدادهای پیشین به تفکیک ماه",
        "month_heading": "رخدادهای برطرف‌شده در {month}",
        "none_in_month": "در این ماه رخدادی برطرف نشده است.",
    },
    "uk": {
        "archive": "Попередні інциденти за місяцями",
        "month_heading": "Інциденти, усунені за місяць: {month}",
        "none_in_month": "Цього місяця інцидентів не було.",
    },
    "lv": {
        "archive": "Iepriekšējie incidenti pa mēnešiem",
        "month_heading": "Novērstie incidenti: {month}",
        "none_in_month": "Šajā mēnesī incidentu nav bijis.",
    },
}


def history_labels(lang: str) -> Mapping[str, str]:
    return LABELS.get(lang, LABELS["en"])


def closed_at(record: IncidentRecord) -> datetime:
    """When a resolved incident ended (its start when the store has no resolution time)."""
    return record.resolved_at or record.started_at


def month_of(record: IncidentRecord) -> str | None:
    """The month whose history page lists ``record`` (``2024-06``); None while it is
    open."""
    if record.is_open:
        return None
    return f"{closed_at(record).astimezone(UTC):%Y-%m}"


def month_bounds(key: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of a month key in UTC."""
    year, month = (int(part) for part in key.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def month_path(key: str) -> str:
    return f"{HISTORY_FOLDER}{key}.html"


def month_name(key: str, lang: str) -> str:
    """``June 2024``, ``червень 2024``, ``ژوئن ۲۰۲۴``."""
    year, month = (int(part) for part in key.split("-"))
    try:
        text = str(format_date(date(year, month, 1), "LLLL y", locale=lang))
    except Exception:  # a language Babel does not know: English rather than no page
        text = str(format_date(date(year, month, 1), "LLLL y", locale="en"))
    return localize_digits(text, lang)


@dataclass(frozen=True)
class MonthLink:
    """One month the index links to."""

    key: str
    name: str

    @property
    def path(self) -> str:
        return month_path(self.key)


@dataclass(frozen=True)
class HistoryMonth:
    """One month's page: the incidents resolved in it, the most recently resolved first."""

    key: str
    name: str
    incidents: list[Listing] = field(default_factory=list)

    @property
    def path(self) -> str:
        return month_path(self.key)
