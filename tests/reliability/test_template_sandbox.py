"""Runbook templates cannot reach Python internals: the classic Jinja sandbox escapes are
refused when the runbook is loaded, or fail to render, and never print an object."""

from __future__ import annotations

import copy
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from outagecomms.errors import OutagecommsError
from outagecomms.models import Phase, Severity
from outagecomms.templates import IncidentFacts, context, render_source
from tests.conftest import REPO
from tests.reliability.conftest import assert_clean, invoke_cli
from tests.reliability.test_bad_input import BASE_RUNBOOK

pytestmark = pytest.mark.usefixtures("fuzz_env")

RUNBOOK = "payments-failing"

PAYLOADS = [
    # object graph walks from a value the template is given
    "{{ impact.__class__.__mro__[1].__subclasses__() }}",
    "{{ incident_id.__class__.__base__.__subclasses__() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ now.__class__.__init__.__globals__ }}",
    "{{ next_update_at.__dict__ }}",
    "{{ started_at.__reduce_ex__(2) }}",
    "{{ (1).__class__.__base__.__subclasses__() }}",
    # Jinja's own globals
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ range.__self__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    # Flask-style names
    "{{ request.application.__globals__ }}",
    "{{ config.__class__.__init__.__globals__ }}",
    "{{ config.items() }}",
    # format-string tricks
    "{{ '{0.__class__}'.format(impact) }}",
    "{{ '{0.__class__.__mro__}'.format(incident_id) }}",
    "{{ '%s'|format(impact.__class__) }}",
    "{{ '{0.__init__.__globals__}'.format(now) }}",
    "{{ impact.format_map({}) }}",
    "{{ '{x.__class__}'.format_map({'x': impact}) }}",
    "{{ '{x.__init__.__globals__}'.format_map({'x': cycler}) }}",
    # attribute access through the attr filter and subscripts
    "{{ impact|attr('__class__') }}",
    "{{ (impact|attr('__class__'))|attr('__mro__') }}",
    "{{ impact|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
    "{{ impact['__class__'] }}",
    "{{ now['__class__'] }}",
    # mutation and loops through internals
    "{% set x = [] %}{{ x.append(1) }}",
    "{% set d = {} %}{{ d.update(a=1) }}",
    "{% for c in ''.__class__.__mro__ %}{{ c }}{% endfor %}",
    "{{ impact.__len__() }}",
    "{{ [].__class__ }}",
]

LEAKS = ("<class", "<module", "<function", "<built-in", "<bound", "<method", "<jinja2",
         "<Template", "uid=", "{'")  # fmt: skip
"""What a reached object or a run command would print (``{'``: a dumped mapping)."""


def _runbook_with(payload: str) -> str:
    data = copy.deepcopy(BASE_RUNBOOK)
    chat = data["messages"]["investigating"]["chat"]
    chat["en"] = f"Payments issue: {{{{ impact }}}}. {payload} Next update by "
    chat["en"] += "{{ next_update_at }}: {{ status_url }}"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    shutil.copy(REPO / "channels" / "team-slack.yaml", root / "channels")
    return root


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_sandbox_escape_in_a_runbook_is_refused(project: Path, payload: str) -> None:
    (project / "runbooks" / f"{RUNBOOK}.yaml").write_text(_runbook_with(payload), "utf-8")
    for argv in (
        ["lint", "--project", str(project)],
        ["preview", RUNBOOK, "--var", "impact=cards fail", "--project", str(project)],
    ):
        outcome = invoke_cli(argv)
        assert_clean(outcome, allowed=frozenset({0}))
        for leak in LEAKS:
            shown = outcome.stdout + outcome.stderr
            assert leak not in shown, f"{payload!r} printed {leak!r}: {shown}"


FACTS = IncidentFacts(
    incident_id="INC-7",
    severity=Severity.MAJOR,
    started_at=datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
    now=datetime(2024, 6, 1, 12, 30, tzinfo=UTC),
    next_update_at=datetime(2024, 6, 1, 13, 30, tzinfo=UTC),
    status_url="https://status.example.com",
    sender="The Support Team",
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_sandbox_itself_refuses_what_the_loader_would_have_caught(payload: str) -> None:
    """Defence in depth: rendered directly, with every built-in variable and Jinja's
    globals in reach, the payload is still an error or harmless text."""
    from outagecomms.project import load_runbook

    runbook = load_runbook(REPO / "runbooks" / f"{RUNBOOK}.yaml").runbook
    ctx = context(
        runbook,
        FACTS,
        {"impact": "cards fail", "scope": "", "workaround": "", "eta": ""},
        lang="en",
        zone=ZoneInfo("UTC"),
        phase=Phase.INVESTIGATING,
    )
    try:
        rendered = render_source(payload, ctx)
    except OutagecommsError:
        return
    for leak in LEAKS:
        assert leak not in rendered, f"{payload!r} rendered {rendered!r}"


def test_values_are_never_template_code(project: Path) -> None:
    shutil.copy(REPO / "runbooks" / f"{RUNBOOK}.yaml", project / "runbooks")
    for payload in ("{{ 7*7 }}", "{{ cycler.__init__.__globals__ }}", "{% raw %}x"):
        outcome = invoke_cli(
            ["preview", RUNBOOK, "--var", f"impact={payload}", "--project", str(project)]
        )
        assert outcome.code == 0, outcome.describe()
        assert payload in outcome.stdout
        assert "<class" not in outcome.stdout and "<module" not in outcome.stdout
