"""The status page's components: each with its status now and a 90-day history bar (the
worst status of each day in the site's time zone), from the store's status changes.

Pure data for the templates (``_components.html``) and ``summary.json``; the words around
it (status names, headings) in the page's languages are :data:`WORDS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from outagecomms.components.catalog import Catalog, load_catalog
from outagecomms.components.statuses import ComponentStatus, worst
from outagecomms.errors import ConfigError
from outagecomms.limits import Limits
from outagecomms.localdates import format_day
from outagecomms.logs import get_logger
from outagecomms.store import components_repo
from outagecomms.store.components_repo import ComponentChange

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

log = get_logger(__name__)

BAR_DAYS = 90

WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "components": "Components",
        "operational": "Operational",
        "degraded_performance": "Degraded performance",
        "partial_outage": "Partial outage",
        "major_outage": "Major outage",
        "under_maintenance": "Under maintenance",
        "bar": "Status over the last {days} days",
        "days_ago": "{days} days ago",
        "today": "Today",
        "subscribe": "Subscribe to updates",
        "subscribe_address": "Email address or phone number",
        "subscribe_button": "Subscribe",
        "subscribe_note": (
            "We send a confirmation first, and nothing else until you open its link."
        ),
    },
    "fa": {
        "components": "بخش‌های سرویس",
        "operational": "عادی",
        "degraded_performance": "کاهش کارایی",
        "partial_outage": "اختلال جزئی",
        "major_outage": "اختلال گسترده",
        "under_maintenance": "در حال نگهداری",
        "bar": "وضعیت در {days} روز گذشته",
        "days_ago": "{days} روز پیش",
        "today": "امروز",
        "subscribe": "دریافت به‌روزرسانی‌ها",
        "subscribe_address": "نشانی ایمیل یا شماره تلفن",
        "subscribe_button": "اشتراک",
        "subscribe_note": (
            "نخست پیام تأیید می‌فرستیم و تا پیوند آن را باز نکنید، پیام دیگری نمی‌فرستیم."
        ),
    },
    "uk": {
        "components": "Складові сервісу",
        "operational": "Працює",
        "degraded_performance": "Знижена швидкодія",
        "partial_outage": "Частковий збій",
        "major_outage": "Серйозний збій",
        "under_maintenance": "Технічне обслуговування",
        "bar": "Стан за останні {days} днів",
        "days_ago": "{days} днів тому",
        "today": "Сьогодні",
        "subscribe": "Підписатися на оновлення",
        "subscribe_address": "Електронна адреса або номер телефону",
        "subscribe_button": "Підписатися",
        "subscribe_note": (
            "Спершу ми надішлемо підтвердження, і нічого "
            "іншого, доки ви не відкриєте його посилання."
        ),
    },
    "lv": {
        "components": "Pakalpojuma daļas",
        "operational": "Darbojas",
        "degraded_performance": "Samazināta veiktspēja",
        "partial_outage": "Daļēji traucējumi",
        "major_outage": "Būtiski traucējumi",
        "under_maintenance": "Apkope",
        "bar": "Statuss pēdējās {days} dienās",
        "days_ago": "pirms {days} dienām",
        "today": "Šodien",
        "subscribe": "Abonēt jaunumus",
        "subscribe_address": "E-pasta adrese vai tālruņa numurs",
        "subscribe_button": "Abonēt",
        "subscribe_note": (
            "Vispirms nosūtām apstiprinājumu, un neko citu, kamēr neatverat tā saiti."
        ),
    },
}


def words(lang: str) -> Mapping[str, str]:
    return WORDS.get(lang, WORDS["en"])


@dataclass(frozen=True)
class Day:
    """One day of a history bar: its date, the worst status it saw, and its label."""

    day: date
    status: str
    label: str


@dataclass(frozen=True)
class SiteComponent:
    id: str
    name: str
    group: str | None
    group_name: str | None
    status: str
    updated_at: datetime | None
    position: int
    days: list[Day] = field(default_factory=list)

    @property
    def is_operational(self) -> bool:
        return self.status == ComponentStatus.OPERATIONAL.value


@dataclass(frozen=True)
class SiteGroup:
    """Components under one heading (``id`` None: those without a group)."""

    id: str | None
    name: str | None
    components: list[SiteComponent]

    @property
    def status(self) -> str:
        return worst(c.status for c in self.components).value


def project_catalog(root: Path, limits: Limits) -> Catalog:
    """The project's components; a broken ``components.yaml`` shows none (logged, and
    ``lint`` names the problem) rather than stop the page being rebuilt."""
    try:
        return load_catalog(root, limits)
    except ConfigError as exc:
        log.warning("site.components_unreadable", error=str(exc))
        return Catalog()


def read_changes(conn: Connection, now: datetime, days: int = BAR_DAYS) -> list[ComponentChange]:
    """The changes a history bar of ``days`` days before ``now`` needs (a day's margin for
    time zones)."""
    return components_repo.changes_since(conn, now - timedelta(days=days + 1))


def site_components(
    catalog: Catalog,
    changes: Sequence[ComponentChange],
    *,
    lang: str,
    zone: ZoneInfo,
    now: datetime,
    days: int = BAR_DAYS,
) -> list[SiteComponent]:
    """Every component of ``catalog`` in file order, with its status now and its bar."""
    by_component: dict[str, list[ComponentChange]] = {}
    for change in changes:
        by_component.setdefault(change.component, []).append(change)
    today = now.astimezone(zone).date()
    dates = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
    found = []
    for position, component in enumerate(catalog.components, start=1):
        history = by_component.get(component.id, [])
        latest = history[-1] if history else None
        status = latest.status if latest else ComponentStatus.OPERATIONAL.value
        bar = []
        for day in dates:
            start = datetime.combine(day, time(), zone)
            end = min(datetime.combine(day + timedelta(days=1), time(), zone), now)
            worst_status = _worst_between(history, start, end)
            label = f"{format_day(start, zone, lang)}: {words(lang)[worst_status]}"
            bar.append(Day(day, worst_status, label))
        found.append(
            SiteComponent(
                id=component.id,
                name=catalog.name_of(component.id, lang),
                group=component.group,
                group_name=catalog.group_name(component.group, lang) if component.group else None,
                status=status,
                updated_at=latest.at if latest else None,
                position=position,
                days=bar,
            )
        )
    return found


def _worst_between(history: Sequence[ComponentChange], start: datetime, end: datetime) -> str:
    """The worst status in effect at any moment of ``[start, end)``."""
    seen: list[str] = []
    before = [c for c in history if c.at < start]
    seen.append(before[-1].status if before else ComponentStatus.OPERATIONAL.value)
    seen += [c.status for c in history if start <= c.at < end]
    return worst(seen).value


def grouped(components: Sequence[SiteComponent]) -> list[SiteGroup]:
    """The components by group, groups in the order of their first component."""
    groups: dict[str | None, SiteGroup] = {}
    for component in components:
        key = component.group
        if key not in groups:
            groups[key] = SiteGroup(key, component.group_name, [])
        groups[key].components.append(component)
    return list(groups.values())
