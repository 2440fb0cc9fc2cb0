"""``maintenance.ics``: the maintenance windows as an RFC 5545 calendar.

One VEVENT per window: a UID that never changes (``mw-<id>@<page host>``), SEQUENCE raised
on every change (a reschedule, a cancellation), STATUS CONFIRMED or CANCELLED, DTSTART and
DTEND in UTC, and the times in the page's zone, with its name, in the SUMMARY. Written
here, not with a library: the format is a few escaped, folded lines (RFC 5545 §3.1,
§3.3.11), and a runtime dependency for them is not worth it; the tests read it back with
the ``icalendar`` package."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from outagecomms.site.maintenance import SiteWindow

CALENDAR_FILE = "maintenance.ics"
PRODID = "-//outagecomms//maintenance windows//EN"


def escape_text(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets folded with CRLF and a space (§3.1), never inside a
    UTF-8 character."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return "\r\n ".join(out)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(windows: Sequence[SiteWindow], *, host: str, zone: str, url: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    for window in windows:
        w = window.record
        tz = ZoneInfo(zone)
        start, end = w.starts_at.astimezone(tz), w.ends_at.astimezone(tz)
        span = (
            f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
            if start.date() == end.date()
            else (f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}")
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:mw-{w.id}@{host}",
            f"DTSTAMP:{utc_stamp(w.updated_at)}",
            f"LAST-MODIFIED:{utc_stamp(w.updated_at)}",
            f"CREATED:{utc_stamp(w.created_at)}",
            f"SEQUENCE:{w.sequence}",
            f"DTSTART:{utc_stamp(w.starts_at)}",
            f"DTEND:{utc_stamp(w.ends_at)}",
            f"SUMMARY:{escape_text(f'{window.title} ({span} {zone})')}",
            f"STATUS:{'CANCELLED' if w.status == 'cancelled' else 'CONFIRMED'}",
            "TRANSP:OPAQUE",
            f"URL:{url}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
