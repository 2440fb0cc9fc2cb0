"""Maintenance windows on the status page: the upcoming and running ones on the index,
in ``summary.json`` (Statuspage's ``scheduled_maintenances``) and in ``maintenance.ics``
(:mod:`outagecomms.site.ics`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from outagecomms.models import Runbook
from outagecomms.store.records import iso_utc, public_id
from outagecomms.store.window_rows import WindowRecord

STATUSPAGE_STATUS: Final = {
    "scheduled": "scheduled",
    "in_progress": "in_progress",
    "completed": "completed",
    "cancelled": "cancelled",
}
"""Statuspage's statuses of a scheduled maintenance (``cancelled`` is an extension)."""

LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "maintenance": "Scheduled maintenance",
        "maintenance_calendar": "Calendar (iCalendar)",
        "scheduled": "Scheduled",
        "in_progress": "Under way",
        "updates_on_time": "Updates on time: {n} of {m}",
    },
    "fa": {
        "maintenance": "نگهداری برنامه‌ریزی‌شده",
        "maintenance_calendar": "تقویم (iCalendar)",
        "scheduled": "برنامه‌ریزی‌شده",
        "in_progress": "در حال انجام",
        "updates_on_time": "به‌روزرسانی‌های به‌موقع: {n} از {m}",
    },
    "uk": {
        "maintenance": "Планові технічні роботи",
        "maintenance_calendar": "Календар (iCalendar)",
        "scheduled": "Заплановано",
        "in_progress": "Тривають",
        "updates_on_time": "Оновлення вчасно: {n} з {m}",
    },
    "lv": {
        "maintenance": "Plānotie apkopes darbi",
        "maintenance_calendar": "Kalendārs (iCalendar)",
        "scheduled": "Ieplānots",
        "in_progress": "Notiek",
        "updates_on_time": "Ziņas laikā: {n} no {m}",
    },
}


def maintenance_labels(lang: str) -> Mapping[str, str]:
    return LABELS.get(lang, LABELS["en"])


@dataclass(frozen=True)
class SiteWindow:
    """One maintenance window as the page shows it."""

    record: WindowRecord
    title: str

    @property
    def id(self) -> str:
        return self.record.ref

    @property
    def upcoming(self) -> bool:
        return self.record.status in ("scheduled", "in_progress")


def site_windows(
    records: Sequence[WindowRecord], runbooks: Mapping[str, Runbook | None], lang: str
) -> list[SiteWindow]:
    shown = []
    for record in records:
        runbook = runbooks.get(record.runbook_id)
        title = runbook.title_in(lang) if runbook else record.runbook_id
        shown.append(SiteWindow(record, title))
    return shown


def scheduled_maintenance_json(window: SiteWindow, base_url: str, page: str) -> dict[str, Any]:
    """One window in Statuspage's ``scheduled_maintenances`` shape."""
    w = window.record
    return {
        "id": w.ref,
        "name": window.title,
        "status": STATUSPAGE_STATUS.get(w.status, w.status),
        "impact": "maintenance",
        "created_at": iso_utc(w.created_at),
        "updated_at": iso_utc(w.updated_at),
        "started_at": iso_utc(w.started_at),
        "monitoring_at": None,
        "resolved_at": iso_utc(w.completed_at),
        "scheduled_for": iso_utc(w.starts_at),
        "scheduled_until": iso_utc(w.ends_at),
        "shortlink": f"{base_url}/incidents/{public_id(w.incident_number)}.html"
        if w.status != "scheduled"
        else f"{base_url}/maintenance.ics",
        "page_id": page,
        "incident_updates": [],
        "components": [{"id": c, "status": "under_maintenance"} for c in w.components],
        "sequence": w.sequence,
        "incident": public_id(w.incident_number),
    }
