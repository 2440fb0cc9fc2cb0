"""What the status page shows, read from the store: incidents, newest message first, each
message in the site's language.

Which text a message shows (in this order):

1. what the message said on a ``site`` channel in the site's language (the site channel's
   own rendering: the long format, subject and body);
2. else its text on the first customer channel in the site's language with a subject
   (email, webhook: the long format);
3. else its text on the first customer channel in the site's language (chat or short);
4. else its text on the first customer channel in any language, marked with that
   language (``lang``/``dir``), so a reader's browser still shows it correctly.

Internal channels are never shown: their copy carries the incident's internal facts.
Texts are exactly what customers were sent (read from the deliveries), never re-rendered
from a runbook that may have changed since.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from outagecomms.compose import TITLED_KINDS, channel_language
from outagecomms.errors import OutagecommsError, UsageError
from outagecomms.models import LANGUAGE_CODE, Audience, Channel, ChannelKind, Runbook, localized
from outagecomms.project import Project
from outagecomms.promises import promise_record
from outagecomms.site.components import SiteComponent
from outagecomms.site.history import HistoryMonth, MonthLink
from outagecomms.site.labels import direction, labels
from outagecomms.site.maintenance import SiteWindow, site_windows
from outagecomms.site.posts import post_body, signatures
from outagecomms.store.records import DeliveryRecord, IncidentRecord, MessageRecord
from outagecomms.store.site_repo import Timeline
from outagecomms.store.window_rows import WindowRecord

if TYPE_CHECKING:
    from outagecomms.site.listed import Listing

HISTORY_DAYS = 90
"""How far back the index lists resolved incidents by default (setting
``site_window_days``); every incident keeps its page and its month's history page."""

STATUSPAGE_STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")


@dataclass(frozen=True)
class SiteConfig:
    """One language tree of the site: its language, time zone, name, the site's public
    address and every language it is built in (the one at ``/`` first), and the build time."""

    lang: str
    timezone: str
    name: str
    base_url: str
    now: datetime
    history_days: int = HISTORY_DAYS
    languages: tuple[str, ...] = ()
    """Every language tree of the site, the root's first; empty: this language alone."""
    public_url: str | None = None
    """The service's public address (setting ``public_url``): the page links to its
    ``/subscribe``; None: no subscribe link."""

    @property
    def subscribe_url(self) -> str | None:
        return f"{self.public_url.rstrip('/')}/subscribe" if self.public_url else None

    @property
    def form_action(self) -> str:
        """The page's Content-Security-Policy ``form-action``: the service's origin when
        the subscribe form posts to it, else ``'none'``."""
        if not self.public_url:
            return "'none'"
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "'none'"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def dir(self) -> str:
        return direction(self.lang)

    @property
    def site_languages(self) -> tuple[str, ...]:
        return self.languages or (self.lang,)

    def folder_of(self, lang: str) -> str:
        """Where ``lang``'s tree sits in the site: ``""`` for the root language, else
        ``"fa/"``."""
        return "" if lang == self.site_languages[0] else f"{lang}/"

    @property
    def folder(self) -> str:
        return self.folder_of(self.lang)

    @property
    def url(self) -> str:
        """This tree's public address: ``https://status.example.com`` or ``…/fa``."""
        return f"{self.base_url}/{self.folder}".rstrip("/")

    @classmethod
    def for_project(
        cls,
        project: Project,
        *,
        lang: str | None = None,
        timezone: str | None = None,
        name: str | None = None,
        now: datetime | None = None,
        channel: Channel | None = None,
    ) -> SiteConfig:
        """Given values first, then the ``site`` channel's (``channel``, else the project's
        enabled one in ``lang``, else its customer channel in ``lang``, else its site channel
        in the default language, else its first), then the project settings."""
        settings = project.settings
        if channel is None and lang is not None:
            channel = channel_in_language(project, lang)
        if channel is None:
            channel = first_site_channel(project)
        chosen_lang = lang or (channel.language if channel else settings.default_language)
        if not LANGUAGE_CODE.match(chosen_lang):
            raise UsageError(f"{chosen_lang!r} is not a language code such as en, fa, uk or lv")
        zone = timezone or (channel.timezone if channel else settings.timezone)
        try:
            ZoneInfo(zone)
        except (ValueError, KeyError):
            raise UsageError(
                f"{zone!r} is not an IANA time zone; write it like Europe/Riga or UTC"
            ) from None
        return cls(
            lang=chosen_lang,
            timezone=zone,
            name=name or labels(chosen_lang)["site_name"],
            base_url=settings.status_url.rstrip("/"),
            now=(now or datetime.now(UTC)).astimezone(UTC),
            history_days=settings.site_window_days,
            public_url=settings.public_url,
        )


def channel_in_language(project: Project, lang: str) -> Channel | None:
    """The enabled ``site`` channel in ``lang``, else the first customer channel in it (by
    name): the time zone that language's readers are given."""
    speaking = [
        c.channel
        for c in project.select_usable_channels()[0]
        if c.channel.enabled
        and c.channel.language == lang
        and c.channel.audience is Audience.CUSTOMERS
    ]
    return min(speaking, key=lambda c: (c.kind is not ChannelKind.SITE, c.name), default=None)


