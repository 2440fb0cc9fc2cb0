"""The ``site`` channel kind: instead of sending a text, it rebuilds the status page into
a directory from the store, where the message is already recorded (the outbox commits it
before any send). So the page is never behind the other channels, and a failed rebuild is
that channel's failed delivery, retried like any other.

A site channel's ``url`` is a directory: ``file:///var/www/status`` or a plain path
(relative to the project directory); ``${VAR}`` references are read from the environment
at send time. The site is built in every language the project speaks
(:mod:`outagecomms.site.languages`): the channel's language at the directory's root, in
the channel's time zone, the others in their folders (``fa/``, ``uk/``); its name is
``OUTAGECOMMS_SITE_NAME`` when set.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from outagecomms.delivery import Outcome, Outgoing
from outagecomms.errors import ConfigError, OutagecommsError
from outagecomms.logs import get_logger
from outagecomms.models import Channel
from outagecomms.project import Project
from outagecomms.site.build import build_sites
from outagecomms.site.languages import site_configs
from outagecomms.store import Store, site_repo
from outagecomms.urls import expand_url

log = get_logger(__name__)

SITE_NAME_ENV = "OUTAGECOMMS_SITE_NAME"


def site_directory(channel: Channel, root: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The directory a ``site`` channel publishes into."""
    url = expand_url(channel.url, channel.name, environ)
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ConfigError(
                f"channel {channel.name!r}: a site channel's url is a directory "
                f"(file:///var/www/status or a path), not a {parts.scheme}:// URL"
            )
        path = Path(unquote(parts.path))
    else:
        path = Path(url).expanduser()
    if not str(path).strip():
        raise ConfigError(f"channel {channel.name!r}: the site channel's url is empty")
    return path if path.is_absolute() else root / path


def publish_sites(
    items: Sequence[Outgoing],
    project: Project,
    store: Store,
    *,
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """Rebuild the site of every ``site`` delivery; one outcome each, never raises. The
    deliveries of one channel share one rebuild of the pages of their incidents."""
    env = os.environ if environ is None else environ
    by_channel: dict[str, list[Outgoing]] = {}
    for item in items:
        by_channel.setdefault(item.channel.name, []).append(item)
    incidents = _incidents_of(store, items)
    outcomes = []
    for mine in by_channel.values():
        channel = mine[0].channel
        started = time.monotonic()
        try:
            out = site_directory(channel, project.root, env)
            configs = site_configs(
                project, channel=channel, name=env.get(SITE_NAME_ENV) or None, now=now
            )
            known = [incidents.get(item.key) for item in mine]
            changed = None if None in known else {n for n in known if n is not None}
            build_sites(project, store, out, configs, changed)
        except OutagecommsError as exc:
            error: str | None = str(exc)
        except Exception as exc:  # a bug must fail this channel, never the others
            error = f"site rebuild failed: {type(exc).__name__}: {exc}"
        else:
            error = None
        elapsed = time.monotonic() - started
        if error is None:
            log.info("delivery.sent", channel=channel.name, kind="site", elapsed=elapsed)
        else:
            error = " ".join(error.split())[:300]
            log.warning("delivery.failed", channel=channel.name, kind="site", error=error)
        outcomes += [Outcome(item.key, error is None, error, elapsed) for item in mine]
    return outcomes


def _incidents_of(store: Store, items: Sequence[Outgoing]) -> dict[str, int]:
    """The incident of each delivery (by key); a key that is no delivery of the store is
    left out, and its channel's site rebuilt whole."""
    ids = {int(item.key) for item in items if item.key.isdigit()}
    if not ids:
        return {}
    try:
        with store.read() as conn:
            found = site_repo.incidents_of_deliveries(conn, ids)
    except Exception as exc:  # the rebuilds themselves say what is wrong with the store
        log.warning("site.incidents_unknown", error=f"{type(exc).__name__}: {exc}")
        return {}
    return {str(key): number for key, number in found.items()}
