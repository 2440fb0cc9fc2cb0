"""One email as mail clients treat it well: ``multipart/alternative`` with the text and an
HTML part of the same words (escaped, ``lang``, ``dir="rtl"`` for right-to-left languages,
no remote images), ``Content-Language``, ``Auto-Submitted: auto-generated`` (RFC 3834),
a display name in From, a stable ``Message-ID`` per delivery, ``In-Reply-To`` and
``References`` to the incident's first message, and for subscribers ``List-Unsubscribe``
with ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058).

:func:`reference_email` builds it with :mod:`email`'s own API (the specification);
:func:`build_email` gives the same bytes without parsing a header per email: the headers
every recipient of one message shares are folded once and kept (:func:`_shared_headers`),
a recipient's own simple ASCII headers are stored as they are, and the parts' bodies are
encoded as :mod:`email.contentmanager` encodes them."""

from __future__ import annotations

import binascii
import hashlib
import html
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from email import quoprimime
from email.message import EmailMessage
from email.policy import EmailPolicy, default
from email.utils import format_datetime, formataddr
from functools import lru_cache

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


def _text(parts: EmailParts) -> str:
    if parts.unsubscribe_line:
        return f"{parts.body.rstrip()}\n\n--\n{parts.unsubscribe_line}"
    return parts.body


def reference_email(parts: EmailParts) -> EmailMessage:
    """The email built with :mod:`email`'s API, header by header (~2 ms of CPU)."""
    text = _text(parts)
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


_POLICY: EmailPolicy[EmailMessage] = default
_SIMPLE = {
    "To": re.compile(r"[\w.+'-]+@[\w.-]+(, [\w.+'-]+@[\w.-]+)*", re.ASCII),
    "Message-ID": re.compile(r"<[\w.+-]+@[\w.-]+>", re.ASCII),
    "List-Unsubscribe": re.compile(r"<https?://[\w.:/%~+-]+>", re.ASCII),
}
"""Values whose folding by :mod:`email` is the value itself (a short line): stored as they
are. Any other value goes through :mod:`email`'s header classes."""
_SIMPLE["Cc"] = _SIMPLE["To"]
_SIMPLE["In-Reply-To"] = _SIMPLE["References"] = _SIMPLE["Message-ID"]
_DATE = re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", re.ASCII)
_SIMPLE["Date"] = _DATE
_FOLD_AT = _POLICY.max_line_length or sys.maxsize


def _folded(name: str, value: str) -> str:
    """``value`` as :mod:`email` folds it (encoded words, continuation lines), without the
    name and the line end: what the generator writes again unchanged. A value folded
    from the header's first line on (``Name:`` then a continuation line) cannot be
    written so: its header object is kept, which the generator folds again."""
    made = _POLICY.header_factory(name, value)
    header: str = made
    folded: str = made.fold(policy=_POLICY)
    if not folded.startswith(f"{name}: "):
        return header
    return folded[len(name) + 2 :].rstrip("\n")


def _own(name: str, value: str) -> str:
    pattern = _SIMPLE.get(name)
    simple = pattern is not None and pattern.fullmatch(value) is not None
    if simple and len(name) + 2 + len(value) <= _FOLD_AT:
        return value
    return _folded(name, value)


@lru_cache(maxsize=64)
def _header(name: str, value: str) -> str:
    """A header object kept: the generator reads the parts' Content-Type and
    Content-Transfer-Encoding several times per email, which parses a stored string each
    time (~0.1 ms) but returns a header object as it is."""
    header: str = _POLICY.header_factory(name, value)
    return header


@dataclass(frozen=True)
class _Shared:
    """What every recipient's copy of one message on one channel shares."""

    subject: str
    sender: str
    language: str
    boundary: str

    @property
    def multipart(self) -> str:
        return _header("Content-Type", f'multipart/alternative; boundary="{self.boundary}"')


@lru_cache(maxsize=64)
def _shared(subject: str, sender: str, lang: str) -> _Shared:
    """Subject, From and Content-Language folded once for every recipient of one message
    and channel (the key: its subject, sender and language), and one boundary."""
    return _Shared(
        _folded("Subject", subject),
        _folded("From", sender),
        _folded("Content-Language", lang),
        _new_boundary(),
    )