def first_site_channel(project: Project) -> Channel | None:
    """The enabled ``site`` channel in the project's default language, else the first one."""
    usable, _broken = project.select_usable_channels()  # a broken file fails only itself
    sites = [c.channel for c in usable if c.channel.kind is ChannelKind.SITE]
    default = project.settings.default_language
    return min(sites, key=lambda c: (c.language != default, c.name), default=None)


@dataclass(frozen=True)
class Update:
    """One message of an incident as the page shows it."""

    incident_id: str
    seq: int
    phase: str
    status: str
    """The Statuspage status at this message: its phase, or the one before for ``update``."""
    origin: str
    at: datetime
    title: str | None
    body: str
    lang: str | None
    next_update_at: datetime | None

    @property
    def dir(self) -> str:
        return direction(self.lang)

    @property
    def anchor(self) -> str:
        return f"update-{self.seq}"

    @property
    def id(self) -> str:
        return f"{self.incident_id}-{self.seq}"


@dataclass(frozen=True)
class SiteIncident:
    """One incident with its updates, oldest first."""

    record: IncidentRecord
    title: str
    scope: str | None
    updates: list[Update] = field(default_factory=list)
    on_time: tuple[int, int] = (0, 0)
    """The promise record: updates on time, of the promises that fell due."""
    components: list[SiteComponent] = field(default_factory=list)
    """The components it affects (``components.yaml`` order)."""
    partial: bool = False
    """Read only for the lists (:mod:`outagecomms.site.partial`): its latest update and
    those the feed shows, no promise record nor components; never given a page."""

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def is_open(self) -> bool:
        return self.record.is_open

    @property
    def path(self) -> str:
        return f"incidents/{self.id}.html"

    @property
    def latest(self) -> Update | None:
        return self.updates[-1] if self.updates else None

    @property
    def updated_at(self) -> datetime:
        latest = self.latest
        return latest.at if latest else self.record.started_at

    def status_at(self, phase: str) -> str | None:
        """When the incident first reached a Statuspage status (e.g. ``monitoring``)."""
        for update in self.updates:
            if update.phase == phase:
                return update.at.astimezone(UTC).isoformat()
        return None


@dataclass(frozen=True)
class SiteState:
    """One language tree's content: the window the index, the feed and the summary show,
    and the incident and history pages this build writes."""

    config: SiteConfig
    incidents: list[SiteIncident]
    """The window as read: the open incidents and those resolved in the last
    ``history_days`` (but those only listed from the last build's entries)."""
    windows: list[SiteWindow] = field(default_factory=list)
    """Maintenance windows, the soonest first (site/maintenance.py)."""
    components: list[SiteComponent] = field(default_factory=list)
    """The project's components (``components.yaml``) with their status and history bar."""
    pages: list[SiteIncident] = field(default_factory=list)
    """The incidents whose pages this build writes (a full build: every one)."""
    months: list[HistoryMonth] = field(default_factory=list)
    """The history pages this build writes (a full build: every month with an incident)."""
    archive: list[MonthLink] = field(default_factory=list)
    """Every month with a history page, the newest first (linked from the index)."""
    listed: list[Listing] = field(default_factory=list)
    """The window's resolved incidents as the index lists them (some not in ``incidents``:
    their entries are kept from the last build, :mod:`outagecomms.site.listed`)."""
    kept_updates: list[tuple[datetime, str, int]] = field(default_factory=list)
    """The updates with a customer's text of the window's incidents not in ``incidents``
    (time, incident id, place): the feed's entries of theirs are kept too."""

    @property
    def open(self) -> list[SiteIncident]:
        """Open incidents, the most recently updated first."""
        found = [i for i in self.incidents if i.is_open]
        return sorted(found, key=lambda i: i.updated_at, reverse=True)

    @property
    def history(self) -> list[Listing]:
        """Resolved incidents of the last ``history_days``, the most recently resolved first."""
        since = self.config.now - timedelta(days=self.config.history_days)
        found = [listing for listing in self.listed if listing.closed >= since]
        return sorted(found, key=lambda listing: listing.ended, reverse=True)

    @property
    def updates(self) -> list[Update]:
        """Every update of every incident, newest first."""
        every = [u for i in self.incidents for u in i.updates]
        return sorted(every, key=lambda u: (u.at, u.incident_id, u.seq), reverse=True)


