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

Which month lists which resolved incident is kept with the site's manifest
(:mod:`outagecomms.site.manifest`: incident id -> month, in parts, and how many each month
lists), so a rebuild knows every month the index links to, and the month an incident
leaves when it is re-opened, without reading every incident nor the whole manifest.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from outagecomms.models import Audience
from outagecomms.project import Project
from outagecomms.site import feed
from outagecomms.site import partial as partial_reads
from outagecomms.site.components import project_catalog, read_changes, site_components
from outagecomms.site.history import (
    HistoryMonth,
    MonthLink,
    month_bounds,
    month_name,
    month_of,
)
from outagecomms.site.listed import KeptLists, Listing, Shown, listing_key
from outagecomms.site.manifest import Manifest, fresh
from outagecomms.site.state import (
    SiteConfig,
    SiteState,
    shown_windows,
    site_incidents,
)
from outagecomms.store import Store, components_repo, site_repo
from outagecomms.store.records import IncidentRecord, public_id
from outagecomms.store.site_repo import Shown as ShownMessage
from outagecomms.store.site_repo import Timeline
from outagecomms.store.window_rows import list_windows


@dataclass(frozen=True)
class Selection:
    """What a build reads: everything, or the pages of ``changed`` incidents."""

    changed: frozenset[int] | None = None
    """Incident numbers; None: a full build."""
    manifest: Manifest | None = None
    """The previous build's manifest (each incident's month); needed with ``changed``, and
    updated by the build."""

    @property
    def full(self) -> bool:
        return self.changed is None or self.manifest is None


@dataclass(frozen=True)
class Loaded:
    """The trees' states (in ``configs`` order) and, after this build, each resolved
    incident's month, and the months whose pages no incident is left on."""

    states: list[SiteState]
    manifest: Manifest
    emptied: list[str]


def load_states(
    project: Project,
    store: Store,
    configs: Sequence[SiteConfig],
    selection: Selection | None = None,
    kept: KeptLists | None = None,
) -> Loaded:
    """The state of each language tree for ``selection`` (default: everything); of the
    window's resolved incidents whose entries ``kept`` holds as they are now, nothing is
    read but their listed fields (:mod:`outagecomms.site.listed`)."""
    chosen = selection or Selection()
    since = min(c.now - timedelta(days=c.history_days) for c in configs)
    catalog = project_catalog(project.root, project.limits)
    folders = [c.folder for c in configs]
    with store.read() as conn:
        opened = site_repo.open_incidents(conn)
        window = {row.number: row for row in site_repo.window_listed(conn, since)}
        if chosen.full:
            pages = site_repo.listed_incidents(conn)
            manifest = fresh({r.id: month_of(r) for r in pages})
            in_month = _by_month(pages)
            touched = set(in_month)
        else:
            assert chosen.changed is not None and chosen.manifest is not None
            manifest = chosen.manifest
            pages = site_repo.listed_incidents(conn, chosen.changed)
            touched = _moved(manifest, chosen.changed, pages)
            in_month = {
                key: site_repo.resolved_between(conn, *month_bounds(key)) for key in touched
            }
            for key in touched:  # the store is the truth for the months this build writes
                for record in in_month[key]:
                    manifest.place(record.id, key)
                manifest.settle(key, len(in_month[key]))
        with_page = {r.number for r in pages}
        keys = {number: listing_key(row) for number, row in window.items()}
        held = _held(kept, keys, with_page, folders)
        records = {
            r.number: r
            for r in [
                *opened,
                *site_repo.listed_incidents(conn, set(window) - with_page - set(held)),
                *pages,
                *(r for m in in_month.values() for r in m),
            ]
            if r.number not in held
        }
        partial = {n for n, r in records.items() if not r.is_open and n not in with_page}
        whole = [n for n in records if n not in partial]
        timeline = site_repo.timelines(conn, whole)
        shown = partial_reads.shown_messages(conn, partial)
        listed = window.keys() | {r.number for r in opened}
        places = partial_reads.feed_places(timeline, shown, held, listed, feed.MAX_ENTRIES)
        lacking = [n for n in held if n in places and not _has_feed(kept, n, places[n], folders)]
        if lacking:  # kept, but not the feed entries it shows now: read as the others
            for record in site_repo.listed_incidents(conn, lacking):
                records[record.number] = record
                partial.add(record.number)
                del held[record.number]
            shown = partial_reads.shown_messages(conn, partial)
        timeline.update(
            site_repo.timelines_of_messages(conn, partial_reads.listed_messages(shown, places))
        )
        updates = _updates(timeline, whole, shown, held)
        ended = {n: (row.started_at, row.resolved_at) for n, row in window.items()}
        ended.update(
            {r.number: (r.started_at, r.resolved_at) for r in records.values() if not r.is_open}
        )
        windows = list_windows(conn)
        changes = read_changes(conn, min(c.now for c in configs)) if catalog else []
        affected = components_repo.components_of_incidents(conn, whole)
    states = []
    for config in configs:
        shown_components = site_components(
            catalog, changes, lang=config.lang, zone=config.zone, now=config.now
        )
        every = site_incidents(
            project, config, list(records.values()), timeline, shown_components, affected,
            partial,
        )  # fmt: skip
        by_number = {i.record.number: i for i in every}
        listings = {
            n: Listing(n, public_id(n), keys.get(n, ""), started, resolved,
                       updates.get(n, ()), by_number.get(n))
            for n, (started, resolved) in ended.items()
        }  # fmt: skip
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
        in_window = sorted(n for n in by_number if n in listed)
        state = SiteState(
            config,
            [by_number[n] for n in in_window],
            shown_windows(project, windows, config.lang),
            shown_components,
            pages=[by_number[r.number] for r in pages],
            months=history,
            archive=[
                MonthLink(key, month_name(key, config.lang))
                for key in sorted(manifest.months(), reverse=True)
            ],
            listed=[listings[n] for n in window],
            kept_updates=[(at, public_id(n), place) for n in held for at, place in held[n]],
        )
        states.append(state)
    emptied = sorted(key for key in touched if not in_month[key])
    return Loaded(states, manifest, emptied)


