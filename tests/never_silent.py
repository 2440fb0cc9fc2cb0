"""Project files for the "never silent" tests (issue #12): runbooks that fail at render
time for one incident, and channel files broken the ways users break them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.incidents.conftest import RUNBOOK

POISON = "{{ 60 // (incident_id|length - 5) }}"
"""Passes lint with the example id INC-42, divides by zero for INC-1."""
OVERFLOW = "{{ (10.0 ** 400)|int }}"
"""Raises OverflowError inside the sandbox."""


def runbook_variant(
    root: Path,
    runbook_id: str,
    phase: str,
    text: str,
    *,
    variables: dict[str, Any] | None = None,
    langs: tuple[str, ...] | None = None,
) -> Path:
    """A copy of the payments runbook under ``runbook_id`` whose ``phase`` says ``text``
    in every format (and every language, unless ``langs`` names some)."""
    source = root / "runbooks" / f"{RUNBOOK}.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["id"] = runbook_id
    if variables:
        data["variables"].update(variables)
    formats = data["messages"][phase]
    for lang in langs or data["languages"]:
        formats["long"][lang]["body"] = text
        formats["chat"][lang] = text
        formats["short"][lang] = text
    path = root / "runbooks" / f"{runbook_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def break_channel(root: Path, name: str, line: str = "language: EN") -> Path:
    """Set ``line`` in a channel file (``language: EN`` is not a language code); a new
    webhook channel ``name`` with that line when there is no such file."""
    path = root / "channels" / f"{name}.yaml"
    key = line.split(":", 1)[0]
    if path.exists():
        rows = path.read_text(encoding="utf-8").splitlines()
    else:
        rows = [f"name: {name}", "kind: webhook", f"url: json://127.0.0.1:9/{name}"]
    kept = [row for row in rows if not row.startswith(f"{key}:")]
    path.write_text("\n".join([*kept, line]) + "\n", encoding="utf-8")
    return path
