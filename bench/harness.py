"""What every benchmark shares: result rows, timing of commands, the machine, the table.

A benchmark is a function ``(config) -> list[Row]``; :mod:`bench.__main__` runs them in
order, prints one table and writes every row (with the machine it ran on) as JSON.
Nothing here asserts a time: the numbers are for people to read.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
"""The venv's bin directory (``outagecomms`` and ``apprise`` live next to its python)."""


@dataclass(frozen=True)
class Config:
    """How hard to try: ``quick`` is a smoke run (few repetitions, small inputs)."""

    quick: bool = False
    repeat: int = 7
    """Timed repetitions of a command (the median is reported)."""
    warmup: int = 1
    """Untimed runs before them (file caches, .pyc, a first database migration)."""
    lint_shipped: int | None = None
    """How many shipped runbooks ``lint`` times (``None``: all)."""
    generated_runbooks: int = 200
    open_incidents: int = 1_000
    memory_incidents: int = 10_000
    postgres_url: str | None = None
    large: bool = False
    """``OUTAGECOMMS_BENCH_LARGE=1``: the big sizes too (10,000 incidents, 100,000 due)."""

    @classmethod
    def make(cls, *, quick: bool, postgres_url: str | None) -> Config:
        large = os.environ.get("OUTAGECOMMS_BENCH_LARGE", "") not in ("", "0")
        if quick:
            return cls(
                quick=True,
                repeat=1,
                warmup=0,
                lint_shipped=1,
                generated_runbooks=2,
                open_incidents=10,
                memory_incidents=200,
                postgres_url=postgres_url,
            )
        return cls(postgres_url=postgres_url, large=large)


@dataclass(frozen=True)
class Row:
    """One measured number, with what it is compared against."""

    name: str
    value: float | None
    """``None`` when the benchmark could not run (``note`` says why)."""
    unit: str
    baseline: float | None = None
    baseline_name: str | None = None
    goal: str | None = None
    note: str | None = None
    samples: list[float] = field(default_factory=list)
    """Every timed repetition (seconds), for whoever wants more than the median."""
    load: float | None = None
    """The machine's 1-minute load average when the row's benchmark began."""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


Benchmark = Callable[[Config], list[Row]]


def skipped(name: str, unit: str, why: str, goal: str | None = None) -> Row:
    return Row(name, None, unit, goal=goal, note=f"not run: {why}")


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def percentile(samples: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``samples``."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the developer's OUTAGECOMMS_* settings, and with Python's
    bytecode cache on (as in an installed tool: ``PYTHONDONTWRITEBYTECODE`` would make
    every fresh process compile its modules again)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def load_average() -> float | None:
    """The 1-minute load average (None where the platform has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def run_parallel(argvs: Sequence[Sequence[str]], *, env: dict[str, str] | None = None) -> float:
    """Start every command at once and return the wall time until the last one ended."""
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            list(argv),
            env=env if env is not None else clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    failed = []
    for process in running:
        _, err = process.communicate(timeout=300)
        if process.returncode != 0:
            failed.append(f"exited {process.returncode}: {err.strip()[-300:]}")
    elapsed = time.perf_counter() - started
    if failed:
        raise RuntimeError("; ".join(failed))
    return elapsed


def interleaved(
    actions: Sequence[Callable[[], float]], repeat: int, *, warmup: int = 1
) -> list[list[float]]:
    """Each action ``warmup`` times untimed, then ``repeat`` rounds of one run of each in
    turn: what is compared shares the machine's moments of load."""
    for _ in range(warmup):
        for action in actions:
            action()
    samples: list[list[float]] = [[] for _ in actions]
    for _ in range(repeat):
        for index, action in enumerate(actions):
            samples[index].append(action())
    return samples


def run_timed(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    ok: Sequence[int] = (0,),
    timeout: float = 300,
) -> float:
    """Run a command once and return its wall time in seconds; a bad exit is an error."""
    started = time.perf_counter()
    done = subprocess.run(
        list(argv),
        env=env if env is not None else clean_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise RuntimeError(
            f"{' '.join(argv[:3])} ... exited {done.returncode}: {done.stderr.strip()[-500:]}"
        )
    return elapsed


def time_repeated(action: Callable[[], float], repeat: int, *, warmup: int = 1) -> list[float]:
    """``warmup`` untimed calls (file caches, .pyc), then ``repeat`` timed ones."""
    for _ in range(warmup):
        action()
    return [action() for _ in range(repeat)]


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "apprise": _version("apprise"),
        "outagecomms": _version("outagecomms"),
    }


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def format_number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s" and value < 1:
        return f"{value * 1000:.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit in {"MiB", "deliveries/s", "runbooks/s", "emails/s"}:
        return f"{value:.1f} {unit}"
    return f"{value:.3g} {unit}"


def render_table(rows: Sequence[Row], title: str) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column, justify in (
        ("benchmark", "left"),
        ("value", "right"),
        ("baseline", "left"),
        ("ratio", "right"),
        ("target", "left"),
        ("load", "right"),
        ("note", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        if row.baseline is not None:
            name = row.baseline_name or ""
            baseline = f"{format_number(row.baseline, row.unit)} {name}".strip()
        else:
            baseline = row.baseline_name or ""
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}×"
        load = "" if row.load is None else f"{row.load:.2f}"
        table.add_row(
            row.name, format_number(row.value, row.unit), baseline, ratio, row.goal or "",
            load, row.note or "",
        )  # fmt: skip
    return table
