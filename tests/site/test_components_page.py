"""The status page's components: each with its status now and a 90-day bar of the worst
status of each day; ``summary.json``'s components in Statuspage's shape; the page's posts
without the email's greeting and sign-off; the subscribe link; one heading."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from outagecomms.incidents import Orchestrator
from outagecomms.models import Phase
from outagecomms.site.posts import post_body
from outagecomms.site.summary import schema
from outagecomms.store import Store
from tests.conftest import REPO
from tests.incidents.conftest import T0, Clock
from tests.site.conftest import IMPACT, RUNBOOK, build


@pytest.fixture(autouse=True)
def components_file(root: Path) -> Path:
    target = root / "components.yaml"
    shutil.copy(REPO / "components.yaml", target)
    return target


def index_of(out: Path) -> str:
    return (out / "index.html").read_text(encoding="utf-8")


def component_block(index: str, component: str) -> str:
    found = re.search(rf'<li class="component" id="component-{component}">(.*?)</ol>', index, re.S)
    assert found, f"no component {component} on the page"
    return found.group(1)


def bar_days(block: str) -> list[str]:
    return re.findall(r'<li class="s-([a-z_]+)"', block)


def summary_of(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return loaded


def test_each_component_is_listed_with_its_status_now(
    root: Path, store: Store, orchestrator: Orchestrator, tmp_path: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    build(root, store, tmp_path / "out")
    index = index_of(tmp_path / "out")
    assert 'class="status s-partial_outage">Partial outage<' in component_block(index, "payments")
    assert 'class="status s-operational">Operational<' in component_block(index, "login")


def test_the_history_bar_has_ninety_days_operational_before_the_first_incident(
    root: Path, store: Store, orchestrator: Orchestrator, tmp_path: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    build(root, store, tmp_path / "out")
    days = bar_days(component_block(index_of(tmp_path / "out"), "payments"))
    assert len(days) == 90
    assert days[:-1] == ["operational"] * 89
    assert days[-1] == "partial_outage"  # today


def test_a_day_shows_the_worst_status_it_saw_even_after_resolution(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    orchestrator.declare(
        RUNBOOK, variables={"impact": IMPACT}, components=["payments=major_outage"]
    )
    clock.advance(minutes=20)
    orchestrator.resolve("INC-1")
    build(root, store, tmp_path / "out", now=T0.replace(hour=13) + (clock() - T0))
    block = component_block(index_of(tmp_path / "out"), "payments")
    assert 'class="status s-operational"' in block  # now
    assert bar_days(block)[-1] == "major_outage"  # today, at its worst


def test_yesterdays_incident_stays_on_yesterdays_day(
    root: Path, store: Store, orchestrator: Orchestrator, clock: Clock, tmp_path: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    clock.advance(minutes=30)
    orchestrator.resolve("INC-1")
    build(root, store, tmp_path / "out", now=T0.replace(day=2, hour=13))
    days = bar_days(component_block(index_of(tmp_path / "out"), "payments"))
    assert days[-2:] == ["partial_outage", "operational"]


def test_the_persian_page_names_components_in_persian(
    root: Path, store: Store, orchestrator: Orchestrator, tmp_path: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    build(root, store, tmp_path / "out", lang="fa")
    block = component_block(index_of(tmp_path / "out"), "payments")
    assert "پرداخت" in block
    assert "اختلال جزئی" in block


def test_an_incident_lists_the_components_it_affects(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out")
    page = (tmp_path / "out" / "incidents" / "INC-1.html").read_text(encoding="utf-8")
    assert '<dd class="affected-components">Payments</dd>' in page


def test_summary_carries_components_in_statuspages_shape_and_validates(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out")
    document = summary_of(tmp_path / "out")
    jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
    by_id = {c["id"]: c for c in document["components"]}
    assert by_id["payments"]["status"] == "partial_outage"
    assert by_id["payments"]["group_id"] == "accounts"
    assert by_id["accounts"]["group"] is True
    assert by_id["accounts"]["components"] == ["payments", "login"]
    assert by_id["accounts"]["status"] == "partial_outage"
    assert [c["id"] for c in document["incidents"][0]["components"]] == ["payments"]


def test_summary_status_counts_a_component_set_by_hand(
    root: Path, store: Store, tmp_path: Path
) -> None:
    from outagecomms.components.impact import set_status
    from outagecomms.project import Project

    set_status(Project(root), store, "api", "major_outage", now=T0, actor="alice")
    build(root, store, tmp_path / "out")
    assert summary_of(tmp_path / "out")["status"] == {
        "indicator": "critical",
        "description": "Major System Outage",
    }


def test_a_project_without_components_yaml_shows_none(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    (root / "components.yaml").unlink()
    build(root, store, tmp_path / "out")
    assert 'id="components-heading"' not in index_of(tmp_path / "out")
    assert summary_of(tmp_path / "out")["components"] == []


def test_the_page_shows_the_post_without_greeting_or_signature(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out")
    page = (tmp_path / "out" / "incidents" / "INC-1.html").read_text(encoding="utf-8")
    assert "Hello," not in page
    assert "The Support Team" not in page
    assert "Right now card payments fail at checkout" in page
    body = summary_of(tmp_path / "out")["incidents"][0]["incident_updates"][0]["body"]
    assert not body.startswith("Hello")


def test_post_body_keeps_a_text_that_is_only_a_greeting() -> None:
    assert post_body("Hello,", {"The Support Team"}) == "Hello,"


def test_post_body_drops_the_signed_by_line_with_the_sender() -> None:
    text = "Hello,\n\nPayments work again.\n\nAlex Morgan\nThe Support Team\n"
    assert post_body(text, {"The Support Team"}) == "Payments work again."


def test_the_subscribe_link_points_at_the_public_url(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    settings = root / "outagecomms.toml"
    settings.write_text(settings.read_text() + 'public_url = "https://api.example.com/"\n')
    build(root, store, tmp_path / "out")
    assert (
        '<a class="subscribe" href="https://api.example.com/subscribe">Subscribe to updates</a>'
        in (index_of(tmp_path / "out"))
    )


def test_the_index_has_a_subscribe_form_posting_to_the_service(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    settings = root / "outagecomms.toml"
    settings.write_text(settings.read_text() + 'public_url = "https://api.example.com/"\n')
    build(root, store, tmp_path / "out")
    index = index_of(tmp_path / "out")
    form = index.split('<form method="post" action="https://api.example.com/subscribe">', 1)[1]
    form = form.split("</form>", 1)[0]
    assert '<input type="hidden" name="language" value="en">' in form
    assert 'name="address"' in form and "<script" not in index


def test_the_page_lets_its_form_post_only_to_the_service(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    settings = root / "outagecomms.toml"
    settings.write_text(settings.read_text() + 'public_url = "https://api.example.com/"\n')
    build(root, store, tmp_path / "out")
    assert 'form-action https://api.example.com"' in index_of(tmp_path / "out")


def test_no_subscribe_link_without_a_public_url(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out")
    index = index_of(tmp_path / "out")
    assert "/subscribe" not in index and "<form" not in index
    assert "form-action &#39;none&#39;" in index


def test_the_index_names_the_site_once(
    root: Path, store: Store, incident: str, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out")
    main_part = index_of(tmp_path / "out").split("<main", 1)[0].split("<body>", 1)[1]
    assert main_part.count("Service status") == 2  # the heading and the nav's label


def test_an_update_after_identified_keeps_the_components(
    root: Path, store: Store, orchestrator: Orchestrator, tmp_path: Path
) -> None:
    orchestrator.declare(RUNBOOK, variables={"impact": IMPACT})
    orchestrator.update("INC-1", phase=Phase.MONITORING)
    build(root, store, tmp_path / "out")
    assert bar_days(component_block(index_of(tmp_path / "out"), "payments"))[-1] == (
        "partial_outage"
    )


def banner_of(out: Path) -> str:
    found = re.search(r'<p class="banner[^"]*" role="status">(.*?)</p>', index_of(out), re.S)
    assert found, "no banner on the page"
    return found.group(0)


def test_the_banner_says_all_is_well_when_nothing_is_open_and_every_component_works(
    root: Path, store: Store, tmp_path: Path
) -> None:
    build(root, store, tmp_path / "out")
    assert "All systems are working normally." in banner_of(tmp_path / "out")


def test_the_banner_names_the_components_not_operational_when_no_incident_is_open(
    root: Path, store: Store, tmp_path: Path
) -> None:
    from outagecomms.components.impact import set_status
    from outagecomms.project import Project

    set_status(Project(root), store, "api", "major_outage", now=T0, actor="alice")
    set_status(Project(root), store, "login", "under_maintenance", now=T0, actor="alice")
    build(root, store, tmp_path / "out")
    banner = banner_of(tmp_path / "out")
    assert "Not working normally: Sign-in (Under maintenance), API (Major outage)" in banner
    assert 'class="banner affected critical"' in banner
    assert "All systems are working normally" not in index_of(tmp_path / "out")
    assert "No incidents are open." in index_of(tmp_path / "out")


def test_the_banner_names_the_affected_components_in_the_pages_language(
    root: Path, store: Store, tmp_path: Path
) -> None:
    from outagecomms.components.impact import set_status
    from outagecomms.project import Project

    set_status(Project(root), store, "payments", "degraded_performance", now=T0, actor="alice")
    build(root, store, tmp_path / "out", lang="fa")
    assert "بخش‌هایی که عادی کار نمی‌کنند: پرداخت (کاهش کارایی)" in banner_of(tmp_path / "out")
