"""The Atom feed: well-formed XML in the Atom namespace, one entry per message."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from outagecomms.incidents import Orchestrator
from outagecomms.store import Store
from tests.site.conftest import build

NS = {"atom": "http://www.w3.org/2005/Atom"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed(root: Path, store: Store, tmp_path: Path, **options: str) -> ET.Element:
    build(root, store, tmp_path / "out", **options)
    return ET.parse(tmp_path / "out" / "feed.atom").getroot()


def test_feed_is_an_atom_feed(root: Path, store: Store, incident: str, tmp_path: Path) -> None:
    document = feed(root, store, tmp_path)
    assert document.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("id", "title", "updated", "author/atom:name"):
        assert document.find(f"atom:{required}", NS) is not None, required


def test_feed_has_one_entry_per_message_newest_first(
    root: Path, store: Store, incident: str, orchestrator: Orchestrator, tmp_path: Path
) -> None:
    orchestrator.resolve(incident)
    entries = feed(root, store, tmp_path).findall("atom:entry", NS)
    terms = [e.find("atom:category", NS).get("term") for e in entries]  # type: ignore[union-attr]
    assert terms == ["resolved", "identified", "investigating"]


def test_feed_entries_have_stable_ids_links_and_the_message_times(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    entries = feed(root, store, tmp_path).findall("atom:entry", NS)
    assert [e.findtext("atom:id", namespaces=NS) for e in entries] == [
        "tag:status.example.com,2024-06-01:INC-1/2",
        "tag:status.example.com,2024-06-01:INC-1/1",
    ]
    assert [e.findtext("atom:updated", namespaces=NS) for e in entries] == [
        "2024-06-01T12:10:00+00:00",
        "2024-06-01T12:00:00+00:00",
    ]
    link = entries[0].find("atom:link", NS)
    assert link is not None
    assert link.get("href") == "https://status.example.com/incidents/INC-1.html#update-2"


def test_feed_updated_is_the_newest_message(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    assert feed(root, store, tmp_path).findtext("atom:updated", namespaces=NS) == (
        "2024-06-01T12:10:00+00:00"
    )


def test_feed_entries_carry_the_message_text_and_language(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    entry = feed(root, store, tmp_path, lang="fa").find("atom:entry", NS)
    assert entry is not None
    assert entry.get(XML_LANG) == "fa"
    assert entry.findtext("atom:title", namespaces=NS) == "پرداخت آنلاین: علت مشکل را پیدا کردیم"
    content = entry.find("atom:content", NS)
    assert content is not None and content.get("type") == "text"
    assert "علت مشکل پرداخت را پیدا کرده‌ایم" in (content.text or "")


def test_feed_of_an_empty_store_is_valid_with_no_entries(
    root: Path, store: Store, tmp_path: Path
) -> None:
    assert feed(root, store, tmp_path).findall("atom:entry", NS) == []
