"""The GitHub Action's step (``action.yml``): declare or resolve by dedupe key, from CI.

``action.yml`` passes its inputs as ``INPUT_*`` environment variables (never interpolated
into a script) and runs ``python -m outagecomms.ci_action``. This module checks them,
calls the Python API (:class:`outagecomms.incidents.Orchestrator`: ``declare`` with the
dedupe key and cool-down, ``resolve_if_open``), prints the report's JSON document (the
CLI's ``--json``), writes the step outputs to the file named by ``$GITHUB_OUTPUT`` and a
line to ``$GITHUB_STEP_SUMMARY``, and turns failures into ``::error::`` / ``::warning::``
annotations that carry the one-line reason, naming the action's inputs
(``dedupe-key``, ``cadence``) where an error is about one.

Idempotent by design, so a check that runs every few minutes never spams anyone:

- ``declare`` while the key's incident is open sends nothing (``deduplicated=true``);
  a flap within the cool-down re-opens the resolved incident with an ``update``
  (``reopened=true``);
- ``resolve`` is ``resolve --if-open``: when nothing is open for the key it sends nothing
  and succeeds.

Exit status: the CLI's (README "Exit codes": :attr:`Report.exit_status`,
:func:`outagecomms.errors.exit_status_of`), except 6 (a channel failed its first attempt
and stays queued for the worker), which is a warning and exit 0 unless
``fail-on-queued`` is true. Settings the CLI reads from the environment when a flag is
not given are read here when the input is empty: ``OUTAGECOMMS_COOLDOWN``,
``OUTAGECOMMS_SEND_TIMEOUT``, ``OUTAGECOMMS_CONCURRENCY``, the log settings and
``OUTAGECOMMS_DEBUG`` (tracebacks on stderr).
"""

from __future__ import annotations

import json
import math
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from outagecomms.durations import parse_cooldown, parse_duration
from outagecomms.errors import ExitStatus, OutagecommsError, exit_status_of
from outagecomms.vocabulary import Severity

if TYPE_CHECKING:
    from outagecomms.incidents import Orchestrator, Report

__all__ = ["ActionError", "Inputs", "input_for", "main", "outputs_of", "run_action"]

MODES = ("declare", "resolve")
TRUE = ("1", "true", "yes", "on")
FALSE = ("", "0", "false", "no", "off")
ERROR_PREFIX = "outagecomms: error: "
INPUTS = {
    "by": "by",
    "cadence": "cadence",
    "channels": "channels",
    "cooldown": "cooldown",
    "database_url": "database-url",
    "dedupe_key": "dedupe-key",
    "project": "project",
    "runbook_id": "runbook",
    "severity": "severity",
    "timeout": "timeout",
    "variables": "variables",
}
"""The action input of each Python API parameter an error may name
(``OutagecommsError.parameter``); a parameter no input sets keeps its own name."""


