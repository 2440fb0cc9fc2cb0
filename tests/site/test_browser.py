"""The pages in a real browser (headless Chromium): what a reader sees, right-to-left
Persian, landmarks, the language switcher between the trees, and a screenshot of every
page."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from outagecomms.project import Project
from outagecomms.site.build import build_sites
from outagecomms.site.languages import site_configs
from outagecomms.store import Store
from tests.conftest import CliRunner
from tests.incidents.conftest import T0
from tests.site.conftest import IMPACT, RUNBOOK, Browser, build

PAGES = ("index.html", "incidents/INC-1.html")


def png_facts(data: bytes) -> tuple[int, int, int]:
    """Width, height and how many distinct byte values the image data holds (a blank or
    single-colour image holds a handful whatever the PNG filters; a page of text hundreds)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels))


@pytest.fixture
def site(root: Path, store: Store, incident: str, tmp_path: Path) -> Path:
    build(root, store, tmp_path / "en")
    return tmp_path / "en"


@pytest.fixture
def persian_site(root: Path, store: Store, incident: str, tmp_path: Path) -> Path:
    build(root, store, tmp_path / "fa", lang="fa", timezone="Asia/Tehran")
    return tmp_path / "fa"


def test_index_shows_title_phase_scope_latest_message_and_next_update(
    browser: Browser, site: Path
) -> None:
    text = browser.probe(site / "index.html")["text"]
    for expected in (
        "Online payments failing",
        "Status\nIdentified",
        "Affected\ncustomers in Europe",
        "Online payments: we found the cause",
        "We have found what is stopping payments and are putting a fix in place now. "
        f"Until it is in place, {IMPACT}",
        "Next update\n1 June, 16:10 EEST",  # the site channel's time zone, Europe/Riga
    ):
        assert expected in text, expected


def test_incident_page_shows_the_whole_timeline_newest_first(browser: Browser, site: Path) -> None:
    text = browser.probe(site / "incidents" / "INC-1.html")["text"]
    assert text.index("Online payments: we found the cause") < text.index(
        "Online payments are failing: we are on it"
    )


def test_persian_page_is_laid_out_right_to_left(browser: Browser, persian_site: Path) -> None:
    found = browser.probe(persian_site / "index.html")
    html = found["langs"][0]
    assert (html["tag"], html["lang"], html["dir"]) == ("html", "fa", "rtl")
    heading = found["heading"]
    assert found["width"] - heading["right"] < heading["left"], "the heading is not on the right"


def test_persian_messages_are_marked_fa_and_rendered_right_to_left(
    browser: Browser, persian_site: Path
) -> None:
    messages = [
        e for e in browser.probe(persian_site / "index.html")["langs"] if e["tag"] == "article"
    ]
    assert messages
    assert all((m["lang"], m["dir"]) == ("fa", "rtl") for m in messages)
    assert "علت مشکل پرداخت را پیدا کرده‌ایم" in messages[0]["text"]


def test_persian_next_update_is_in_iran_time_with_persian_digits(
    browser: Browser, persian_site: Path
) -> None:
    text = browser.probe(persian_site / "index.html")["text"]
    assert "به‌روزرسانی بعدی\n۱۲ خرداد، ۱۶:۴۰ (وقت ایران)" in text


@pytest.mark.parametrize("page", PAGES)
def test_page_has_landmarks_and_no_script(browser: Browser, site: Path, page: str) -> None:
    dom = browser.dom(site / page)
    for landmark in ("<header>", '<main id="main">', "<nav ", "<footer>"):
        assert landmark in dom, landmark
    assert "<script" not in dom


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["en", "fa"])
def test_page_screenshot_is_a_rendered_page(
    browser: Browser, site: Path, persian_site: Path, page: str, lang: str, tmp_path: Path
) -> None:
    directory = site if lang == "en" else persian_site
    png = browser.screenshot(directory / page, tmp_path / f"{lang}-{page.replace('/', '-')}.png")
    width, height, values = png_facts(png)
    assert (width, height) == (1200, 1600)
    assert len(png) > 20_000
    assert values > 64, "the screenshot is (nearly) a single colour"


def test_gallery_shows_each_message_as_the_customer_sees_it(
    browser: Browser, cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery.html"
    result = cli("preview", RUNBOOK, "--all-kinds", "--phase", "investigating", "--html",
                 str(out), "--project", str(root))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = browser.probe(out)["text"]
    assert "Subject: Online payments are failing: we are on it" in text
    assert "/280 weighted" in text
    assert "1/3 segment · " in text


def test_gallery_persian_cards_are_right_to_left(
    browser: Browser, cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery.html"
    cli("preview", RUNBOOK, "--all-kinds", "--lang", "fa", "--phase", "resolved", "--html",
        str(out), "--project", str(root))  # fmt: skip
    messages = [e for e in browser.probe(out)["langs"] if e["tag"] == "div"]
    assert messages
    assert all((m["lang"], m["dir"]) == ("fa", "rtl") for m in messages)


def test_gallery_screenshot_is_a_rendered_page(
    browser: Browser, cli: CliRunner, root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "gallery.html"
    cli("preview", RUNBOOK, "--all-kinds", "--html", str(out), "--project", str(root))
    width, height, values = png_facts(browser.screenshot(out, tmp_path / "gallery.png"))
    assert (width, height, values > 64) == (1200, 1600, True)


@pytest.fixture
def multilingual_site(root: Path, store: Store, incident: str, tmp_path: Path) -> Path:
    """``site build`` in every language the project speaks: English at the root, Persian
    in ``fa/``."""
    project = Project(root)
    out = tmp_path / "all"
    build_sites(project, store, out, site_configs(project, now=T0.replace(hour=13)))
    return out


def test_persian_tree_is_laid_out_right_to_left(browser: Browser, multilingual_site: Path) -> None:
    found = browser.probe(multilingual_site / "fa" / "incidents" / "INC-1.html")
    html = found["langs"][0]
    assert (html["tag"], html["lang"], html["dir"]) == ("html", "fa", "rtl")
    heading = found["heading"]
    assert found["width"] - heading["right"] < heading["left"], "the heading is not on the right"
    assert "علت مشکل پرداخت را پیدا کرده‌ایم" in found["text"]


@pytest.mark.parametrize(
    ("page", "other", "target", "direction"),
    [
        ("index.html", "fa", "fa/index.html", "rtl"),
        ("incidents/INC-1.html", "fa", "fa/incidents/INC-1.html", "rtl"),
        ("fa/index.html", "en", "index.html", "ltr"),
        ("fa/incidents/INC-1.html", "en", "incidents/INC-1.html", "ltr"),
    ],
)
def test_language_switcher_leads_to_the_same_page_in_the_other_language(
    browser: Browser, multilingual_site: Path, page: str, other: str, target: str, direction: str
) -> None:
    links = browser.probe(multilingual_site / page)["languages"]
    assert [(link["hreflang"], link["dir"]) for link in links] == [(other, direction)]
    assert links[0]["href"] == (multilingual_site / target).resolve().as_uri()


def test_switcher_shows_each_language_in_its_own_name(
    browser: Browser, multilingual_site: Path
) -> None:
    text = browser.probe(multilingual_site / "index.html")["text"]
    assert "English\nفارسی" in text


def test_persian_tree_screenshot_is_a_rendered_page(
    browser: Browser, multilingual_site: Path, tmp_path: Path
) -> None:
    png = browser.screenshot(multilingual_site / "fa" / "index.html", tmp_path / "fa-tree.png")
    width, height, values = png_facts(png)
    assert (width, height, values > 64) == (1200, 1600, True)
