"""The status page in every language the project speaks: one tree per language, the
default language at ``/`` and the others in their folders, each page linking to itself in
the other languages."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.project import Project
from outagecomms.site.build import BuildResult, build_sites
from outagecomms.site.languages import site_configs
from outagecomms.site.summary import schema
from outagecomms.store import Store
from tests.conftest import CliRunner
from tests.incidents.conftest import T0, write_channel
from tests.site.conftest import IMPACT, RUNBOOK

ATOM = "{http://www.w3.org/2005/Atom}"
BUILT_AT = T0.replace(hour=13)


def build_all(root: Path, store: Store, out: Path, *languages: str) -> BuildResult:
    project = Project(root)
    configs = site_configs(project, languages=languages, now=BUILT_AT)
    return build_sites(project, store, out, configs)


def page(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


def test_site_build_writes_a_tree_per_language_default_at_the_root(
    cli: CliRunner, root: Path, incident: str, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = cli("site", "build", "--out", str(out), "--project", str(root), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["languages"] == ["en", "fa"]
    for tree in ("", "fa/"):
        for name in ("index.html", "incidents/INC-1.html", "feed.atom", "summary.json"):
            assert (out / tree / name).is_file(), tree + name


def test_languages_are_the_runbooks_that_customer_channels_speak(
    cli: CliRunner, root: Path, incident: str, tmp_path: Path
) -> None:
    write_channel(root, "email-uk", kind="email", url="mailto://127.0.0.1:9", language="uk",
                  timezone="Europe/Kyiv")  # fmt: skip
    write_channel(root, "team-lv", kind="slack", audience="internal", url="json://127.0.0.1:9/l",
                  language="lv")  # fmt: skip
    write_channel(root, "email-de", kind="email", url="mailto://127.0.0.1:9", language="de")
    result = cli("site", "build", "--out", str(tmp_path / "s"), "--project", str(root), "--json")
    assert json.loads(result.stdout)["languages"] == ["en", "fa", "uk"]


def test_each_tree_has_its_language_and_direction(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build_all(root, store, tmp_path)
    assert '<html lang="en" dir="ltr">' in page(tmp_path, "incidents/INC-1.html")
    assert '<html lang="fa" dir="rtl">' in page(tmp_path, "fa/incidents/INC-1.html")
    assert "پرداخت آنلاین: علت مشکل را پیدا کردیم" in page(tmp_path, "fa/index.html")


def test_every_page_names_its_alternates_with_hreflang(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build_all(root, store, tmp_path)
    for tree in ("", "fa/"):
        html = page(tmp_path, f"{tree}incidents/INC-1.html")
        assert re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html) == [
            ("en", "https://status.example.com/incidents/INC-1.html"),
            ("fa", "https://status.example.com/fa/incidents/INC-1.html"),
            ("x-default", "https://status.example.com/incidents/INC-1.html"),
        ]


def test_language_switcher_links_each_page_to_itself_in_the_other_languages(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build_all(root, store, tmp_path)
    english = page(tmp_path, "incidents/INC-1.html")
    persian = page(tmp_path, "fa/incidents/INC-1.html")
    assert '<a href="../fa/incidents/INC-1.html" hreflang="fa" lang="fa" dir="rtl">فارسی</a>' in (
        english
    )
    assert '<a href="../../incidents/INC-1.html" hreflang="en" lang="en" dir="ltr">English</a>' in (
        persian
    )
    assert '<span aria-current="page" lang="fa" dir="rtl">فارسی</span>' in persian


def test_a_one_language_site_has_no_switcher(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build_all(root, store, tmp_path, "fa")
    index = page(tmp_path, "index.html")
    assert '<html lang="fa" dir="rtl">' in index
    assert "hreflang" not in index
    assert not (tmp_path / "en").exists()


def test_each_language_shows_times_in_its_own_channels_zone(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build_all(root, store, tmp_path)
    # next update at 13:10 UTC: the English site channel is in Riga, the Persian one in Tehran
    assert "1 June, 16:10 EEST" in page(tmp_path, "index.html")
    assert "۱۲ خرداد، ۱۶:۴۰ (وقت ایران)" in page(tmp_path, "fa/index.html")


def test_each_language_has_its_own_feed(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build_all(root, store, tmp_path)
    english = ET.fromstring((tmp_path / "feed.atom").read_bytes())
    persian = ET.fromstring((tmp_path / "fa" / "feed.atom").read_bytes())
    assert persian.get("{http://www.w3.org/XML/1998/namespace}lang") == "fa"
    self_link = persian.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == "https://status.example.com/fa/feed.atom"
    ids = [e.findtext(f"{ATOM}id") for e in (*english.iter(f"{ATOM}entry"),
                                             *persian.iter(f"{ATOM}entry"))]  # fmt: skip
    assert len(ids) == len(set(ids)) == 4, "entry ids repeat across the languages' feeds"
    assert english.findtext(f"{ATOM}id") != persian.findtext(f"{ATOM}id")


def test_each_language_has_its_own_summary_matching_the_schema(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build_all(root, store, tmp_path)
    document = json.loads(page(tmp_path, "fa/summary.json"))
    jsonschema.Draft202012Validator(schema()).validate(document)
    assert (document["page"]["language"], document["page"]["url"]) == (
        "fa", "https://status.example.com/fa",
    )  # fmt: skip
    assert document["page"]["alternates"] == [
        {"lang": "en", "url": "https://status.example.com/summary.json"},
        {"lang": "fa", "url": "https://status.example.com/fa/summary.json"},
    ]
    assert document["incidents"][0]["shortlink"] == (
        "https://status.example.com/fa/incidents/INC-1.html"
    )


def test_a_language_no_longer_spoken_is_removed_at_the_next_build(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build_all(root, store, tmp_path)
    build_all(root, store, tmp_path, "en")
    assert not (tmp_path / "fa" / "index.html").exists()
    assert (tmp_path / "index.html").is_file()


def test_site_channel_rebuilds_every_language_with_its_own_at_the_root(
    root: Path, orchestrator: Orchestrator
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    assert '<html lang="en" dir="ltr">' in page(root / "public", "index.html")
    assert '<html lang="fa" dir="rtl">' in page(root / "public", "fa/index.html")
    assert '<html lang="fa" dir="rtl">' in page(root / "public-fa", "index.html")
    assert '<html lang="en" dir="ltr">' in page(root / "public-fa", "en/index.html")


def test_site_build_refuses_a_language_that_is_not_a_code(
    cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    result = cli("site", "build", "--out", str(tmp_path / "o"), "--lang", "en", "--lang",
                 "../etc", "--project", str(root))  # fmt: skip
    assert result.exit_code == 2
    assert "'../etc' is not a language code" in result.stderr


def test_every_tree_is_built_from_one_read_of_the_store(
    root: Path, store: Store, incident: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[object] = []
    read = store.read

    def counted() -> object:
        reads.append(None)
        return read()

    monkeypatch.setattr(store, "read", counted)
    build_all(root, store, tmp_path)
    assert len(reads) == 1, "the trees could show different moments"