def input_for(parameter: str | None) -> str | None:
    """How an annotation names an API parameter: ``dedupe_key`` -> ``input dedupe-key``
    (None: the parameter's own name, for one no input sets)."""
    if parameter is None or parameter not in INPUTS:
        return None
    return f"input {INPUTS[parameter]}"


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
    severity: Severity | None = None
    variables: tuple[str, ...] = ()
    """``name=value`` (``name.LANG=value``), as the input's lines give them."""
    cooldown: timedelta | None = None
    """None: the runbook's ``flap_cooldown``; zero: never re-open."""
    cadence: timedelta | None = None
    channels: tuple[str, ...] = ()
    project: str = "."
    by: str = ""
    timeout: float | None = None
    concurrency: int | None = None
    """``OUTAGECOMMS_CONCURRENCY`` (no input sets it)."""
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
        cooldown = get("COOLDOWN") or environ.get("OUTAGECOMMS_COOLDOWN", "").strip()
        cadence = get("CADENCE")
        return cls(
            mode=mode,
            dedupe_key=key,
            database_url=database_url,
            runbook=runbook,
            severity=_severity(get("SEVERITY")),
            variables=parse_variables(environ.get("INPUT_VARIABLES", "")),
            cooldown=_duration(
                cooldown, "cooldown", parse_cooldown, " (or 0/off to never re-open)"
            ),
            cadence=_duration(cadence, "cadence", parse_duration),
            channels=tuple(
                name.strip()
                for name in get("CHANNELS").replace(",", "\n").splitlines()
                if name.strip()
            ),
            project=get("PROJECT") or ".",
            by=get("BY") or default_by(environ),
            timeout=_timeout(get("TIMEOUT") or environ.get("OUTAGECOMMS_SEND_TIMEOUT", "").strip()),
            concurrency=_concurrency(environ.get("OUTAGECOMMS_CONCURRENCY", "").strip()),
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


def _severity(value: str) -> Severity | None:
    if not value:
        return None
    try:
        return Severity(value.lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Severity)
        raise ActionError(
            f"input severity is {value!r}; use one of {allowed} (or leave it empty for the "
            "runbook's)"
        ) from None


def _duration(
    value: str, name: str, parse: Callable[[str], timedelta], hint: str = ""
) -> timedelta | None:
    if not value:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise ActionError(f"input {name}: {exc}{hint}") from None


def _timeout(value: str) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0.1:
        raise ActionError(
            f"input timeout is {value!r}; give the seconds each channel's first attempt may "
            "take, at least 0.1 (e.g. 10)"
        )
    return seconds


def _concurrency(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ActionError(
            f"OUTAGECOMMS_CONCURRENCY is {value!r}; give how many channels are sent to at "
            "the same time, at least 1 (e.g. 16)"
        )
    return int(value)


def _flag(value: str, name: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ActionError(f"input {name} is {value!r}; use true or false")


def outputs_of(document: Mapping[str, Any] | None, exit_code: int) -> dict[str, str]:
    """The step outputs for a result (``document`` is its JSON document, None on an error)."""
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


@dataclass(frozen=True)
class Result:
    exit_code: int
    """What the step exits with (6 becomes 0 unless ``fail-on-queued``)."""
    cli_exit_code: int
    outputs: dict[str, str]


def run_action(
    environ: Mapping[str, str],
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    orchestrator_options: Mapping[str, Any] | None = None,
) -> Result:
    """Run one action step: read inputs, declare or resolve, write outputs and annotations.

    ``stdout`` gets the JSON document and the annotations; ``stderr`` the logs, the
    first attempts' progress and, with ``OUTAGECOMMS_DEBUG``, tracebacks.
    ``orchestrator_options``: extra options for the :class:`Orchestrator` (``gate``,
    ``clock``, ``sender``, ``senders``), for a program or test that runs the step
    in-process; nothing in the environment can set them."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        inputs = Inputs.from_env(environ)
    except ActionError as exc:
        _annotate(out, "error", f"outagecomms action: {exc}")
        outputs = outputs_of(None, int(exc.status))
        _write_outputs(environ, outputs)
        return Result(int(exc.status), int(exc.status), outputs)

    with redirect_stderr(err):
        outcome = _call(inputs, environ, err, orchestrator_options or {})
    code, document = int(outcome.status), outcome.document
    outputs = outputs_of(document, code)
    _write_outputs(environ, outputs)
    _summarize(environ, inputs, outputs)
    if document is not None:
        out.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
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
        _annotate(out, "error", ERROR_PREFIX + outcome.reason)
    elif outputs["reopened"] == "true":
        _annotate(
            out,
            "notice",
            f"outagecomms: {outputs['incident-id']} re-opened (the check flapped within the "
            "cool-down): posted an update instead of a new incident",
        )
    return Result(int(status), code, outputs)


@dataclass(frozen=True)
class _Outcome:
    status: ExitStatus
    document: dict[str, Any] | None
    """The report's JSON document (None: an error came instead)."""
    reason: str = ""
    """The one-line reason of a failure, after ``outagecomms: error: ``."""


def _call(
    inputs: Inputs, environ: Mapping[str, str], err: TextIO, options: Mapping[str, Any]
) -> _Outcome:
    """Declare or resolve through the Python API, as ``outagecomms declare|resolve --json``
    would: the same document, exit status and error."""
    from outagecomms import logs

    debug = environ.get("OUTAGECOMMS_DEBUG", "") not in ("", "0")
    logs.configure(
        log_format=environ.get("OUTAGECOMMS_LOG_FORMAT", "auto"),
        level="debug" if debug else environ.get("OUTAGECOMMS_LOG_LEVEL", "warning"),
    )
    try:
        with _orchestrator(inputs, environ, err, options) as orchestrator:
            report, document = _declare_or_resolve(orchestrator, inputs)
    except (Exception, KeyboardInterrupt) as exc:
        if debug:
            traceback.print_exc(file=err)
        return _Outcome(exit_status_of(exc), None, _reason(exc))
    if report is None:
        return _Outcome(ExitStatus.OK, document)
    reason = ""
    if report.interrupted:
        unsent = ", ".join(d.channel for d in report.unsent) or "none"
        reason = (
            f"interrupted: {report.incident.id} is recorded; channel(s) not yet sent "
            f"({unsent}) stay queued for the worker"
        )
    return _Outcome(report.exit_status, document, reason)


@contextmanager
def _orchestrator(
    inputs: Inputs, environ: Mapping[str, str], err: TextIO, options: Mapping[str, Any]
) -> Iterator[Orchestrator]:
    """The orchestrator for the step, built like the CLI's for a command that sends: the
    first SIGINT (a cancelled run) stops the sends and leaves the rest to the worker."""
    from outagecomms.incidents import Orchestrator
    from outagecomms.interrupts import first_ctrl_c_stops_sending
    from outagecomms.progress import FanoutProgress
    from outagecomms.project import Project

    with (
        first_ctrl_c_stops_sending() as interrupt,
        Orchestrator.open(
            Project.discover(Path(inputs.project)),
            database_url=inputs.database_url,
            actor=inputs.by or None,
            timeout=inputs.timeout,
            concurrency=inputs.concurrency,
            environ=dict(environ),
            interrupt=interrupt,
            **options,
        ) as orchestrator,
    ):
        orchestrator.progress = FanoutProgress(err)
        yield orchestrator


def _declare_or_resolve(
    orchestrator: Orchestrator, inputs: Inputs
) -> tuple[Report | None, dict[str, Any]]:
    """The report and its JSON document (``declare`` with its warnings, as the CLI's)."""
    from outagecomms.incidents.views import report_document
    from outagecomms.project import parse_assignments

    variables = parse_assignments(inputs.variables)
    if inputs.mode == "resolve":
        found = orchestrator.resolve_if_open(inputs.dedupe_key, variables=variables)
        return found, report_document(found)
    from outagecomms.language_gaps import declare_warnings
    from outagecomms.worker import worker_warnings

    report = orchestrator.declare(
        inputs.runbook,
        severity=inputs.severity,
        variables=variables,
        dedupe_key=inputs.dedupe_key,
        cadence=inputs.cadence,
        channels=inputs.channels,
        cooldown=inputs.cooldown,
    )
    warnings = (
        []
        if report.deduplicated
        else [
            *declare_warnings(orchestrator.project, inputs.runbook, inputs.channels),
            *worker_warnings(orchestrator, [report.incident]),
        ]
    )
    return report, report_document(report, warnings=warnings)


def _reason(exc: BaseException) -> str:
    """One line: an error's message with its parameter named as the action's input."""
    if isinstance(exc, OutagecommsError):
        return exc.naming(input_for(exc.parameter))
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, PermissionError):
        where = f" {exc.filename}" if exc.filename else ""
        return (
            f"permission denied:{where} ({exc.strerror or exc}); make it readable and "
            "writable by the runner's user, or point input database-url elsewhere"
        )
    return (
        f"internal error: {type(exc).__name__}: {exc}; rerun with OUTAGECOMMS_DEBUG=1 and report it"
    )


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
