"""The words of the product: phases, formats, severities, audiences and channel kinds.

Plain enums with no dependencies, so that building the command line (their choices) does
not import pydantic; :mod:`outagecomms.models` uses and re-exports them.
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """The phases of an incident, in lifecycle order (README "Concepts")."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    UPDATE = "update"
    RESOLVED = "resolved"
    POSTMORTEM = "postmortem"
    CORRECTION = "correction"
    """Optional: corrects the incident's last message (``outagecomms correct``)."""
    SCHEDULED = "scheduled"
    """Maintenance: the announcement of a window, sent when it is scheduled."""
    UPCOMING = "upcoming"
    """Maintenance: a reminder before the window (runbook ``remind_before:``)."""
    RESCHEDULED = "rescheduled"
    """Maintenance: the window moved to new times."""
    CANCELLED = "cancelled"
    """Maintenance: the window will not happen."""


REQUIRED_PHASES: tuple[Phase, ...] = (
    Phase.INVESTIGATING,
    Phase.IDENTIFIED,
    Phase.MONITORING,
    Phase.UPDATE,
    Phase.RESOLVED,
)


MAINTENANCE_PHASES: tuple[Phase, ...] = (
    Phase.SCHEDULED,
    Phase.UPCOMING,
    Phase.RESCHEDULED,
    Phase.CANCELLED,
)
"""Optional phases of a runbook used for maintenance windows (README "Maintenance
windows"); the window's start posts ``investigating`` and its end ``resolved``. No update is
promised in them."""


class Format(StrEnum):
    """How much a channel carries: the full anatomy, a chat post, or a tweet-sized text."""

    LONG = "long"
    CHAT = "chat"
    SHORT = "short"


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class Audience(StrEnum):
    CUSTOMERS = "customers"
    INTERNAL = "internal"
    SUBSCRIBERS = "subscribers"
    """Customers who subscribed (README "Subscribers"): the channel's URL is the transport
    template, ``{to}`` marks each confirmed subscriber's address."""


class ChannelKind(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    X = "x"
    TELEGRAM = "telegram"
    SLACK = "slack"
    DISCORD = "discord"
    TEAMS = "teams"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    WEBHOOK = "webhook"
    SITE = "site"


DEFAULT_FORMAT: dict[ChannelKind, Format] = {
    ChannelKind.EMAIL: Format.LONG,
    ChannelKind.WEBHOOK: Format.LONG,
    ChannelKind.TELEGRAM: Format.CHAT,
    ChannelKind.SLACK: Format.CHAT,
    ChannelKind.DISCORD: Format.CHAT,
    ChannelKind.TEAMS: Format.CHAT,
    ChannelKind.X: Format.SHORT,
    ChannelKind.SMS: Format.SHORT,
    ChannelKind.MASTODON: Format.SHORT,
    ChannelKind.BLUESKY: Format.SHORT,
    ChannelKind.SITE: Format.LONG,
}
