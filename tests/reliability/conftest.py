"""The reliability suite: crash injection, provider faults, bad input, template safety and
concurrency (docs/reliability.md says what each test shows).

The default run keeps to CI time: Hypothesis draws a bounded number of examples and the
long runs are marked ``soak`` and skipped. ``make soak`` (``RELIABILITY_SOAK=1``) runs
them all and draws many more examples.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings

from outagecomms.cli import run

SOAK = os.environ.get("RELIABILITY_SOAK", "") not in ("", "0")
EXAMPLES = int(os.environ.get("RELIABILITY_EXAMPLES", "500" if SOAK else "20"))

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not SOAK,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
"""Hypothesis settings of the suite: bounded, no deadline, the same examples on every CI
run (``make soak`` draws fresh ones)."""

heavy_fuzz = settings(fuzz, max_examples=max(1, EXAMPLES // 2))
"""For properties whose every example writes a project and runs several commands."""

soak = pytest.mark.soak
skip_unless_soak = pytest.mark.skipif(not SOAK, reason="a long run: `make soak`")

SPEC_ERROR_CODES = frozenset({1, 2, 3, 4, 5})
"""product-spec §4: findings, usage, not found, refused, configuration/store."""
INTERNAL_ERROR = 70


@dataclass(frozen=True)
class Outcome:
    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        """stderr without the JSON log lines."""
        return [
            line
            for line in self.stderr.split("\n")
            if line.strip() and not line.lstrip().startswith("{")
        ]

    def describe(self) -> str:
        return f"outagecomms {' '.join(map(repr, self.argv))} -> {self.code}\n{self.stderr}"


Invoke = Callable[..., Outcome]


def invoke_cli(argv: Sequence[str], stdin: str = "") -> Outcome:
    """``outagecomms ARGV`` in this process, capturing stdout and stderr (no fixtures, so a
    Hypothesis test can call it for every example)."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = run(list(argv))
    finally:
        sys.stdin = saved_stdin
    return Outcome(tuple(argv), code, out.getvalue(), err.getvalue())


def assert_clean(outcome: Outcome, allowed: frozenset[int] = frozenset({0, 6})) -> None:
    """A clear error and an exit code of product-spec §4, never a traceback or exit 70."""
    assert outcome.code != INTERNAL_ERROR, f"internal error (a bug): {outcome.describe()}"
    assert "Traceback" not in outcome.stderr, outcome.describe()
    assert outcome.code in SPEC_ERROR_CODES | allowed, outcome.describe()
    if outcome.code in SPEC_ERROR_CODES - {1}:
        lines = outcome.error_lines
        assert len(lines) == 1, f"expected one error line: {outcome.describe()}"
        assert lines[0].startswith("outagecomms: error: "), outcome.describe()


@pytest.fixture
def no_network_sends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every send goes through outagecomms' real delivery code (URL expansion, apprise's
    URL parsing, the deadline) except the last step, apprise's notify, which fails without
    touching the network. Returns the channels that would have been sent to."""
    attempted: list[str] = []

    def no_network(plugin: object, asset: object, item: object, timeout: float) -> tuple[
        bool, str | None
    ]:  # fmt: skip
        attempted.append(getattr(getattr(item, "channel", None), "name", "?"))
        return False, "not sent: the reliability suite sends nothing"

    monkeypatch.setattr("outagecomms.delivery._deliver", no_network)
    return attempted


@pytest.fixture
def fuzz_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No tracebacks by request, logs as JSON lines (told apart from the error line)."""
    monkeypatch.delenv("OUTAGECOMMS_DEBUG", raising=False)
    monkeypatch.setenv("OUTAGECOMMS_LOG_FORMAT", "json")
    yield
