"""Fixtures for the status page: the incidents' project, store, clock and fake sender
(shared from ``tests/incidents/conftest.py``) with a site channel in English and one in
Persian, and headless Chromium (Debian's ``chromium``) to look at the pages."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.project import Project
from outagecomms.site.build import BuildResult, build_site
from outagecomms.site.state import SiteConfig
from outagecomms.store import Store
from tests.incidents import conftest as incidents_fixtures
from tests.incidents.conftest import T0, Approvals, Clock, FakeSender, write_channel

# the fixtures shared with tests/incidents/ (named, not star-imported)
approvals = incidents_fixtures.approvals
cli_orchestrator_options = incidents_fixtures.cli_orchestrator_options
clock = incidents_fixtures.clock
fake_channels = incidents_fixtures.fake_channels
http = incidents_fixtures.http
postgres_url = incidents_fixtures.postgres_url
project_root = incidents_fixtures.project_root
real_approvals = incidents_fixtures.real_approvals
sender = incidents_fixtures.sender
sink_channels = incidents_fixtures.sink_channels
smtp = incidents_fixtures.smtp
store = incidents_fixtures.store

RUNBOOK = "payments-failing"
IMPACT = "card payments fail at checkout"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_TIMEOUT = 60


@pytest.fixture
def root(project_root: Path) -> Path:
    """The incidents' project (the payments runbook) with a site channel per language,
    customer email in Persian, an X channel and the internal Slack (the last three go to
    the fake sender)."""
    root = project_root
    (root / "outagecomms.toml").write_text('status_url = "https://status.example.com"\n')
    write_channel(root, "status-site", kind="site", url="public", timezone="Europe/Riga")
    write_channel(
        root, "status-site-fa", kind="site", url=f"file://{root}/public-fa", language="fa",
        timezone="Asia/Tehran",
    )  # fmt: skip
    write_channel(root, "email-fa", kind="email", url="mailto://127.0.0.1:9", language="fa")
    write_channel(root, "x-posts", kind="x", url="json://127.0.0.1:9/x")
    write_channel(root, "team-slack", kind="slack", audience="internal", url="json://127.0.0.1:9/s")
    return root


@pytest.fixture
def orchestrator(
    root: Path, store: Store, clock: Clock, sender: FakeSender, approvals: Approvals
) -> Orchestrator:
    return Orchestrator(
        Project(root), store, clock=clock, sender=sender, gate=approvals, actor="alice"
    )


@pytest.fixture
def incident(orchestrator: Orchestrator, clock: Clock) -> str:
    """INC-1, declared at T0 and identified ten minutes later (next update at 13:10 UTC)."""
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT, "scope": "customers in Europe"})
    clock.advance(minutes=10)
    orchestrator.update("INC-1", phase=Phase.IDENTIFIED)
    return "INC-1"


def build(root: Path, store: Store, out: Path, **options: Any) -> BuildResult:
    """``site build`` in English at a fixed time (T0 + 1 hour) unless told otherwise."""
    options.setdefault("now", T0.replace(hour=13))
    options.setdefault("lang", "en")
    project = Project(root)
    return build_site(project, store, out, SiteConfig.for_project(project, **options))


# --------------------------------------------------------------------------- the browser


@dataclass(frozen=True)
class Browser:
    """Headless Chromium, started directly for each page (no driver, no JavaScript in the
    pages: a probe script is added only to a test copy of a page)."""

    executable: str
    profile: Path

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [
            self.executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={self.profile}",
            "--window-size=1200,1600",
            *args,
        ]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT, check=True
        )

    def dom(self, page: Path) -> str:
        """The DOM after parsing (``--dump-dom``)."""
        return self._run("--dump-dom", page.resolve().as_uri()).stdout

    def screenshot(self, page: Path, png: Path) -> bytes:
        self._run(f"--screenshot={png}", page.resolve().as_uri())
        return png.read_bytes()

    def probe(self, page: Path) -> dict[str, Any]:
        """What a reader sees: the page's visible text (``innerText``), the computed
        direction of every element with a ``lang``, where the main heading's text sits, and
        where the language switcher's links lead. A probe
        script runs in a copy of the page next to it; the page itself has no script."""
        source = page.read_text(encoding="utf-8")
        # the page's Content-Security-Policy forbids scripts: the probe's copy drops it
        source = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "", source)
        copy = page.with_name(f".probe-{page.name}")
        copy.write_text(source.replace("</body>", PROBE + "</body>"), encoding="utf-8")
        try:
            dom = self.dom(copy)
        finally:
            copy.unlink()
        start = dom.index('<pre id="probe">') + len('<pre id="probe">')
        raw = dom[start : dom.index("</pre>", start)]
        found: dict[str, Any] = json.loads(html.unescape(raw))
        return found


PROBE = """<script>
const found = {
  text: document.body.innerText,
  width: document.documentElement.clientWidth,
  heading: (() => { const range = document.createRange();
                    range.selectNodeContents(document.querySelector('h1'));
                    const r = range.getBoundingClientRect();
                    return {left: r.left, right: r.right}; })(),
  langs: [...document.querySelectorAll('[lang]')].map(e => ({
    tag: e.tagName.toLowerCase(), id: e.id, lang: e.lang,
    dir: getComputedStyle(e).direction, text: e.innerText.slice(0, 200)})),
  languages: [...document.querySelectorAll('nav.languages a')].map(a => ({
    hreflang: a.hreflang, href: a.href, dir: getComputedStyle(a).direction})),
};
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = JSON.stringify(found);
document.body.appendChild(pre);
</script>"""


@pytest.fixture
def browser(tmp_path: Path) -> Browser:
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH; `make test` installs Debian's chromium package")
    return Browser(CHROMIUM, tmp_path / "chromium-profile")
