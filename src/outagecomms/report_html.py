"""``report --html``: the incident report as one self-contained HTML document for a
postmortem (no script, no external resource; every text escaped)."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from outagecomms.durations import format_duration
from outagecomms.incident_report import IncidentReport
from outagecomms.store.records import iso_utc

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%;margin:1rem 0}"
    "th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:start;vertical-align:top}"
    ".late{color:#a00;font-weight:600}pre{white-space:pre-wrap;margin:0}"
)


def shown_duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    return format_duration(value) if value > timedelta(0) else "0s"


def report_html(report: IncidentReport) -> str:
    i = report.incident
    record = report.record
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(i.id)}: communications report</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(i.id)} · {escape(i.runbook_id)}</h1>",
        f"<p>Started {escape(iso_utc(i.started_at))}; "
        f"resolved {escape(iso_utc(i.resolved_at) or 'not yet')}; "
        f"reported {escape(iso_utc(report.at))}.</p>",
        f"<p><strong>Updates on time: {record.on_time} of {record.due}</strong></p>",
        "<h2>Time to first message</h2><table><tr><th>channel</th><th>audience</th>"
        "<th>first message after</th></tr>",
    ]
    for story in report.channels:
        parts.append(
            f"<tr><td>{escape(story.channel)}</td><td>{escape(story.audience)}</td>"
            f"<td>{shown_duration(story.first_after)}</td></tr>"
        )
    parts.append("</table><h2>Promises</h2><table><tr><th>message</th><th>due</th>")
    parts.append("<th>kept by</th><th>late by</th></tr>")
    for promise in record.promises:
        late = promise.late_by
        css = ' class="late"' if late is not None else ""
        kept = "—" if promise.kept_by is None else f"#{promise.kept_by}"
        parts.append(
            f"<tr><td>#{promise.seq}</td><td>{escape(iso_utc(promise.due_at))}</td>"
            f"<td>{kept}</td><td{css}>{shown_duration(late) if late else 'on time'}</td></tr>"
        )
    parts.append("</table><h2>What each channel was told</h2>")
    for story in report.channels:
        parts.append(f"<h3>{escape(story.channel)} ({escape(story.audience)})</h3><table>")
        parts.append("<tr><th>#</th><th>phase</th><th>sent</th><th>text</th></tr>")
        for told in story.told:
            d = told.delivery
            text = f"{d.title}\n\n{d.body}" if d.title else d.body
            parts.append(
                f"<tr><td>{told.message.seq}</td><td>{escape(told.message.phase.value)}</td>"
                f"<td>{escape(iso_utc(d.sent_at) or d.state.value)}</td>"
                f"<td><pre>{escape(text)}</pre></td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
