"""What the last build of a site directory wrote, kept so that a rebuild after a message
reads and writes only what it changes (O(changed), not O(store)).

The manifest is a small head, ``.outagecomms-site.json``, and parts of
:data:`PART_SIZE` incidents each (by number: ``.outagecomms-site-part-10-7.json`` holds
INC-10000 to INC-10999 as written by the build of generation 7). The head holds the
build's shape, its language trees' folders, the files it wrote other than incident pages
(the index, the feeds, the month pages...), how many resolved incidents each month lists
and, for each part, the generation whose file it refers to. A part maps each incident with
a page (in every tree) to the month whose history page lists it (``null`` while open).

A part file is never rewritten: a build writes the parts it changed under its own
generation, then the head (renamed into place, atomic), then removes the parts the new
head no longer refers to. So a build stopped at any point leaves a head whose parts are all
there, as they were (the next rebuild converges: a message's delivery is retried, and its
rebuild writes what the stopped one would have); at worst a few part files nobody refers
to, which the next full build removes.

A manifest of the earlier layout (one file with every file and month) is read once and
written in this one by the next build.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outagecomms.site.safe_write import write_file

MANIFEST = ".outagecomms-site.json"
PART_PREFIX = ".outagecomms-site-part-"
PART_SIZE = 1000
"""Incidents per part: a new incident's rebuild reads and writes one part of at most this
many entries (~25 kB)."""
FORMAT = 2
_PART_NAME = re.compile(re.escape(PART_PREFIX) + r"(\d+)-(\d+)\.json\Z")
_PAGE = re.compile(r"(?P<folder>(?:[^/]+/)?)incidents/(?P<id>[^/]+)\.html\Z")
_NUMBER = re.compile(r"(\d+)\Z")


def part_name(part: int, generation: int) -> str:
    return f"{PART_PREFIX}{part}-{generation}.json"


@dataclass
class Manifest:
    """The last build's manifest, its parts read when asked for (:meth:`month`), and what
    this build changes in it."""

    shape: str | None = None
    """None: no manifest (or an unreadable one): the next build is a full one."""
    trees: tuple[str, ...] = ()
    files: set[str] = field(default_factory=set)
    """The files written other than incident pages."""
    counts: dict[str, int] = field(default_factory=dict)
    """Month -> how many resolved incidents its history page lists."""
    generation: int = 0
    part_size: int = field(default_factory=lambda: PART_SIZE)
    """Incidents per part, as the head says (a part's entries are found by it)."""
    parts: dict[int, int] = field(default_factory=dict)
    """Part -> the generation of its file."""
    out: Path | None = None
    _loaded: dict[int, dict[str, str | None]] = field(default_factory=dict)
    _dirty: set[int] = field(default_factory=set)

    @classmethod
    def read(cls, out: Path) -> Manifest:
        """The manifest in ``out``; an empty one (shape None) when missing or unreadable."""
        with contextlib.suppress(OSError, ValueError):
            found = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
            if isinstance(found, dict):
                if found.get("format") == FORMAT:
                    return cls._from_head(out, found)
                if "format" not in found:
                    return cls._from_single_file(out, found)
        return cls(out=out)

    @classmethod
    def _from_head(cls, out: Path, head: Mapping[str, Any]) -> Manifest:
        try:
            return cls(
                shape=str(head["shape"]),
                trees=tuple(str(folder) for folder in head["trees"]),
                files={str(name) for name in head["files"]},
                counts={str(month): int(n) for month, n in head["months"].items()},
                generation=int(head["generation"]),
                part_size=max(1, int(head["part_size"])),
                parts={int(part): int(made) for part, made in head["parts"].items()},
                out=out,
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls(out=out)

    @classmethod
    def _from_single_file(cls, out: Path, document: Mapping[str, Any]) -> Manifest:
        """The earlier layout: ``files`` (every file) and ``months`` (incident -> month)."""
        files = document.get("files")
        months = document.get("months")
        if not isinstance(files, list) or not isinstance(months, dict):
            return cls(out=out)
        manifest = cls(shape=str(document.get("shape")), out=out)
        trees: set[str] = set()
        for name in map(str, files):
            page = _PAGE.match(name)
            if page is None:
                manifest.files.add(name)
                continue
            trees.add(page["folder"])
            manifest._entry(page["id"], months.get(page["id"]), count=True)
        manifest.trees = tuple(sorted(trees))
        return manifest

    # what a build asks -------------------------------------------------------

    def has(self, incident_id: str) -> bool:
        """Whether the last build wrote the incident's page."""
        return incident_id in self._part(self._part_of(incident_id))

    def month(self, incident_id: str) -> str | None:
        """The month whose history page lists the incident (None: open, or no page)."""
        return self._part(self._part_of(incident_id)).get(incident_id)

    def months(self) -> set[str]:
        """Every month with a history page."""
        return {month for month, count in self.counts.items() if count > 0}

    @property
    def resolved(self) -> int:
        return sum(self.counts.values())

    def place(self, incident_id: str, month: str | None) -> None:
        """The incident has a page, and is listed in ``month`` (None: open)."""
        self._entry(incident_id, month, count=True)

    def settle(self, month: str, count: int) -> None:
        """How many incidents ``month`` lists, as the store says (a build reads every
        incident of the months it writes): a count gone wrong (a part deleted by hand)
        is right again once its month is written."""
        if self.counts.get(month, 0) != count:
            self.counts[month] = count

    def every_file(self) -> set[str]:
        """Every file the last build wrote (all its parts read)."""
        pages = {
            f"{folder}incidents/{incident_id}.html"
            for part in self.parts.keys() | self._loaded.keys()
            for incident_id in self._part(part)
            for folder in self.trees
        }
        return pages | self.files

    # writing -----------------------------------------------------------------

    def write(self, out: Path, shape: str, trees: Iterable[str], files: Iterable[str]) -> None:
        """The changed parts under a new generation, then the head, then the parts no
        longer referred to are removed."""
        trees, files = tuple(trees), set(files)
        generation = self.generation + 1
        before = dict(self.parts)
        for part in sorted(self._dirty):
            entries = self._loaded[part]
            text = json.dumps({"incidents": dict(sorted(entries.items()))})
            write_file(out, part_name(part, generation), (text + "\n").encode("utf-8"))
            self.parts[part] = generation
        head = {
            "format": FORMAT,
            "generation": generation,
            "part_size": self.part_size,
            "shape": shape,
            "trees": list(trees),
            "files": sorted(files),
            "months": {m: n for m, n in sorted(self.counts.items()) if n > 0},
            "parts": {str(part): made for part, made in sorted(self.parts.items())},
        }
        write_file(out, MANIFEST, (json.dumps(head) + "\n").encode("utf-8"))
        self.generation, self.shape = generation, shape
        self.trees, self.files = trees, files
        self._dirty.clear()
        for part, made in before.items():
            if self.parts.get(part) != made:
                with contextlib.suppress(OSError):
                    (out / part_name(part, made)).unlink()

    def remove_unreferred_parts(self, out: Path) -> None:
        """Part files no head refers to (left by a build that was stopped)."""
        with contextlib.suppress(OSError):
            for path in out.iterdir():
                found = _PART_NAME.match(path.name)
                if found and self.parts.get(int(found[1])) != int(found[2]):
                    with contextlib.suppress(OSError):
                        path.unlink()

    # inside ------------------------------------------------------------------

    def _part_of(self, incident_id: str) -> int:
        found = _NUMBER.search(incident_id)
        return int(found.group(1)) // self.part_size if found else 0

    def _part(self, part: int) -> dict[str, str | None]:
        loaded = self._loaded.get(part)
        if loaded is None:
            loaded = self._loaded[part] = self._read_part(part)
        return loaded

    def _read_part(self, part: int) -> dict[str, str | None]:
        made = self.parts.get(part)
        if made is None or self.out is None:
            return {}
        with contextlib.suppress(OSError, ValueError):
            found = json.loads((self.out / part_name(part, made)).read_text(encoding="utf-8"))
            entries = found.get("incidents") if isinstance(found, dict) else None
            if isinstance(entries, dict):
                return {
                    str(key): value if isinstance(value, str) else None
                    for key, value in entries.items()
                }
        return {}

    def _entry(self, incident_id: str, month: Any, *, count: bool) -> None:
        part = self._part_of(incident_id)
        entries = self._part(part)
        month = month if isinstance(month, str) else None
        if incident_id in entries and entries[incident_id] == month:
            return
        before = entries.get(incident_id)
        if count and before is not None:
            self.counts[before] = self.counts.get(before, 0) - 1
        if count and month is not None:
            self.counts[month] = self.counts.get(month, 0) + 1
        entries[incident_id] = month
        self._dirty.add(part)


def is_incident_page(name: str) -> bool:
    """Whether a file of the site is an incident's page (the parts list those)."""
    return _PAGE.match(name) is not None


def fresh(pages: Mapping[str, str | None]) -> Manifest:
    """A full build's manifest: every incident with a page, and its month."""
    manifest = Manifest()
    for incident_id, month in pages.items():
        manifest.place(incident_id, month)
    return manifest


__all__ = ["MANIFEST", "PART_SIZE", "Manifest", "fresh", "is_incident_page", "part_name"]
