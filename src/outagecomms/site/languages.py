"""The status page in every language the project speaks: one tree per language, the root
language at ``/`` and each other one in its own folder (``/fa/``, ``/uk/``, ``/lv/``), every
page linking to itself in the other languages (a language switcher and ``hreflang``
alternates).

The languages are the project's default language (at ``/``; a ``site`` channel puts its
own language there), then every language a runbook is written in that an enabled customer
channel speaks, in the runbooks' order. Each tree shows its times in the zone of its
language's ``site`` channel, else of its first customer channel in that language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from outagecomms.errors import OutagecommsError
from outagecomms.models import Audience, Channel
from outagecomms.project import Project
from outagecomms.site.labels import direction, language_name
from outagecomms.site.state import SiteConfig


def site_languages(project: Project, first: str | None = None) -> list[str]:
    """``first`` (default: the default language), then the runbooks' languages that some
    enabled customer channel speaks."""
    written: list[str] = []
    for path in project.runbook_paths():
        try:
            written.extend(project.runbook(path.stem).runbook.languages)
        except OutagecommsError:  # a broken runbook does not take the status page down
            continue
    spoken = {
        c.channel.language
        for c in project.select_usable_channels()[0]  # a broken file fails only itself
        if c.channel.enabled and c.channel.audience is Audience.CUSTOMERS
    }
    root = first or project.settings.default_language
    return list(dict.fromkeys([root, *(lang for lang in written if lang in spoken)]))


def site_configs(
    project: Project,
    *,
    languages: Sequence[str] = (),
    timezone: str | None = None,
    name: str | None = None,
    now: datetime | None = None,
    channel: Channel | None = None,
) -> list[SiteConfig]:
    """One :class:`SiteConfig` per language tree, the root's first: ``languages`` when
    given, else :func:`site_languages` (``channel``'s language at the root when given)."""
    chosen = list(dict.fromkeys(languages)) or site_languages(
        project, channel.language if channel else None
    )
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    configs = [
        SiteConfig.for_project(
            project,
            lang=lang,
            timezone=timezone,
            name=name,
            now=moment,
            channel=channel if channel is not None and channel.language == lang else None,
        )
        for lang in chosen
    ]
    every = tuple(c.lang for c in configs)
    return [replace(c, languages=every) for c in configs]


@dataclass(frozen=True)
class Alternate:
    """One page in one language of the site, as seen from a page of another tree."""

    lang: str
    name: str
    """The language's own name (``فارسی``, ``Українська``)."""
    href: str
    """Relative to the page that links to it (works from a file:// copy too)."""
    url: str
    """Absolute, for ``hreflang`` alternates."""
    current: bool

    @property
    def dir(self) -> str:
        return direction(self.lang)


def alternates(config: SiteConfig, page: str, root: str) -> list[Alternate]:
    """``page`` (a path inside a tree, ``index.html``) in each of the site's languages, as
    linked from ``config``'s tree; ``root`` leads from the page to its tree's root (``""``,
    ``"../"``). None when the site has one language."""
    if len(config.site_languages) < 2:
        return []
    to_site = root + ("../" if config.folder else "")
    return [
        Alternate(
            lang=lang,
            name=language_name(lang),
            href=f"{to_site}{config.folder_of(lang)}{page}",
            url=f"{config.base_url}/{config.folder_of(lang)}{page}",
            current=lang == config.lang,
        )
        for lang in config.site_languages
    ]