def _encoded(text: str) -> tuple[str, str]:
    """The transfer encoding and body of a UTF-8 text part, chosen and encoded as
    :func:`email.contentmanager.raw_data_manager` does (7bit, 8bit, quoted-printable or
    base64 by the same heuristics)."""
    lines = text.encode("utf-8").splitlines()
    limit = _POLICY.max_line_length or sys.maxsize
    normal = b"\n".join(lines) + b"\n"
    if max((len(line) for line in lines), default=0) <= limit:
        if normal.isascii():
            return "7bit", normal.decode("ascii")
        return "8bit", normal.decode("ascii", "surrogateescape")
    sniff = b"\n".join(lines[:10]) + b"\n"
    sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), limit)
    if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
        step = limit // 4 * 3
        chunks = [normal[i : i + step] for i in range(0, len(normal), step)]
        return "base64", "".join(binascii.b2a_base64(c).decode("ascii") for c in chunks)
    if len(lines) <= 10:
        return "quoted-printable", sniff_qp
    return "quoted-printable", quoprimime.body_encode(normal.decode("latin-1"), limit)


def _part(subtype: str, text: str, *, mime_version: bool = False) -> EmailMessage:
    cte, payload = _encoded(text)
    part = EmailMessage(_POLICY)
    part.set_raw("Content-Type", _header("Content-Type", f'text/{subtype}; charset="utf-8"'))
    part.set_raw("Content-Transfer-Encoding", _header("Content-Transfer-Encoding", cte))
    if mime_version:  # add_alternative's part has one: kept as it was
        part.set_raw("MIME-Version", _header("MIME-Version", "1.0"))
    part.set_payload(payload)
    return part


def _new_boundary() -> str:
    """A boundary as :mod:`email`'s generator makes one."""
    return "=" * 15 + f"{random.randrange(sys.maxsize):019d}" + "=="


def build_email(parts: EmailParts) -> EmailMessage:
    """The email of :func:`reference_email`, built from pre-folded headers (the ones shared
    by a message's recipients folded once and kept; a recipient's own simple ASCII
    values stored as they are, others folded by :mod:`email`), its bytes the same but the
    random boundary. Addresses beyond ASCII (SMTPUTF8, raw UTF-8 headers) take
    :func:`reference_email`."""
    if not "".join([parts.from_addr, *parts.to, *parts.cc]).isascii():
        return reference_email(parts)
    sender = formataddr((parts.display_name or "", parts.from_addr))
    shared = _shared(parts.subject, sender, parts.lang)
    text = _text(parts)
    plain = _part("plain", text)
    rich = _part("html", html_part(text, parts.lang), mime_version=True)
    multipart = shared.multipart
    if shared.boundary in f"{plain.get_payload()}{rich.get_payload()}":
        fresh = _new_boundary()  # this recipient's text holds it (never in practice)
        multipart = _POLICY.header_factory(
            "Content-Type", f'multipart/alternative; boundary="{fresh}"'
        )
    message = EmailMessage(_POLICY)
    message.set_raw("Subject", shared.subject)
    message.set_raw("From", shared.sender)
    message.set_raw("To", _own("To", ", ".join(parts.to)))
    if parts.cc:
        message.set_raw("Cc", _own("Cc", ", ".join(parts.cc)))
    if parts.date is not None:
        message.set_raw("Date", _own("Date", format_datetime(parts.date)))
    if parts.message_id:
        message.set_raw("Message-ID", _own("Message-ID", parts.message_id))
    if parts.thread_root and parts.thread_root != parts.message_id:
        message.set_raw("In-Reply-To", _own("In-Reply-To", parts.thread_root))
        message.set_raw("References", _own("References", parts.thread_root))
    message.set_raw("Auto-Submitted", "auto-generated")
    if parts.unsubscribe_url:
        unsubscribe = f"<{parts.unsubscribe_url}>"
        message.set_raw("List-Unsubscribe", _own("List-Unsubscribe", unsubscribe))
        message.set_raw("List-Unsubscribe-Post", ONE_CLICK)
    message.set_raw("MIME-Version", "1.0")
    message.set_raw("Content-Type", multipart)
    message.set_raw("Content-Language", shared.language)
    message.set_payload([plain, rich])
    return message