def site_incidents(
    project: Project,
    config: SiteConfig,
    records: Sequence[IncidentRecord],
    timeline: Timeline,
    components: Sequence[SiteComponent] = (),
    affected: Mapping[int, Mapping[str, str]] | None = None,
    partial: Collection[int] = (),
) -> list[SiteIncident]:
    """Each record as the page shows it in ``config``'s language: its updates, promise
    record and the components (of ``components``) it affects; the ``partial`` ones (read
    for the lists only) without a promise record."""
    channels = {name: loaded.channel for name, loaded in project.usable_channels().items()}
    runbooks: dict[str, Runbook | None] = {}
    incidents: list[SiteIncident] = []
    signed = signatures(project.settings.sender)
    listed = frozenset(partial)
    for record in records:
        if record.runbook_id not in runbooks:
            runbooks[record.runbook_id] = _runbook(project, record.runbook_id)
        runbook = runbooks[record.runbook_id]
        languages = _Languages(runbook, channels, project.settings.default_language)
        updates: list[Update] = []
        status = "investigating"
        for message, deliveries in timeline.get(record.number, []):
            if message.phase in STATUSPAGE_STATUSES:
                status = message.phase
            shown = choose_text(deliveries, config.lang, languages)
            if shown is None:
                continue
            delivery, lang = shown
            title, body = _split(delivery, channels.get(delivery.channel))
            body = post_body(body, signed)
            updates.append(
                Update(
                    incident_id=record.id,
                    seq=message.seq,
                    phase=message.phase,
                    status=status,
                    origin=message.origin,
                    at=message.created_at,
                    title=title,
                    body=body,
                    lang=lang,
                    next_update_at=message.next_update_at,
                )
            )
        mine = (affected or {}).get(record.number, {})
        listed_only = record.number in listed
        incidents.append(
            SiteIncident(
                record=record,
                title=runbook.title_in(config.lang) if runbook else record.runbook_id,
                scope=scope_of(record, runbook, config.lang),
                updates=updates,
                on_time=(0, 0)
                if listed_only
                else _on_time(timeline.get(record.number, []), config.now),
                components=[c for c in components if c.id in mine],
                partial=listed_only,
            )
        )
    return incidents


def shown_windows(project: Project, windows: Sequence[WindowRecord], lang: str) -> list[SiteWindow]:
    """The maintenance windows with their runbooks' titles in ``lang``."""
    runbooks: dict[str, Runbook | None] = {}
    for window in windows:
        if window.runbook_id not in runbooks:
            runbooks[window.runbook_id] = _runbook(project, window.runbook_id)
    return site_windows(windows, runbooks, lang)


def _on_time(
    messages: list[tuple[MessageRecord, list[DeliveryRecord]]], now: datetime
) -> tuple[int, int]:
    record = promise_record(messages, now)
    return record.on_time, record.due


class _Languages:
    """The language each channel's deliveries of one runbook were written in."""

    def __init__(
        self, runbook: Runbook | None, channels: Mapping[str, Channel], default: str
    ) -> None:
        self.runbook = runbook
        self.channels = channels
        self.default = default

    def of(self, channel_name: str) -> str | None:
        channel = self.channels.get(channel_name)
        if channel is None:
            return None
        if self.runbook is None:
            return channel.language
        return channel_language(self.runbook, channel, self.default)


def choose_text(
    deliveries: Sequence[DeliveryRecord], lang: str, languages: _Languages
) -> tuple[DeliveryRecord, str | None] | None:
    """The delivery whose text the site shows, and its language (see the module doc)."""
    public = [d for d in deliveries if d.audience == Audience.CUSTOMERS.value]
    in_lang = [d for d in public if languages.of(d.channel) == lang]
    titled = {k.value for k in TITLED_KINDS}
    for candidates in (
        [d for d in in_lang if d.kind == ChannelKind.SITE.value],
        [d for d in in_lang if d.kind in titled],
        in_lang,
    ):
        if candidates:
            return candidates[0], lang
    if public:
        return public[0], languages.of(public[0].channel)
    return None


def _split(delivery: DeliveryRecord, channel: Channel | None) -> tuple[str | None, str]:
    """Title and body. A ``site`` channel's long text carries its subject as the first
    paragraph (channels without a title get subject and body folded into one text)."""
    if delivery.title is not None or delivery.kind != ChannelKind.SITE.value:
        return delivery.title, delivery.body
    if channel is not None and channel.effective_format.value != "long":
        return None, delivery.body
    head, sep, rest = delivery.body.partition("\n\n")
    if not sep or "\n" in head:
        return None, delivery.body
    return head, rest


def _runbook(project: Project, runbook_id: str) -> Runbook | None:
    try:
        return project.runbook(runbook_id).runbook
    except OutagecommsError:  # deleted or broken since: the page still shows what was sent
        return None


def scope_of(record: IncidentRecord, runbook: Runbook | None, lang: str) -> str | None:
    """The incident's ``scope`` variable in ``lang`` (given, else the runbook's default)."""
    given = record.variables
    value = given.get(f"scope.{lang}") or given.get("scope")
    if value:
        return value.strip() or None
    if runbook is None or "scope" not in runbook.variables:
        return None
    default = runbook.variables["scope"].default
    return localized(default, lang, runbook.languages[0]) or None


def phase_label(phase: str, lang: str) -> str:
    words = labels(lang)
    return words.get(phase, phase)


__all__ = [
    "HISTORY_DAYS",
    "SiteConfig",
    "SiteIncident",
    "SiteState",
    "Update",
    "phase_label",
    "shown_windows",
    "site_incidents",
]
