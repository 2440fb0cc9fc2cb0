"""Logs: structlog is imported only when there is something to write, and configured the
moment it is, whoever imports it."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import sys
from outagecomms import logs
logs.configure(log_format="json", level="warning")
log = logs.get_logger("test")
log.info("quiet.event", detail=1)
print("imported after info:", "structlog" in sys.modules)
{then}
"""


def _run(then: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT.format(then=then)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip


def test_an_event_below_the_level_imports_nothing_and_writes_nothing() -> None:
    result = _run("")
    assert result.stdout.strip() == "imported after info: False"
    assert result.stderr == ""


def test_an_event_at_the_level_is_written_as_configured() -> None:
    result = _run('log.warning("loud.event", channel="hook")')
    [line] = result.stderr.strip().splitlines()
    event = json.loads(line)
    assert (event["event"], event["level"], event["channel"]) == ("loud.event", "warning", "hook")


def test_a_module_that_imports_structlog_itself_gets_the_configuration() -> None:
    result = _run(
        'import structlog\nstructlog.get_logger().info("hidden")\n'
        'structlog.get_logger().error("shown")'
    )
    lines = result.stderr.strip().splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["shown"]


def test_declare_imports_no_structlog_when_nothing_is_logged() -> None:
    script = (
        "import sys\nfrom outagecomms import compose, fanout, incidents, delivery\n"
        "from outagecomms.incidents import service\n"
        "print('structlog' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_with_structlog_imported_its_own_configuration_decides() -> None:
    import structlog

    from outagecomms import logs

    with structlog.testing.capture_logs() as events:
        logs.get_logger("test").info("captured", n=1)
    assert events == [{"event": "captured", "n": 1, "log_level": "info"}]
