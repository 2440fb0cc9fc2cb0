"""After a status set by hand, the status page catches up at once: each enabled ``site``
channel's directory is rebuilt from the store, as a message would rebuild it (README
"Status page"). Through :func:`outagecomms.site.build.build_sites`, the site's own entry
point; without a ``site`` channel there is nothing to rebuild (``site build`` is run by
whoever publishes the page).

A rebuild that fails never undoes the status: it is stored, and the page shows it at the
next message or ``site build``; the failure is logged and returned, one line per channel.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime

import structlog

from outagecomms.errors import OutagecommsError
from outagecomms.models import ChannelKind
from outagecomms.project import Project
from outagecomms.store import Store

log = structlog.get_logger(__name__)


def rebuild_status_pages(
    project: Project,
    store: Store,
    *,
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """Rebuild the site of every enabled ``site`` channel; the problems, one line each
    (empty: every page is current, or there is no site channel)."""
    from outagecomms.site.build import build_sites
    from outagecomms.site.languages import site_configs
    from outagecomms.site.publish import SITE_NAME_ENV, site_directory

    env = os.environ if environ is None else environ
    usable, _broken = project.select_usable_channels()
    problems = []
    for loaded in usable:
        channel = loaded.channel
        if channel.kind is not ChannelKind.SITE:
            continue
        try:
            out = site_directory(channel, project.root, env)
            configs = site_configs(
                project, channel=channel, name=env.get(SITE_NAME_ENV) or None, now=now
            )
            build_sites(project, store, out, configs, changed=())  # no incident's page
        except OutagecommsError as exc:
            problem = f"status page of channel {channel.name!r} not rebuilt: {exc}"
            log.warning("component.page_not_rebuilt", channel=channel.name, error=str(exc))
            problems.append(" ".join(problem.split()))
        else:
            log.info("component.page_rebuilt", channel=channel.name, out=str(out))
    return problems
