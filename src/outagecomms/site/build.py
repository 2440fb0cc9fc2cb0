"""``outagecomms site build``: the static status page, written so that no reader ever
gets a half-written file.

Every file is written to a temporary file in its own directory, then renamed over its old
version, which is atomic: a web server serving the directory meanwhile sends either the
old page or the new one (:mod:`outagecomms.site.safe_write`, which also never writes
through a symbolic link).
Incident pages go first and ``index.html`` last, so the index never links to a page that is
not there yet. Files an earlier build wrote and this one does not are removed (the
previous build's list is kept in its manifest, ``.outagecomms-site.json`` and its parts:
:mod:`outagecomms.site.manifest`, the lists' entries in
``.outagecomms-site-lists.json``: :mod:`outagecomms.site.listed`); other files in the
directory are never touched. Builds of one directory take turns (an advisory lock), so the worker
and an on-call's command rebuilding at once do not interleave (the turn covers the read of
the store too, so a later build never publishes older data).

A rebuild after a message (``changed``: the incidents it concerns) writes only the files
that show them: their incident pages, the index, the feed, the summary, the calendar and
the history page of their month (:mod:`outagecomms.site.selection`). It falls back to a
full build when the directory has no manifest of an earlier build, or when that build had
another shape (languages, names, time zones, window, templates, components or runbook
titles: :func:`shape_of`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from importlib.abc import Traversable
from pathlib import Path

from markupsafe import Markup

from outagecomms.components.catalog import COMPONENTS_FILE
from outagecomms.cycles import without_cycle_collection
from outagecomms.errors import ConfigError, OutagecommsError
from outagecomms.localdates import localize_digits
from outagecomms.project import Project
from outagecomms.site.components import grouped
from outagecomms.site.components import words as component_words
from outagecomms.site.feed import FEED_FILE, feed_items, feed_xml
from outagecomms.site.history import history_labels, month_path
from outagecomms.site.html import render, time_formatter
from outagecomms.site.ics import CALENDAR_FILE, calendar
from outagecomms.site.labels import labels
from outagecomms.site.languages import alternates
from outagecomms.site.listed import KeptLists, TreeLists, lists_shape
from outagecomms.site.maintenance import maintenance_labels
from outagecomms.site.manifest import Manifest, is_incident_page
from outagecomms.site.page_id import page_id
from outagecomms.site.safe_write import exclusive_lock, holds, write_file
from outagecomms.site.selection import Selection, load_states
from outagecomms.site.state import SiteConfig, SiteState
from outagecomms.site.summary import indicator, summary_json
from outagecomms.store import Store

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


def render_site(state: SiteState, lists: KeptLists | None = None) -> dict[str, bytes]:
    """Every file of the site, by relative path, in the order they are published; the
    lists' entries from ``lists`` where it keeps them, and kept there for the next build."""
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
        "ht": history_labels(config.lang),
    }
    entries = TreeLists(lists or KeptLists(""), state, common)
    history = _joined([entries.index_entry(listing) for listing in state.history])  # first
    files: dict[str, bytes] = {}
    for incident in state.pages:
        assert not incident.partial, f"{incident.id} was read for the lists only"
        page = render(
            "incident.html",
            i=incident,
            root="../",
            alternates=alternates(config, incident.path, "../"),
            **common,
        )
        files[incident.path] = page.encode("utf-8")
    for month in state.months:
        page = render(
            "month.html",
            month=month,
            entries=_joined([entries.month_entry(listing) for listing in month.incidents]),
            root="../",
            alternates=alternates(config, month.path, "../"),
            **common,
        )
        files[month.path] = page.encode("utf-8")
    items = feed_items(state, state.kept_updates)
    files[FEED_FILE] = feed_xml(state, items, [entries.feed_entry(item) for item in items])
    files[SUMMARY_FILE] = summary_json(state).encode("utf-8")
    files[CALENDAR_FILE] = calendar(
        state.windows, host=page_id(config.base_url), zone=config.timezone, url=config.url
    )
    index = render(
        "index.html",
        state=state,
        indicator=indicator(state),
        history=history,
        root="",
        alternates=alternates(config, INDEX_FILE, ""),
        **common,
    )
    files[INDEX_FILE] = index.encode("utf-8")
    return files


def _joined(entries: list[Markup]) -> list[Markup]:
    """A list's entries as one: the templates print each entry and nothing between them
    (``{% for entry in history %}{{ entry }}{% endfor %}``), and what they do to a printed
    value (control characters replaced) is done character by character, so printing the
    entries joined writes the same bytes, without a template loop over ~550 entries."""
    return [Markup("".join(entries))] if entries else []


