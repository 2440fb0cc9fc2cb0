"""``outagecomms site build``: the static status page, written so that no reader ever
gets a half-written file.

Every file is written to a temporary file in its own directory, then renamed over its old
version, which is atomic: a web server serving the directory meanwhile sends either the
old page or the new one (:mod:`outagecomms.site.safe_write`, which also never writes
through a symbolic link).
Incident pages go first and ``index.html`` last, so the index never links to a page that is
not there yet. Files an earlier build wrote and this one does not are removed (the
previous build's list is kept in ``.outagecomms-site.json``); other files in the directory
are never touched. Builds of one directory take turns (an advisory lock), so the worker
and an on-call's command rebuilding at once do not interleave.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from outagecomms.errors import ConfigError
from outagecomms.localdates import localize_digits
from outagecomms.project import Project
from outagecomms.site.components import grouped
from outagecomms.site.components import words as component_words
from outagecomms.site.feed import FEED_FILE, feed_xml
from outagecomms.site.html import render, time_formatter
from outagecomms.site.ics import CALENDAR_FILE, calendar
from outagecomms.site.labels import labels
from outagecomms.site.languages import alternates
from outagecomms.site.maintenance import maintenance_labels
from outagecomms.site.safe_write import exclusive_lock, write_file
from outagecomms.site.state import SiteConfig, SiteState, load_states
from outagecomms.site.summary import indicator, page_id, summary_json
from outagecomms.store import Store

MANIFEST = ".outagecomms-site.json"
LOCK = ".outagecomms-site.lock"
SUMMARY_FILE = "summary.json"
INDEX_FILE = "index.html"


@dataclass(frozen=True)
class BuildResult:
    out: Path
    files: list[str]
    open: int
    resolved: int
    lang: str
    languages: list[str] = field(default_factory=list)
    """Every language tree written, the root's (``lang``) first."""

    def as_json(self) -> dict[str, object]:
        return {
            "out": str(self.out),
            "files": self.files,
            "open": self.open,
            "resolved": self.resolved,
            "lang": self.lang,
            "languages": self.languages or [self.lang],
        }


def render_site(state: SiteState) -> dict[str, bytes]:
    """Every file of the site, by relative path, in the order they are published."""
    config = state.config
    words = labels(config.lang)
    common = {
        "site": config,
        "t": words,
        "when": time_formatter(config.lang, config.zone, config.now),
        "label": lambda key: words.get(key, key),
        "num": lambda number: localize_digits(str(number), config.lang),
        "mt": maintenance_labels(config.lang),
        "cw": component_words(config.lang),
        "groups": grouped(state.components),
    }
    files: dict[str, bytes] = {}
    for incident in state.incidents:
        page = render(
            "incident.html",
            i=incident,
            root="../",
            alternates=alternates(config, incident.path, "../"),
            **common,
        )
        files[incident.path] = page.encode("utf-8")
    files[FEED_FILE] = feed_xml(state)
    files[SUMMARY_FILE] = summary_json(state).encode("utf-8")
    files[CALENDAR_FILE] = calendar(
        state.windows, host=page_id(config.base_url), zone=config.timezone, url=config.url
    )
    index = render(
        "index.html",
        state=state,
        indicator=indicator(state),
        root="",
        alternates=alternates(config, INDEX_FILE, ""),
        **common,
    )
    files[INDEX_FILE] = index.encode("utf-8")
    return files


def build_site(project: Project, store: Store, out: Path, config: SiteConfig) -> BuildResult:
    """Read the store and publish the site of one language into ``out`` (created when
    missing)."""
    return build_sites(project, store, out, [config])


def build_sites(
    project: Project, store: Store, out: Path, configs: Sequence[SiteConfig]
) -> BuildResult:
    """Read the store and publish one tree per config into ``out``: the first at its root,
    the others in their language folders (see :func:`outagecomms.site.languages.site_configs`),
    published before the root's, which links to them; one manifest for all, so the tree of a
    language no longer built is removed."""
    trees = [*configs[1:], configs[0]]  # the root last: it links to the others
    states = load_states(project, store, trees)
    files = {
        state.config.folder + relative: content
        for state in states
        for relative, content in render_site(state).items()
    }
    root_state = states[-1]
    publish(files, out)
    return BuildResult(
        out=out,
        files=list(files),
        open=len(root_state.open),
        resolved=sum(1 for i in root_state.incidents if not i.is_open),
        lang=configs[0].lang,
        languages=[c.lang for c in configs],
    )


def publish(files: dict[str, bytes], out: Path) -> None:
    """Write ``files`` into ``out``: each one atomically, stale ones of earlier builds gone."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(out / LOCK):
            for relative, content in files.items():
                write_file(out, relative, content)  # safe_write: never through a link
            _remove_stale(out, set(files))
    except OSError as exc:
        raise ConfigError(
            f"cannot write the status page into {out}: {exc.strerror or exc}; "
            "check the directory exists and is writable"
        ) from None


def _remove_stale(out: Path, current: set[str]) -> None:
    manifest = out / MANIFEST
    previous: set[str] = set()
    with contextlib.suppress(OSError, ValueError):
        previous = set(json.loads(manifest.read_text(encoding="utf-8")).get("files", []))
    for relative in sorted(previous - current):
        path = (out / relative).resolve()
        if out.resolve() in path.parents:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    listing = json.dumps({"files": sorted(current)}, indent=1) + "\n"
    write_file(out, MANIFEST, listing.encode("utf-8"))
