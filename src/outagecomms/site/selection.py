"""What one build of the status page reads, from one read of the store (so every language
tree shows the same moment).

A full build (``changed`` None) reads every listed incident: their pages and every
history month are written. A rebuild after a message (``changed``: the incidents whose
messages were sent) reads only what its files need: those incidents (their pages), the
window (the open incidents and those resolved in the last ``site_window_days``: the
index, the feed, the summary), and the history months those incidents are or were listed
in. Messages and deliveries are read in batches (:mod:`outagecomms.store.site_repo`),
never one query per incident; the components' bars in one query. Of the resolved incidents
this build only lists (no page of theirs is written), only what the lists and the feed
show is read (:mod:`outagecomms.site.partial`).

Which month lists which resolved incident is kept with the site's manifest (``months``:
incident id -> month), so a rebuild knows every month the index links to, and the month an
incident leaves when it is re-opened, without reading every incident.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from outagecomms.models import Audience
from outagecomms.project import Project
from outagecomms.site import feed
from outagecomms.site.components import project_catalog, read_changes, site_components
from outagecomms.site.history import (
    HistoryMonth,
    MonthLink,
    closed_at,
    month_bounds,
    month_name,
    month_of,
)
from outagecomms.site.listed import KeptLists, Listing, listing_key
from outagecomms.site.partial import partial_timelines
from outagecomms.site.state import (
    SiteConfig,
    SiteIncident,
    SiteState,
    shown_windows,
    site_incidents,
)
from outagecomms.store import Store, components_repo, site_repo
from outagecomms.store.maintenance_repo import list_windows
from outagecomms.store.records import DeliveryRecord, IncidentRecord, MessageRecord, public_id
from outagecomms.store.site_repo import Shown


@dataclass(frozen=True)
class Selection:
    """What a build reads: everything, or the pages of ``changed`` incidents."""

    changed: frozenset[int] | None = None
    """Incident numbers; None: a full build."""
    months: Mapping[str, str] | None = None
    """The previous build's incident id -> month (its manifest); needed with ``changed``."""

    @property
    def full(self) -> bool:
        return self.changed is None or self.months is None


@dataclass(frozen=True)
class Loaded:
    """The trees' states (in ``configs`` order) and, after this build, each resolved
    incident's month, and the months whose pages no incident is left on."""

    states: list[SiteState]
    months: dict[str, str]
    emptied: list[str]


