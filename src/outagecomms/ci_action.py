"""The GitHub Action's step (``action.yml``): declare or resolve by dedupe key, from CI.

``action.yml`` passes its inputs as ``INPUT_*`` environment variables (never interpolated
into a script) and runs ``python -m outagecomms.ci_action``. This module builds the
``outagecomms declare|resolve ... --json`` command line, runs the CLI in-process, writes
the step outputs to the file named by ``$GITHUB_OUTPUT`` and a line to
``$GITHUB_STEP_SUMMARY``, and turns failures into ``::error::`` / ``::warning::``
annotations that carry the CLI's one-line reason.

Idempotent by design, so a check that runs every few minutes never spams anyone:

- ``declare`` while the key's incident is open sends nothing (``deduplicated=true``);
  a flap within the cool-down re-opens the resolved incident with an ``update``
  (``reopened=true``);
- ``resolve`` uses ``--if-open``: when nothing is open for the key it sends nothing and
  succeeds.

Exit status: the CLI's (README "Exit codes"), except 6 (a channel failed its first attempt
and stays queued for the worker), which is a warning and exit 0 unless
``fail-on-queued`` is true.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from outagecomms.errors import ExitStatus

__all__ = ["ActionError", "Inputs", "command_line", "main", "outputs_of", "run_action"]

MODES = ("declare", "resolve")
TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")
ERROR_PREFIX = "outagecomms: error: "


class ActionError(Exception):
    """A bad action input: reported as ``::error::`` with the exit status given."""

    def __init__(self, message: str, status: ExitStatus = ExitStatus.USAGE) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Inputs:
    """The action's inputs, read from ``INPUT_*`` environment variables."""

    mode: str
    dedupe_key: str
    database_url: str
    runbook: str = ""
    severity: str = ""
    variables: tuple[str, ...] = ()
    cooldown: str = ""
    cadence: str = ""
    channels: tuple[str, ...] = ()
    project: str = "."
    by: str = ""
    timeout: str = ""
    fail_on_queued: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Inputs:
        def get(name: str) -> str:
            return environ.get(f"INPUT_{name}", "").strip()

        mode = get("MODE").lower()
        if mode not in MODES:
            raise ActionError(f"input mode is {mode!r}; use declare (check failed) or resolve")
        key = get("DEDUPE_KEY")
        if not key:
            raise ActionError(
                "input dedupe-key is empty; name the check (e.g. synthetic-payments) so "
                "repeated runs find the same incident"
            )
        database_url = get("DATABASE_URL")
        if not database_url:
            raise ActionError(
                "input database-url is empty; a runner's disk is gone after the job, so "
                "dedupe keys need a shared database: pass postgresql://... from a secret",
                ExitStatus.CONFIG,
            )
        runbook = get("RUNBOOK")
        if mode == "declare" and not runbook:
            raise ActionError("input runbook is empty; declare needs a runbook id")
        return cls(
            mode=mode,
            dedupe_key=key,
            database_url=database_url,
            runbook=runbook,
            severity=get("SEVERITY"),
            variables=parse_variables(environ.get("INPUT_VARIABLES", "")),
            cooldown=get("COOLDOWN"),
            cadence=get("CADENCE"),
            channels=tuple(
                name.strip()
                for name in get("CHANNELS").replace(",", "\n").splitlines()
                if name.strip()
            ),
            project=get("PROJECT") or ".",
            by=get("BY") or default_by(environ),
            timeout=get("TIMEOUT"),
            fail_on_queued=_flag(get("FAIL_ON_QUEUED"), "fail-on-queued"),
        )


def parse_variables(text: str) -> tuple[str, ...]:
    """``name=value`` lines (``name.LANG=value`` for one language); blank lines and lines
    starting with ``#`` are skipped. Values keep inner spaces and may contain ``=``."""
    found: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise ActionError(
                f"input variables, line {number}: {line!r} is not name=value "
                "(one variable per line, e.g. impact=card payments fail at checkout)"
            )
        found.append(f"{name.strip()}={value.strip()}")
    return tuple(found)


def default_by(environ: Mapping[str, str]) -> str:
    """Who declares, for staff on internal channels: the workflow run, when GitHub says."""
    workflow = environ.get("GITHUB_WORKFLOW")
    if not workflow:
        return ""
    run = environ.get("GITHUB_RUN_NUMBER")
    return f"github-actions: {workflow}" + (f" #{run}" if run else "")


