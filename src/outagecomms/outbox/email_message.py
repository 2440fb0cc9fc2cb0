"""One email as mail clients treat it well: ``multipart/alternative`` with the text and an
HTML part of the same words (escaped, ``lang``, ``dir="rtl"`` for right-to-left languages,
no remote images), ``Content-Language``, ``Auto-Submitted: auto-generated`` (RFC 3834),
a display name in From, a stable ``Message-ID`` per delivery, ``In-Reply-To`` and
``References`` to the incident's first message, and for subscribers ``List-Unsubscribe``
with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058)."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from outagecomms.site.labels import RTL_LANGUAGES

ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class EmailParts:
    """What one email is made of."""

    subject: str
    body: str
    lang: str
    from_addr: str
    to: list[str]
    cc: list[str] = field(default_factory=list)
    display_name: str | None = None
    message_id: str | None = None
    thread_root: str | None = None
    """The Message-ID of the incident's first email to this recipient (None: this is it)."""
    unsubscribe_url: str | None = None
    unsubscribe_line: str | None = None
    date: datetime | None = None


def message_id(incident: str, seq: int, channel: str, recipient: str, domain: str) -> str:
    """A Message-ID that every attempt of one delivery repeats: the incident, the message's
    number, and the channel and recipient (hashed)."""
    who = hashlib.sha256(f"{channel}\x1f{recipient}".encode()).hexdigest()[:16]
    return f"<{incident}.{seq}.{who}@{domain}>"


def html_part(text: str, lang: str) -> str:
    """The same words as HTML: escaped, paragraphs and line breaks kept, no remote
    content."""
    direction = ' dir="rtl"' if lang.split("-")[0] in RTL_LANGUAGES else ""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"{direction}>\n'
        '<head><meta charset="utf-8"></head>\n'
        f'<body><div lang="{html.escape(lang)}"{direction}>\n{body}\n</div></body>\n</html>\n'
    )


def build_email(parts: EmailParts) -> EmailMessage:
    text = parts.body
    if parts.unsubscribe_line:
        text = f"{text.rstrip()}\n\n--\n{parts.unsubscribe_line}"
    message = EmailMessage()
    message["Subject"] = parts.subject
    message["From"] = formataddr((parts.display_name or "", parts.from_addr))
    message["To"] = ", ".join(parts.to)
    if parts.cc:
        message["Cc"] = ", ".join(parts.cc)
    if parts.date is not None:
        message["Date"] = format_datetime(parts.date)
    if parts.message_id:
        message["Message-ID"] = parts.message_id
    if parts.thread_root and parts.thread_root != parts.message_id:
        message["In-Reply-To"] = parts.thread_root
        message["References"] = parts.thread_root
    message["Auto-Submitted"] = "auto-generated"
    if parts.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{parts.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html_part(text, parts.lang), subtype="html", charset="utf-8")
    message["Content-Language"] = parts.lang  # after set_content, which drops Content-*
    return message
