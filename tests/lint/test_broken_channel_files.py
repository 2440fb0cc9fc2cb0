"""One broken channel file fails only itself, in ``lint`` too: every broken file is
reported, and the valid channels still get their length proofs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliRunner
from tests.factories import runbook_data, write_channel, write_runbook


def test_lint_reports_every_broken_channel_file_not_only_the_first(
    cli: CliRunner, empty_project: Path
) -> None:
    write_runbook(empty_project, runbook_data())
    write_channel(empty_project, name="a-pager", kind="pager")
    write_channel(empty_project, name="b-hook", language="EN")
    result = cli("lint", "--json", "--project", str(empty_project))
    files = {f["file"].rsplit("/", 1)[-1] for f in json.loads(result.stdout)["findings"]}
    assert {"a-pager.yaml", "b-hook.yaml"} <= files