def _held(
    kept: KeptLists | None, keys: Mapping[int, str], with_page: Collection[int],
    folders: Sequence[str],
) -> dict[int, Shown]:  # fmt: skip
    """The window's incidents without a page whose entries ``kept`` holds as they are now,
    with their updates (time, place)."""
    held: dict[int, Shown] = {}
    if kept is None:
        return held
    for number, key in keys.items():
        if number not in with_page:
            found = kept.shown(public_id(number), key, folders)
            if found is not None:
                held[number] = found
    return held


def _has_feed(
    kept: KeptLists | None, number: int, places: Collection[int], folders: Sequence[str]
) -> bool:
    return kept is not None and kept.has_feed(public_id(number), places, folders)


def _updates(
    timeline: Timeline, whole: Collection[int], shown: Sequence[ShownMessage],
    held: Mapping[int, Shown],
) -> dict[int, Shown]:  # fmt: skip
    """Each resolved incident's updates with a customer's text (time, place), oldest
    first: from its timeline, its shown messages or what was kept."""
    customers = Audience.CUSTOMERS.value
    found: dict[int, Shown] = dict(held)
    for number in whole:
        found[number] = tuple(
            (message.created_at, message.seq)
            for message, sent in timeline.get(number, [])
            if any(d.audience == customers for d in sent)
        )
    listed: dict[int, list[tuple[datetime, int]]] = {}
    for message in shown:
        listed.setdefault(message.incident_number, []).append((message.created_at, message.seq))
    found.update({number: tuple(pairs) for number, pairs in listed.items()})
    return found


def _by_month(records: Sequence[IncidentRecord]) -> dict[str, list[IncidentRecord]]:
    found: dict[str, list[IncidentRecord]] = {}
    for record in records:
        key = month_of(record)
        if key is not None:
            found.setdefault(key, []).append(record)
    return found


def _moved(
    manifest: Manifest, changed: Collection[int], records: Sequence[IncidentRecord]
) -> set[str]:
    """Each ``changed`` incident's month after its messages, kept in ``manifest``, and the
    months whose pages change: where each changed incident is listed now and where it
    was."""
    touched: set[str] = set()
    now_in = {r.id: month_of(r) for r in records}
    for number in changed:
        incident_id = public_id(number)
        before = manifest.month(incident_id)
        after = now_in.get(incident_id)
        touched.update(m for m in (before, after) if m is not None)
        if incident_id in now_in:
            manifest.place(incident_id, after)
        elif before is not None:  # no longer listed: off its month's page (its page stays)
            manifest.place(incident_id, None)
    return touched


__all__ = ["Loaded", "Selection", "load_states"]
