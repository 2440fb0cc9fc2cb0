"""Who one channel's deliveries go to: every confirmed subscriber that matches (a channel
with ``audience: subscribers``), each address of a multi-recipient URL (an email ``to=``
list, several SMS numbers), or the channel's URL whole. Each recipient is a delivery of
its own, so a retry never sends again to those already reached; :func:`channel_for` gives
the channel as one recipient's delivery sends it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from outagecomms.models import Audience, Channel, ChannelKind
from outagecomms.store.components_repo import incident_components as stored_components
from outagecomms.store.records import IncidentRecord

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

TO = "{to}"
"""Marks the subscriber's address in a subscribers channel's URL."""
WHOLE = ""
"""The recipient of a delivery that goes to the channel's URL as written."""
PHONE = re.compile(r"^\+?[1-9]\d{6,14}$")
EMAIL_SCHEMES = ("mailto", "mailtos")


def address_kind_of(kind: ChannelKind) -> str:
    """Which subscribers a channel kind reaches: emails, phone numbers, or URLs."""
    if kind is ChannelKind.EMAIL:
        return "email"
    if kind is ChannelKind.SMS:
        return "phone"
    return "url"


def incident_components(conn: Connection, incident: IncidentRecord) -> list[str]:
    """The component ids the incident affects; empty: every component."""
    return stored_components(conn, incident.number)


def follows(subscribed: list[str], affected: list[str]) -> bool:
    """Whether a subscriber to ``subscribed`` (empty: all) hears of an incident affecting
    ``affected`` (empty: all)."""
    return not subscribed or not affected or bool(set(subscribed) & set(affected))


def recipients(conn: Connection, channel: Channel, incident: IncidentRecord) -> list[str]:
    """The recipients of one message on ``channel``, one delivery each."""
    if channel.audience is Audience.SUBSCRIBERS:
        from outagecomms.store.subscribers_repo import active_subscribers

        affected = incident_components(conn, incident)
        return [
            address
            for address, subscribed in active_subscribers(
                conn, address_kind=address_kind_of(channel.kind), language=channel.language
            )
            if follows(subscribed, affected)
        ]
    listed = listed_recipients(channel)
    return listed if len(listed) > 1 else [WHOLE]


def listed_recipients(channel: Channel) -> list[str]:
    """The addresses a multi-recipient URL lists: an email's ``to=`` (comma-separated), or
    the phone numbers in an SMS URL's path."""
    parts = urlsplit(channel.url)
    if channel.kind is ChannelKind.EMAIL and parts.scheme.lower() in EMAIL_SCHEMES:
        found = [value for key, value in parse_qsl(parts.query) if key.lower() == "to"]
        return [a.strip() for value in found for a in value.split(",") if a.strip()]
    if channel.kind is ChannelKind.SMS:
        return [p for p in parts.path.split("/") if PHONE.match(p)]
    return []


def channel_for(channel: Channel, recipient: str) -> Channel:
    """``channel`` as the delivery to ``recipient`` sends it: ``{to}`` replaced by the
    address, or the URL's list of recipients cut to that one."""
    if recipient == WHOLE:
        return channel
    return channel.model_copy(update={"url": url_for(channel, recipient)})


def url_for(channel: Channel, recipient: str) -> str:
    url = channel.url
    if TO in url:
        kind = address_kind_of(channel.kind)
        quoted = {"email": quote(recipient, safe="@"), "phone": quote(recipient, safe="+")}
        return url.replace(TO, quoted.get(kind, recipient))
    parts = urlsplit(url)
    if channel.kind is ChannelKind.EMAIL:
        query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "to"]
        query.append(("to", recipient))
        return urlunsplit(parts._replace(query=urlencode(query, safe="@${}")))
    kept = [p for p in parts.path.split("/") if not PHONE.match(p)]
    path = "/".join([*kept, recipient]) if kept else "/" + recipient
    return urlunsplit(parts._replace(path=path))
