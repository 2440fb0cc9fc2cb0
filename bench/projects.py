"""Throw-away projects for the benchmarks: shipped runbooks, channels on local sinks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from bench.harness import REPO

RUNBOOK = "payments-failing"
IMPACT = "card payments fail at checkout"


def write_channel(root: Path, name: str, **fields: object) -> None:
    path = root / "channels" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"name": name, **fields}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def new_project(root: Path, runbooks: tuple[str, ...] = (RUNBOOK,)) -> Path:
    """A project holding copies of the named shipped runbooks and no channels."""
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    for runbook in runbooks:
        shutil.copy(REPO / "runbooks" / f"{runbook}.yaml", root / "runbooks")
    return root


def approve_all(root: Path) -> None:
    """Comms staff approve the project's runbooks (so declares go out without break-glass)."""
    from outagecomms.approvals import approve
    from outagecomms.project import Project

    project = Project(root)
    approve(project, [p.stem for p in project.runbook_paths()], by="bench")


def shipped_runbooks() -> list[Path]:
    return sorted((REPO / "runbooks").glob("*.yaml"))


_ID_LINE = re.compile(r"^id: *(\S+) *$", re.MULTILINE)


def generated_runbooks(root: Path, count: int) -> Path:
    """``count`` runbooks made from the shipped ones under new ids (``<id>-gNNN``)."""
    target = root / "runbooks"
    target.mkdir(parents=True)
    sources = [(p.stem, p.read_text(encoding="utf-8")) for p in shipped_runbooks()]
    for index in range(count):
        stem, text = sources[index % len(sources)]
        new_id = f"{stem}-g{index:03d}"
        renamed, found = _ID_LINE.subn(f"id: {new_id}", text, count=1)
        if found != 1:
            raise RuntimeError(f"runbook {stem} has no top-level `id:` line")
        (target / f"{new_id}.yaml").write_text(renamed, encoding="utf-8")
    return root
