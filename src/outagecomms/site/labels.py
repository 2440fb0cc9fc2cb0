"""The status page's own words (headings, labels, phase names) in the project's languages,
and which languages are written right to left.

Message texts come from the approved runbooks; these are only the page's frame. A language
without a table here uses English labels around its (correctly marked) messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from babel import Locale, UnknownLocaleError

RTL_LANGUAGES: Final = frozenset({"ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})
"""Right-to-left languages, for when Babel does not know the code."""

LABELS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "language_name": "English",
        "language": "Language",
        "site_name": "Service status",
        "skip": "Skip to content",
        "open": "Current incidents",
        "none_open": "All systems are working normally.",
        "components_affected": "Not working normally",
        "no_incidents": "No incidents are open.",
        "list_separator": ", ",
        "history": "Recent incidents",
        "no_history": "No incidents in the last {days} days.",
        "next_update": "Next update",
        "scope": "Affected",
        "phase": "Status",
        "severity": "Severity",
        "started": "Started",
        "resolved_at": "Resolved",
        "latest": "Latest update",
        "timeline": "Updates",
        "details": "Full timeline",
        "feed": "Atom feed",
        "summary": "JSON summary",
        "home": "Status page",
        "generated": "Page built",
        "automatic": "scheduled update",
        "own_words": "written by our on-call team",
        "correction": "Correction",
        "investigating": "Investigating",
        "identified": "Identified",
        "monitoring": "Monitoring",
        "update": "Update",
        "resolved": "Resolved",
        "postmortem": "Post-incident report",
        "critical": "Critical",
        "major": "Major",
        "minor": "Minor",
    },
    "fa": {
        "language_name": "فارسی",
        "language": "زبان",
        "site_name": "وضعیت سرویس",
        "skip": "پرش به محتوا",
        "open": "رخدادهای جاری",
        "none_open": "همه سرویس‌ها به‌طور عادی کار می‌کنند.",
        "components_affected": "بخش‌هایی که عادی کار نمی‌کنند",
        "no_incidents": "رخداد بازی وجود ندارد.",
        "list_separator": "، ",
        "history": "رخدادهای اخیر",
        "no_history": "در {days} روز گذشته رخدادی نبوده است.",
        "next_update": "به‌روزرسانی بعدی",
        "scope": "دامنهٔ اثر",
        "phase": "وضعیت",
        "severity": "شدت",
        "started": "شروع",
        "resolved_at": "برطرف شد",
        "latest": "آخرین به‌روزرسانی",
        "timeline": "به‌روزرسانی‌ها",
        "details": "روند کامل رخداد",
        "feed": "خوراک Atom",
        "summary": "خلاصهٔ JSON",
        "home": "صفحهٔ وضعیت",
        "generated": "ساخت صفحه",
        "automatic": "به‌روزرسانی زمان‌بندی‌شده",
        "own_words": "نوشته تیم پاسخ‌گویی",
        "correction": "اصلاحیه",
        "investigating": "در حال بررسی",
        "identified": "علت شناسایی شد",
        "monitoring": "در حال پایش",
        "update": "به‌روزرسانی",
        "resolved": "برطرف شد",
        "postmortem": "گزارش پس از رخداد",
        "critical": "بحرانی",
        "major": "جدی",
        "minor": "جزئی",
    },
    "uk": {
        "language_name": "Українська",
        "language": "Мова",
        "site_name": "Стан сервісу",
        "skip": "Перейти до вмісту",
        "open": "Поточні інциденти",
        "none_open": "Усі системи працюють у звичайному режимі.",
        "components_affected": "Працюють не у звичайному режимі",
        "no_incidents": "Відкритих інцидентів немає.",
        "list_separator": ", ",
        "history": "Нещодавні інциденти",
        "no_history": "За останні {days} днів інцидентів не було.",
        "next_update": "Наступне оновлення",
        "scope": "Кого стосується",
        "phase": "Стан",
        "severity": "Важливість",
        "started": "Початок",
        "resolved_at": "Вирішено",
        "latest": "Останнє оновлення",
        "timeline": "Оновлення",
        "details": "Уся хронологія",
        "feed": "Стрічка Atom",
        "summary": "Зведення JSON",
        "home": "Сторінка стану",
        "generated": "Сторінку створено",
        "automatic": "планове оновлення",
        "own_words": "написано черговою командою",
        "correction": "Виправлення",
        "investigating": "З'ясовуємо",
        "identified": "Причину знайдено",
        "monitoring": "Спостерігаємо",
        "update": "Оновлення",
        "resolved": "Вирішено",
        "postmortem": "Звіт після інциденту",
        "critical": "Критичний",
        "major": "Значний",
        "minor": "Незначний",
    },
    "lv": {
        "language_name": "Latviešu",
        "language": "Valoda",
        "site_name": "Pakalpojuma statuss",
        "skip": "Pāriet uz saturu",
        "open": "Pašreizējie incidenti",
        "none_open": "Visas sistēmas darbojas kā parasti.",
        "components_affected": "Nedarbojas kā parasti",
        "no_incidents": "Atvērtu incidentu nav.",
        "list_separator": ", ",
        "history": "Nesenie incidenti",
        "no_history": "Pēdējās {days} dienās incidentu nav bijis.",
        "next_update": "Nākamā ziņa",
        "scope": "Ietekmēti",
        "phase": "Statuss",
        "severity": "Nozīmīgums",
        "started": "Sākums",
        "resolved_at": "Atrisināts",
        "latest": "Jaunākā ziņa",
        "timeline": "Ziņas",
        "details": "Visa hronoloģija",
        "feed": "Atom plūsma",
        "summary": "JSON kopsavilkums",
        "home": "Statusa lapa",
        "generated": "Lapa izveidota",
        "automatic": "plānota ziņa",
        "own_words": "rakstījusi dežūrkomanda",
        "correction": "Labojums",
        "investigating": "Noskaidrojam",
        "identified": "Cēlonis atrasts",
        "monitoring": "Sekojam līdzi",
        "update": "Ziņa",
        "resolved": "Atrisināts",
        "postmortem": "Pārskats pēc incidenta",
        "critical": "Kritisks",
        "major": "Būtisks",
        "minor": "Neliels",
    },
}


def labels(lang: str) -> Mapping[str, str]:
    """The page's words in ``lang`` (English where a language has no table)."""
    return LABELS.get(lang.split("-", 1)[0], LABELS["en"])


def language_name(lang: str) -> str:
    """The language's name in itself (``English``, ``فارسی``), for the language switcher."""
    table = LABELS.get(lang)
    if table is not None:
        return table["language_name"]
    try:
        name = Locale.parse(lang.replace("-", "_")).get_display_name(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return lang
    return (name or lang)[:1].upper() + (name or lang)[1:]


def direction(lang: str | None) -> str:
    """``rtl`` for right-to-left languages (Persian, Arabic, Hebrew, ...), else ``ltr``."""
    if not lang:
        return "ltr"
    base = lang.split("-", 1)[0]
    if base in RTL_LANGUAGES:
        return "rtl"
    try:
        order = Locale.parse(base).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"
