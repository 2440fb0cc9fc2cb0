"""The resolved incidents the lists show (the index's history, a month's page), each list
entry rendered once per change of its incident and kept, so a rebuild after a message
renders the entries of the incidents it read and joins the others from the last build's.

The entries are kept in the site's directory (``.outagecomms-site-lists.json``, written
with the manifest, under the build's lock): for each resolved incident of the window, its
key and its two entries (index, month page) in each language tree. An entry is reused only
when its incident's key is the same (its record's listed fields, and the place and time of
its latest update with a customer's text, read from the messages' times alone) and the
file was written for the same shape: the build's (languages, time zones, templates, runbook
titles: :func:`outagecomms.site.build.shape_of`) and what decides which text each message
shows (the channels' languages, audiences, kinds and formats, the runbooks' languages).
Anything else, and the entry is rendered from the store again, so a rebuild writes every
file byte for byte as a full build does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from outagecomms.errors import OutagecommsError
from outagecomms.project import Project
from outagecomms.site.html import environment
from outagecomms.site.safe_write import write_file
from outagecomms.site.state import SiteIncident
from outagecomms.store.records import IncidentRecord

LISTS_FILE = ".outagecomms-site-lists.json"
TEMPLATE = "_listed.html"


def listing_key(record: IncidentRecord, latest: tuple[int, datetime] | None) -> str:
    """What a resolved incident's entries are made of: its record's listed fields and its
    latest shown update (place, time)."""
    parts = [
        record.runbook_id,
        record.status,
        record.phase,
        record.started_at.isoformat(),
        record.resolved_at.isoformat() if record.resolved_at else None,
        [latest[0], latest[1].isoformat()] if latest else None,
    ]
    return json.dumps(parts, ensure_ascii=False)


@dataclass(frozen=True)
class Listing:
    """One resolved incident on a list: when it ended, in the lists' orders, and what it
    shows, read in this build (``incident``) or kept from the last (None)."""

    number: int
    id: str
    key: str
    ended: datetime
    """Its resolution, else its latest update's time, else its start: the index's order."""
    closed: datetime
    """Its resolution, else its start: its month and the month page's order."""
    incident: SiteIncident | None = None


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
    parts = [shape, channels, languages, project.settings.default_language]
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


@dataclass
class KeptLists:
    """The entries of the last build (``kept``) and those of this one (``made``), by tree
    folder, then incident id: ``[key, index entry, month entry]``."""

    shape: str
    kept: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)
    made: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, out: Path, shape: str) -> KeptLists:
        """The last build's entries when they were made for ``shape``, else none."""
        with contextlib.suppress(OSError, ValueError):
            found = json.loads((out / LISTS_FILE).read_text(encoding="utf-8"))
            if isinstance(found, dict) and found.get("shape") == shape:
                return cls(shape, found.get("trees") or {})
        return cls(shape)

    def has(self, listing_id: str, key: str, folders: list[str]) -> bool:
        """Whether every tree kept this incident's entries as they are now."""
        for folder in folders:
            entry = self.kept.get(folder, {}).get(listing_id)
            if entry is None or entry[0] != key:
                return False
        return True

    def write(self, out: Path) -> None:
        document = {"shape": self.shape, "trees": self.made}
        write_file(out, LISTS_FILE, (json.dumps(document) + "\n").encode("utf-8"))


class TreeLists:
    """One language tree's list entries, from the kept ones or rendered (with ``common``,
    the pages' context)."""

    def __init__(self, lists: KeptLists, folder: str, common: Mapping[str, Any]) -> None:
        self.kept = lists.kept.get(folder, {})
        self.made = lists.made.setdefault(folder, {})
        self.common = common
        self._rendered: dict[str, list[str]] = {}
        self._module: Any = None

    def index_entry(self, listing: Listing) -> Markup:
        """Its entry on the index, which keeps it for the next build."""
        entry = self._entry(listing)
        self.made[listing.id] = entry
        return Markup(entry[1])

    def month_entry(self, listing: Listing) -> Markup:
        return Markup(self._entry(listing)[2])

    def _entry(self, listing: Listing) -> list[str]:
        kept = self.kept.get(listing.id)
        if kept is not None and (listing.incident is None or kept[0] == listing.key):
            return kept  # as it is now (an incident read for the feed or its page too)
        assert listing.incident is not None, f"{listing.id} was neither read nor kept"
        rendered = self._rendered.get(listing.id)
        if rendered is None:
            rendered = self._rendered[listing.id] = [listing.key, *self._render(listing.incident)]
        return rendered

    def _render(self, incident: SiteIncident) -> tuple[str, str]:
        if self._module is None:
            self._module = environment().get_template(TEMPLATE).make_module(dict(self.common))
        return str(self._module.index_entry(incident)), str(self._module.month_entry(incident))


__all__ = ["LISTS_FILE", "KeptLists", "Listing", "TreeLists", "listing_key", "lists_shape"]