def _flag(value: str, name: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ActionError(f"input {name} is {value!r}; use true or false")


def command_line(inputs: Inputs) -> list[str]:
    """The ``outagecomms`` arguments for these inputs (always ``--json``)."""
    args: list[str]
    if inputs.mode == "declare":
        args = ["declare", inputs.runbook]
        if inputs.severity:
            args += ["--severity", inputs.severity]
        if inputs.cooldown:
            args += ["--cooldown", inputs.cooldown]
        if inputs.cadence:
            args += ["--cadence", inputs.cadence]
        for channel in inputs.channels:
            args += ["--channel", channel]
    else:
        args = ["resolve", "--if-open"]
    args += ["--dedupe-key", inputs.dedupe_key]
    for assignment in inputs.variables:
        args += ["--var", assignment]
    if inputs.by:
        args += ["--by", inputs.by]
    if inputs.timeout:
        args += ["--timeout", inputs.timeout]
    args += ["--database-url", inputs.database_url, "--project", inputs.project, "--json"]
    return args


def outputs_of(document: Mapping[str, Any] | None, exit_code: int) -> dict[str, str]:
    """The step outputs for a CLI result (``document`` is its JSON, None on an error)."""
    from outagecomms.store.records import DeliveryState

    incident = (document or {}).get("incident") or {}
    deliveries = (document or {}).get("deliveries") or []
    deduplicated = bool(incident.get("deduplicated", False))
    queued = [
        d["channel"]
        for d in deliveries
        if not deduplicated and d.get("state") != DeliveryState.SENT
    ]
    return {
        "incident-id": str(incident.get("id") or ""),
        "deduplicated": _bool(deduplicated),
        "reopened": _bool(bool(incident.get("reopened", False))),
        "sent": _bool(bool(incident) and not deduplicated),
        "status": str(incident.get("status") or ""),
        "phase": str(incident.get("phase") or ""),
        "queued-channels": ",".join(queued),
        "exit-code": str(exit_code),
        "json": "" if document is None else json.dumps(document, ensure_ascii=False),
    }


def _bool(value: bool) -> str:
    return "true" if value else "false"


class _Tee(io.TextIOBase):
    """Writes through to the real stream (the CI log) and keeps a copy."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


@dataclass(frozen=True)
class Result:
    exit_code: int
    """What the step exits with (6 becomes 0 unless ``fail-on-queued``)."""
    cli_exit_code: int
    outputs: dict[str, str]


def run_action(
    environ: Mapping[str, str], *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> Result:
    """Run one action step: read inputs, run the CLI, write outputs and annotations."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        inputs = Inputs.from_env(environ)
    except ActionError as exc:
        _annotate(out, "error", f"outagecomms action: {exc}")
        outputs = outputs_of(None, int(exc.status))
        _write_outputs(environ, outputs)
        return Result(int(exc.status), int(exc.status), outputs)

    from outagecomms.cli import run

    captured = io.StringIO()
    tee = _Tee(err)
    with redirect_stdout(captured), redirect_stderr(tee):
        code = run(command_line(inputs))
    document = _document(captured.getvalue())
    outputs = outputs_of(document, code)
    _write_outputs(environ, outputs)
    _summarize(environ, inputs, outputs)
    if document is not None:
        out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        for warning in document.get("warnings") or []:  # e.g. no worker keeps the cadence
            _annotate(out, "warning", f"outagecomms: {warning}")
    status = code
    if code == ExitStatus.DELIVERY_FAILED:
        level = "error" if inputs.fail_on_queued else "warning"
        _annotate(
            out,
            level,
            f"outagecomms: {outputs['incident-id']}: channel(s) {outputs['queued-channels']} "
            "failed their first attempt and stay queued; `outagecomms worker` retries them",
        )
        status = code if inputs.fail_on_queued else ExitStatus.OK
    elif code != ExitStatus.OK:
        _annotate(out, "error", _reason(tee.copy.getvalue(), code))
    elif outputs["reopened"] == "true":
        _annotate(
            out,
            "notice",
            f"outagecomms: {outputs['incident-id']} re-opened (the check flapped within the "
            "cool-down): posted an update instead of a new incident",
        )
    return Result(int(status), code, outputs)


def _document(text: str) -> dict[str, Any] | None:
    if not text.strip():
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _reason(stderr_text: str, code: int) -> str:
    """The CLI's one-line ``outagecomms: error: ...`` (the last one), or a fallback."""
    lines = [line for line in stderr_text.splitlines() if line.startswith(ERROR_PREFIX)]
    if lines:
        return lines[-1]
    return f"outagecomms exited {code} without an error line; rerun with OUTAGECOMMS_DEBUG=1"


def _annotate(out: TextIO, level: str, message: str) -> None:
    """A workflow command: GitHub shows it on the run's summary page."""
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    out.write(f"::{level}::{escaped}\n")
    out.flush()


def _write_outputs(environ: Mapping[str, str], outputs: Mapping[str, str]) -> None:
    path = environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as file:
        for name, value in outputs.items():
            if "\n" in value:  # never for these outputs; the multi-line form just in case
                file.write(f"{name}<<__OUTPUT_END__\n{value}\n__OUTPUT_END__\n")
            else:
                file.write(f"{name}={value}\n")


def _summarize(environ: Mapping[str, str], inputs: Inputs, outputs: Mapping[str, str]) -> None:
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    incident = outputs["incident-id"] or "no incident"
    if outputs["exit-code"] not in ("0", "6"):
        what = f"failed (exit {outputs['exit-code']})"
    elif outputs["reopened"] == "true":
        what = "re-opened after a flap; update sent"
    elif outputs["deduplicated"] == "true":
        what = "already " + (outputs["status"] or "handled") + "; nothing sent"
    elif outputs["sent"] == "true":
        what = f"{outputs['status']}; message sent"
    else:
        what = "nothing open for this key; nothing sent"
    if outputs["queued-channels"]:
        what += f"; queued for retry: {outputs['queued-channels']}"
    with Path(path).open("a", encoding="utf-8") as file:
        file.write(f"**outagecomms {inputs.mode}** `{inputs.dedupe_key}`: {incident}, {what}\n")


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m outagecomms.ci_action``: everything comes from the environment."""
    if argv:
        print("usage: python -m outagecomms.ci_action (inputs in INPUT_* variables)")
        sys.exit(int(ExitStatus.USAGE))
    sys.exit(run_action(os.environ).exit_code)


if __name__ == "__main__":
    main(sys.argv[1:])
