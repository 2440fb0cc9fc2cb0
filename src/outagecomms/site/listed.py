"""The resolved incidents the lists show (the index's history, a month's page, the feed),
each entry rendered once per change of its incident and kept, so a rebuild after a message
renders the entries of the incidents it read and joins the others from the last build's.

The entries are kept in the site's directory (``.outagecomms-site-lists.json``, written
with the manifest, under the build's lock): for each resolved incident of the window, in
each language tree, its key, its index and month page entries, its updates with a
customer's text (time, place: the feed's order) and the feed entries of those the feed
showed. An incident's kept entries are used only when its key is the same (its record's
listed fields and its last message: any change to an incident adds a message, and a
message's texts never change) and the file was written for the same shape: the build's
(languages, time zones, templates, runbook titles: :func:`outagecomms.site.build.shape_of`)
and what decides which text each message shows (the channels' languages, audiences, kinds
and formats, the runbooks' languages). Otherwise the incident is read and its entries
rendered again, so a rebuild writes every file byte for byte as a full build does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from outagecomms.errors import OutagecommsError
from outagecomms.project import Project
from outagecomms.site.feed import FeedItem, entry_xml
from outagecomms.site.html import environment
from outagecomms.site.safe_write import write_file
from outagecomms.site.state import SiteIncident, SiteState
from outagecomms.store.site_repo import ListedRow

LISTS_FILE = ".outagecomms-site-lists.json"
TEMPLATE = "_listed.html"
FORMAT = 3
"""The file's layout: a file of another layout is never read as this one (3: the keys
as ``repr`` of their parts instead of JSON)."""


Shown = tuple[tuple[datetime, int], ...]
"""An incident's updates with a customer's text (time, place), oldest first."""


def listing_key(row: ListedRow) -> str:
    """What a resolved incident's entries are made of: its record's listed fields and its
    last message."""
    resolved = row.resolved_at.isoformat() if row.resolved_at else None
    parts = (row.runbook_id, row.status, row.phase, row.started_at.isoformat(), resolved)
    return repr((*parts, row.last_seq))  # repr: ~2x cheaper than json.dumps, per incident


@dataclass(frozen=True)
class Listing:
    """One resolved incident on a list: when it ended, in the lists' orders, its updates
    with a customer's text, and what it shows, read in this build (``incident``) or kept
    from the last (None)."""

    number: int
    id: str
    key: str
    """:func:`listing_key` (``""`` outside the window: such entries are not kept)."""
    started_at: datetime
    resolved_at: datetime | None
    shown: Shown
    incident: SiteIncident | None = None

    @property
    def closed(self) -> datetime:
        """Its resolution, else its start: its month and the month page's order."""
        return self.resolved_at or self.started_at

    @property
    def ended(self) -> datetime:
        """Its resolution, else its latest update's time, else its start: the index's
        order (as ``SiteIncident.updated_at``)."""
        return self.resolved_at or (self.shown[-1][0] if self.shown else self.started_at)


def lists_shape(project: Project, shape: str) -> str:
    """The build's shape and what decides which text of a message the lists show."""
    channels = sorted(
        [c.name, c.language, c.audience.value, c.kind.value, c.effective_format.value]
        for c in (loaded.channel for loaded in project.usable_channels().values())
    )
    languages: dict[str, list[str]] = {}
    for path in project.runbook_paths():
        with contextlib.suppress(OutagecommsError):  # a broken runbook is in ``shape``
            languages[path.stem] = list(project.runbook(path.stem).runbook.languages)
    parts = [FORMAT, shape, channels, languages, project.settings.default_language]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


Entry = dict[str, Any]
"""One incident's kept entries in one tree: ``key``, ``index`` and ``month`` (HTML),
``shown`` (its updates: ISO time, place) and ``feed`` (place -> its feed entry)."""


