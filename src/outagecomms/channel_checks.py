"""Whether a channel could be sent to right now, without sending: its ``${VAR}`` secrets are
set, and its URL is one apprise can use (for a ``site`` channel: a directory that can be
written), and does not point at a placeholder host. Used by ``--dry-run``; nothing here
opens a connection, and no problem text holds a secret."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from outagecomms.errors import ConfigError
from outagecomms.models import Channel, ChannelKind
from outagecomms.urls import expand_url, quiet_plugin, redact_url

PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net")
"""Documentation hosts (RFC 2606): a URL still pointing at one was never filled in."""


def channel_problem(
    channel: Channel, root: Path, environ: Mapping[str, str] | None = None
) -> str | None:
    """Why the first attempt on ``channel`` would fail now, or ``None`` when it looks fine."""
    try:
        url = expand_url(channel.url, channel.name, environ)
    except ConfigError as exc:
        return exc.message
    if channel.kind is ChannelKind.SITE:
        return _site_problem(channel, root, environ)
    if quiet_plugin(url) is None:
        return (
            f"not a usable apprise URL ({redact_url(channel.url)}); check the scheme and its "
            "required parts"
        )
    host = (urlsplit(url).hostname or "").lower()
    if host in PLACEHOLDER_HOSTS or host.endswith(
        (".example", *(f".{h}" for h in PLACEHOLDER_HOSTS))
    ):
        return f"the URL still points at the placeholder host {host}; put the real one in"
    return None


def _site_problem(channel: Channel, root: Path, environ: Mapping[str, str] | None) -> str | None:
    from outagecomms.site.publish import site_directory

    try:
        directory = site_directory(channel, root, environ)
    except ConfigError as exc:
        return exc.message
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        return f"the status page directory {directory} cannot be written"
    return None