def load_states(
    project: Project,
    store: Store,
    configs: Sequence[SiteConfig],
    selection: Selection | None = None,
    kept: KeptLists | None = None,
) -> Loaded:
    """The state of each language tree for ``selection`` (default: everything); the
    resolved incidents whose list entries ``kept`` holds as they are now, and with no
    update in the feed, are not read (:mod:`outagecomms.site.listed`)."""
    chosen = selection or Selection()
    since = min(c.now - timedelta(days=c.history_days) for c in configs)
    catalog = project_catalog(project.root, project.limits)
    folders = [c.folder for c in configs]
    with store.read() as conn:
        window = site_repo.window_incidents(conn, since)
        if chosen.full:
            pages = site_repo.listed_incidents(conn)
            months = {r.id: m for r in pages if (m := month_of(r)) is not None}
            touched = set(months.values())
            in_month = _by_month(pages)
        else:
            assert chosen.changed is not None and chosen.months is not None
            pages = site_repo.listed_incidents(conn, chosen.changed)
            months, touched = _moved(chosen.months, chosen.changed, pages)
            in_month = {
                key: site_repo.resolved_between(conn, *month_bounds(key)) for key in touched
            }
            for key in touched:  # the store is the truth for the months this build writes
                for record in in_month[key]:
                    months[record.id] = key
        records = {
            r.number: r for r in [*window, *pages, *(r for m in in_month.values() for r in m)]
        }
        with_page = {r.number for r in pages}
        partial = {n for n, r in records.items() if not r.is_open and n not in with_page}
        whole = [n for n in records if n not in partial]
        timeline = site_repo.timelines(conn, whole)
        latest = {n: _latest_shown(timeline[n]) for n in whole}
        unread: frozenset[int] = frozenset()
        if partial:

            def is_kept(number: int, shown: Shown | None) -> bool:
                key = listing_key(records[number], (shown.seq, shown.created_at) if shown else None)
                return kept is not None and kept.has(public_id(number), key, folders)

            window_numbers = [r.number for r in window]
            reads = partial_timelines(
                conn, timeline, partial, window_numbers, feed.MAX_ENTRIES, is_kept
            )
            timeline.update(reads.timeline)
            latest.update({n: (m.seq, m.created_at) for n, m in reads.latest.items()})
            unread = reads.kept
        windows = list_windows(conn)
        changes = read_changes(conn, min(c.now for c in configs)) if catalog else []
        affected = components_repo.components_of_incidents(conn, whole)
    read = [r for r in records.values() if r.number not in unread]
    states = []
    for config in configs:
        shown = site_components(
            catalog, changes, lang=config.lang, zone=config.zone, now=config.now
        )
        every = site_incidents(project, config, read, timeline, shown, affected, partial)
        by_number = {i.record.number: i for i in every}
        listings = {
            n: _listing(r, latest.get(n), by_number.get(n))
            for n, r in records.items()
            if not r.is_open
        }
        history = [
            HistoryMonth(
                key,
                month_name(key, config.lang),
                sorted(
                    (listings[r.number] for r in in_month[key]),
                    key=lambda listing: (listing.closed, listing.number),
                    reverse=True,
                ),
            )
            for key in sorted(touched, reverse=True)
            if in_month[key]
        ]
        state = SiteState(
            config,
            [by_number[r.number] for r in window if r.number in by_number],
            shown_windows(project, windows, config.lang),
            shown,
            pages=[by_number[r.number] for r in pages],
            months=history,
            archive=[
                MonthLink(key, month_name(key, config.lang))
                for key in sorted(set(months.values()), reverse=True)
            ],
            listed=[listings[r.number] for r in window if not r.is_open],
        )
        states.append(state)
    emptied = sorted(key for key in touched if not in_month[key])
    return Loaded(states, months, emptied)


def _latest_shown(
    pairs: Sequence[tuple[MessageRecord, Sequence[DeliveryRecord]]],
) -> tuple[int, datetime] | None:
    """The place and time of the latest message with a customer's text."""
    customers = Audience.CUSTOMERS.value
    for message, sent in reversed(pairs):
        if any(d.audience == customers for d in sent):
            return message.seq, message.created_at
    return None


def _listing(
    record: IncidentRecord, latest: tuple[int, datetime] | None, incident: SiteIncident | None
) -> Listing:
    closed = closed_at(record)
    return Listing(
        number=record.number,
        id=record.id,
        key=listing_key(record, latest),
        ended=record.resolved_at or (latest[1] if latest else record.started_at),
        closed=closed,
        incident=incident,
    )


def _by_month(records: Sequence[IncidentRecord]) -> dict[str, list[IncidentRecord]]:
    found: dict[str, list[IncidentRecord]] = {}
    for record in records:
        key = month_of(record)
        if key is not None:
            found.setdefault(key, []).append(record)
    return found


def _moved(
    previous: Mapping[str, str], changed: Collection[int], records: Sequence[IncidentRecord]
) -> tuple[dict[str, str], set[str]]:
    """Each resolved incident's month after the ``changed`` ones' messages, and the months
    whose pages change: where each changed incident is listed now and where it was."""
    months = dict(previous)
    touched: set[str] = set()
    now_in = {r.id: month_of(r) for r in records}
    for number in changed:
        incident_id = public_id(number)
        before = months.pop(incident_id, None)
        after = now_in.get(incident_id)
        touched.update(m for m in (before, after) if m is not None)
        if after is not None:
            months[incident_id] = after
    return months, touched


__all__ = ["Loaded", "Selection", "load_states"]
