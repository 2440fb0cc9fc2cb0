"""The Atom feed (RFC 4287): one entry per message, newest first.

Entry ids are tag URIs (RFC 4151) made of the status page's host, the incident's start
date and the message's place in it (``tag:status.example.com,2024-06-01:INC-7/3``), so they
stay the same across rebuilds and moves of the site. Each entry links to the message on its
incident's page and carries the message's language (``xml:lang``).
"""

from __future__ import annotations

import heapq
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from outagecomms.display import for_xml
from outagecomms.site.page_id import page_id
from outagecomms.site.state import SiteIncident, SiteState, Update, phase_label
from outagecomms.store.records import iso_utc

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_FILE = "feed.atom"
MAX_ENTRIES = 100
"""The newest messages the feed carries; older ones stay on the incident pages."""


def _q(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def entry_id(incident: SiteIncident, update: Update, host: str, folder: str = "") -> str:
    """Stable across rebuilds; a language tree in a folder (``fa/``) has its own ids."""
    day = incident.record.started_at.astimezone(UTC).date().isoformat()
    return f"tag:{host},{day}:{folder}{incident.id}/{update.seq}"


def _text(parent: ET.Element, name: str, value: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(name), attrs)
    element.text = for_xml(value)  # a control character would make the feed invalid XML
    return element


FeedItem = tuple[datetime, str, int]
"""One update in the feed's order: its time, its incident's id, its place."""


def feed_items(state: SiteState, kept: Sequence[FeedItem] = ()) -> list[FeedItem]:
    """The feed's updates, newest first: those of the incidents read and the ``kept`` ones
    (of incidents whose entries the last build kept, :mod:`outagecomms.site.listed`)."""
    read = [(u.at, u.incident_id, u.seq) for u in state.updates]
    return heapq.nlargest(MAX_ENTRIES, [*read, *kept])


def entry_xml(state: SiteState, incident: SiteIncident, update: Update) -> str:
    """One update's ``<entry>`` as the feed's document holds it (indented, no namespace
    declaration of its own), so entries kept from an earlier build can be joined."""
    ET.register_namespace("", ATOM)
    holder = ET.Element(_q("feed"))
    _entry(holder, state, incident, update)
    ET.indent(holder)
    text = ET.tostring(holder, encoding="unicode")
    return text[text.index("\n") + 1 : text.rindex("\n")]


def _entry(feed: ET.Element, state: SiteState, incident: SiteIncident, update: Update) -> None:
    config = state.config
    lang = update.lang or config.lang
    entry = ET.SubElement(feed, _q("entry"), {XML_LANG: lang})
    _text(entry, "id", entry_id(incident, update, page_id(config.base_url), config.folder))
    phase = phase_label(update.phase, lang)
    _text(entry, "title", update.title or f"{incident.title}: {phase}")
    _text(entry, "updated", iso_utc(update.at))
    _text(entry, "published", iso_utc(update.at))
    href = f"{config.url}/{incident.path}#{update.anchor}"
    ET.SubElement(entry, _q("link"), {"rel": "alternate", "type": "text/html", "href": href})
    ET.SubElement(entry, _q("category"), {"term": update.phase, "label": phase})
    _text(entry, "summary", f"{incident.id} · {incident.title} · {phase}")
    _text(entry, "content", update.body, type="text")


def feed_xml(state: SiteState, items: Sequence[FeedItem], entries: Sequence[str]) -> bytes:
    """The feed of ``items`` (:func:`feed_items`) and their ``entries``
    (:func:`entry_xml`), in that order."""
    config = state.config
    host = page_id(config.base_url)
    ET.register_namespace("", ATOM)
    feed = ET.Element(_q("feed"), {XML_LANG: config.lang})
    _text(feed, "id", f"tag:{host},2000-01-01:{config.folder}feed")
    _text(feed, "title", config.name)
    _text(feed, "updated", iso_utc(items[0][0] if items else config.now))
    ET.SubElement(feed, _q("link"), {"rel": "self", "href": f"{config.url}/{FEED_FILE}"})
    ET.SubElement(feed, _q("link"), {"rel": "alternate", "href": f"{config.url}/index.html"})
    author = ET.SubElement(feed, _q("author"))
    _text(author, "name", config.name)
    _text(feed, "generator", "outagecomms")
    ET.indent(feed)
    head: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    closing = b"\n</feed>"
    assert head.endswith(closing)
    joined = "".join(f"\n{entry}" for entry in entries).encode("utf-8")
    return head[: -len(closing)] + joined + closing + b"\n"