def build_site(
    project: Project,
    store: Store,
    out: Path,
    config: SiteConfig,
    changed: Collection[int] | None = None,
) -> BuildResult:
    """Read the store and publish the site of one language into ``out`` (created when
    missing)."""
    return build_sites(project, store, out, [config], changed)


def build_sites(
    project: Project,
    store: Store,
    out: Path,
    configs: Sequence[SiteConfig],
    changed: Collection[int] | None = None,
) -> BuildResult:
    """Read the store and publish one tree per config into ``out``: the first at its root,
    the others in their language folders (see :func:`outagecomms.site.languages.site_configs`),
    published before the root's, which links to them; one manifest for all, so the tree of a
    language no longer built is removed. With ``changed`` (incident numbers), only the files
    that show them (see the module doc)."""
    with without_cycle_collection():
        return _build_sites(project, store, out, configs, changed)


def _build_sites(
    project: Project,
    store: Store,
    out: Path,
    configs: Sequence[SiteConfig],
    changed: Collection[int] | None,
) -> BuildResult:
    trees = [*configs[1:], configs[0]]  # the root last: it links to the others
    shape = shape_of(project, trees)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with exclusive_lock(out / LOCK):
            previous = Manifest.read(out)
            selection = Selection()
            lists = KeptLists(lists_shape(project, shape))
            if changed is not None and previous.shape == shape:
                selection = Selection(frozenset(changed), previous)
                lists = KeptLists.read(out, lists.shape)
            loaded = load_states(project, store, trees, selection, lists)
            files = {
                state.config.folder + relative: content
                for state in loaded.states
                for relative, content in render_site(state, lists).items()
            }
            for relative, content in files.items():
                if not holds(out, relative, content):  # only the files whose bytes change
                    write_file(out, relative, content)  # safe_write: never through a link
            manifest = loaded.manifest
            others = {name for name in files if not is_incident_page(name)}
            if selection.full:
                stale = previous.every_file() - set(files)
                manifest.generation = previous.generation  # its parts get new names
            else:
                gone = {c.folder + month_path(key) for c in trees for key in loaded.emptied}
                stale = previous.files & gone
                others = (previous.files | others) - gone
            _remove_stale(out, stale)
            lists.write(out)
            manifest.write(out, shape, [c.folder for c in trees], others)
            if selection.full:
                manifest.remove_unreferred_parts(out)
    except OSError as exc:
        raise ConfigError(
            f"cannot write the status page into {out}: {exc.strerror or exc}; "
            "check the directory exists and is writable"
        ) from None
    root_state = loaded.states[-1]
    return BuildResult(
        out=out,
        files=list(files),
        open=len(root_state.open),
        resolved=loaded.manifest.resolved,
        lang=configs[0].lang,
        languages=[c.lang for c in configs],
    )


def shape_of(project: Project, configs: Sequence[SiteConfig]) -> str:
    """What every page depends on beyond its incidents: when it differs from the last
    build's, a rebuild after a message rewrites every page."""
    titles: dict[str, list[str]] = {}
    for path in project.runbook_paths():
        with contextlib.suppress(OutagecommsError):  # a broken runbook: its pages say its id
            runbook = project.runbook(path.stem).runbook
            titles[path.stem] = [runbook.title_in(c.lang) for c in configs]
    digest = hashlib.sha256()
    parts: list[object] = [
        [(c.lang, c.timezone, c.name, c.base_url, c.public_url, c.history_days, c.languages)
         for c in configs],
        titles,
        project.settings.sender,
        project.settings.default_language,
    ]  # fmt: skip
    digest.update(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    components = project.root / COMPONENTS_FILE
    with contextlib.suppress(OSError):
        digest.update(components.read_bytes())
    for template in sorted(_templates().iterdir(), key=lambda t: t.name):
        digest.update(template.name.encode("utf-8") + template.read_bytes())
    return digest.hexdigest()


def _templates() -> Traversable:
    """The page templates' folder: the package's own directory when it is one (as
    installed from a wheel), which spares a fresh process importing
    ``importlib.resources``' readers (and ``zipfile``), else the package's resources."""
    here = Path(__file__).with_name("templates")
    if here.is_dir():
        return here
    from importlib import resources

    return resources.files("outagecomms.site") / "templates"


def _remove_stale(out: Path, stale: set[str]) -> None:
    """Remove the files the last build wrote that this one does not list."""
    root = out.resolve()
    for relative in sorted(stale):
        path = (out / relative).resolve()
        if root in path.parents:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