@dataclass
class KeptLists:
    """The entries of the last build (``kept``) and those of this one (``made``), by tree
    folder, then incident id."""

    shape: str
    kept: Mapping[str, Mapping[str, Entry]] = field(default_factory=dict)
    made: dict[str, dict[str, Entry]] = field(default_factory=dict)

    @classmethod
    def read(cls, out: Path, shape: str) -> KeptLists:
        """The last build's entries when they were made for ``shape``, else none."""
        with contextlib.suppress(OSError, ValueError):
            found = json.loads((out / LISTS_FILE).read_text(encoding="utf-8"))
            trees = found.get("trees") if isinstance(found, dict) else None
            if found.get("shape") == shape and isinstance(trees, dict):
                return cls(shape, {folder: _entries(tree) for folder, tree in trees.items()})
        return cls(shape)

    def shown(self, listing_id: str, key: str, folders: Sequence[str]) -> Shown | None:
        """The incident's updates when every tree kept its entries as they are now."""
        found: Entry | None = None
        for folder in folders:
            found = self.kept.get(folder, {}).get(listing_id)
            if found is None or found.get("key") != key:
                return None
        if found is None:
            return None
        try:
            return tuple((datetime.fromisoformat(at), int(seq)) for at, seq in found["shown"])
        except (TypeError, ValueError):  # a damaged file: read the incident again
            return None

    def has_feed(self, listing_id: str, places: Collection[int], folders: Sequence[str]) -> bool:
        """Whether every tree kept the feed entries of these updates of the incident."""
        for folder in folders:
            entry = self.kept.get(folder, {}).get(listing_id)
            if entry is None or not all(str(place) in entry["feed"] for place in places):
                return False
        return True

    def write(self, out: Path) -> None:
        """Keep this build's entries for the next; not written again when they are the
        ones read (a ``declare`` adds an open incident, which the kept lists never hold)."""
        if self.kept and self.made == self.kept:
            return
        document = {"shape": self.shape, "trees": self.made}
        write_file(out, LISTS_FILE, (json.dumps(document) + "\n").encode("utf-8"))


def _entries(tree: object) -> dict[str, Entry]:
    """The well-formed entries of one tree of the file (anything else is rendered again)."""
    if not isinstance(tree, dict):
        return {}
    return {
        listing_id: entry
        for listing_id, entry in tree.items()
        if isinstance(entry, dict)
        and all(isinstance(entry.get(name), str) for name in ("key", "index", "month"))
        and isinstance(entry.get("shown"), list)
        and isinstance(entry.get("feed"), dict)
    }


class TreeLists:
    """One language tree's list and feed entries, from the kept ones or rendered (with
    ``common``, the pages' context); the window's are kept for the next build."""

    def __init__(self, lists: KeptLists, state: SiteState, common: Mapping[str, Any]) -> None:
        folder = state.config.folder
        self.kept = lists.kept.get(folder, {})
        self.made = lists.made.setdefault(folder, {})
        self.state = state
        self.read = {incident.id: incident for incident in state.incidents}
        self.common = common
        self._rendered: dict[str, tuple[str, str]] = {}
        self._module: Any = None

    def index_entry(self, listing: Listing) -> Markup:
        """Its entry on the index; it and its feed entries are kept for the next build."""
        entry = self._entry(listing)
        self.made[listing.id] = entry
        return Markup(entry["index"])

    def month_entry(self, listing: Listing) -> Markup:
        return Markup(self._entry(listing)["month"])

    def feed_entry(self, item: FeedItem) -> str:
        """One update's feed entry (call :meth:`index_entry` first: an entry made here is
        kept with the incident's)."""
        _at, incident_id, place = item
        incident = self.read.get(incident_id)
        if incident is None:
            return str(self.kept[incident_id]["feed"][str(place)])
        update = next(u for u in incident.updates if u.seq == place)
        xml = entry_xml(self.state, incident, update)
        if incident_id in self.made:
            self.made[incident_id]["feed"][str(place)] = xml
        return xml

    def _entry(self, listing: Listing) -> Entry:
        kept = self.kept.get(listing.id)
        if kept is not None and (listing.incident is None or kept["key"] == listing.key):
            return {**kept, "feed": dict(kept["feed"])}  # as it is now (read for its page too)
        assert listing.incident is not None, f"{listing.id} was neither read nor kept"
        rendered = self._rendered.get(listing.id)
        if rendered is None:
            rendered = self._rendered[listing.id] = self._render(listing.incident)
        shown = [[at.isoformat(), place] for at, place in listing.shown]
        return {"key": listing.key, "index": rendered[0], "month": rendered[1], "shown": shown,
                "feed": {}}  # fmt: skip

    def _render(self, incident: SiteIncident) -> tuple[str, str]:
        if self._module is None:
            self._module = environment().get_template(TEMPLATE).make_module(dict(self.common))
        return str(self._module.index_entry(incident)), str(self._module.month_entry(incident))


__all__ = ["LISTS_FILE", "KeptLists", "Listing", "TreeLists", "listing_key", "lists_shape"]
