"""Random control characters, Rich markup, HTML, bidirectional controls and URL
metacharacters through ``--var`` reach every output a reader meets (the terminal, the
gallery, the status page, its feed and summary.json, an HTTP receiver) as parseable,
escaped text, or are refused with one clear error, never a traceback (Hypothesis,
derandomized, a modest number of examples)."""

from __future__ import annotations

import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from outagecomms.display import BIDI_CONTROLS
from outagecomms.inputs import CONTROL_CHARACTERS
from outagecomms.sinks import HttpSink
from tests.conftest import REPO
from tests.hostile.conftest import RUNBOOK
from tests.reliability.conftest import assert_clean, fuzz, fuzz_env, invoke_cli

__all__ = ["fuzz_env"]  # the fixture, used below
pytestmark = pytest.mark.usefixtures("fuzz_env")

HOSTILE = st.one_of(
    st.sampled_from(
        ["\x1b[31m", "\x01", "\x0b", "\x85", "\x7f", "\r", "\n", "[/red]", "[bold]", "[", "]",
         "<script>alert(1)</script>", "<b>", "&amp;", "]]>", "\"'", "\u202e", "\u2066", "\u200f",
         "\u061c", "@", "/", "?", "#", "%", "&", "=", "+", "${HOME}", "{{ 7*7 }}", "://",
         "https://evil.example/<x>", "ی", "🙂", " "]
    ),
    st.text(alphabet="abc xyz", min_size=1, max_size=4),
)  # fmt: skip
VALUES = st.lists(HOSTILE, min_size=1, max_size=6).map("".join).filter(lambda v: v.strip())


@pytest.fixture(scope="module")
def sink() -> Iterator[HttpSink]:
    with HttpSink() as http:
        yield http


@pytest.fixture(scope="module")
def project(sink: HttpSink) -> Iterator[Path]:
    """The payments runbook, a webhook to the sink and a status page channel."""
    with tempfile.TemporaryDirectory(prefix="oc-hostile-") as tmp:
        root = Path(tmp) / "project"
        (root / "runbooks").mkdir(parents=True)
        (root / "channels").mkdir()
        shutil.copy(REPO / "runbooks" / f"{RUNBOOK}.yaml", root / "runbooks")
        (root / "channels" / "hook.yaml").write_text(
            f"name: hook\nkind: webhook\nurl: json://127.0.0.1:{sink.port}/hook\n", "utf-8"
        )
        (root / "channels" / "status-site.yaml").write_text(
            "name: status-site\nkind: site\nurl: public\n", "utf-8"
        )
        yield root


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.add(tag)


PAGE_TAGS = {"html", "head", "meta", "title", "link", "style", "body", "a", "header", "main",
             "footer", "p", "h1", "h2", "h3", "h4", "section", "article", "ul", "ol", "li",
             "dl", "dt", "dd", "time", "span", "div", "strong", "bdi", "br", "nav"}  # fmt: skip


def check_html(page: str) -> None:
    """Parseable, only the page's own elements, no control character, every
    bidirectional control inside a ``<bdi>``."""
    parser = _Tags()
    parser.feed(page)
    parser.close()
    assert parser.tags <= PAGE_TAGS, parser.tags - PAGE_TAGS
    assert not [c for c in CONTROL_CHARACTERS.findall(page) if c not in "\n\t"]
    for found in BIDI_CONTROLS.finditer(page):
        before = page[: found.start()]
        assert before.rfind("<bdi>") > before.rfind("</bdi>"), page[found.start() - 80 :][:160]


def check_terminal(text: str) -> None:
    assert not [c for c in CONTROL_CHARACTERS.findall(text) if c != "\n"], repr(text)


@settings(fuzz, max_examples=8)
@given(value=VALUES)
@example(value="cards fail [/red] \u202eliaf <script>x</script> a@b/c?d#e")
@example(value="\x1b[31mred\x01\x0b")
def test_a_hostile_var_value_reaches_every_output_escaped(
    project: Path, sink: HttpSink, value: str
) -> None:
    args = ["--var", f"impact={value}", "--project", str(project)]
    refused = CONTROL_CHARACTERS.search(value.replace("\n", "")) is not None

    shown = invoke_cli(["preview", RUNBOOK, *args])
    assert_clean(shown)
    assert shown.code == (2 if refused else 0), shown.describe()
    check_terminal(shown.stdout + shown.stderr)
    if refused:
        return

    gallery = project / "gallery.html"
    assert invoke_cli(["preview", RUNBOOK, "--html", str(gallery), *args]).code == 0
    check_html(gallery.read_text("utf-8"))

    sink.clear()
    declared = invoke_cli(
        ["declare", RUNBOOK, "--unapproved", "--reason", "fuzz", "--timeout", "5", "--json", *args]
    )
    assert_clean(declared)
    assert declared.code == 0, declared.describe()
    incident = json.loads(declared.stdout)["incident"]["id"]
    (request,) = sink.wait_for(1)
    assert value.strip() in json.loads(request.body)["message"]

    detail = invoke_cli(["show", incident, "--project", str(project)])
    assert detail.code == 0, detail.describe()
    check_terminal(detail.stdout)
    status = invoke_cli(["status", "--project", str(project)])
    assert status.code == 0, status.describe()
    check_terminal(status.stdout)

    public = project / "public"
    ET.fromstring((public / "feed.atom").read_bytes())
    json.loads((public / "summary.json").read_text("utf-8"))
    for page in (public / "index.html", *sorted((public / "incidents").glob("*.html"))):
        check_html(page.read_text("utf-8"))
