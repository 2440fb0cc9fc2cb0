"""The service reads the project's files once, and again only when one of them changed."""

from __future__ import annotations

import os
from pathlib import Path

from outagecomms.service.context import Service
from tests.incidents.conftest import write_channel


def test_the_project_is_parsed_once_while_its_files_stay_the_same(service: Service) -> None:
    assert service.project() is service.project()


def test_a_changed_channel_file_is_read_again(service: Service, project_root: Path) -> None:
    before = service.project()
    assert "new-hook" not in before.channels()
    write_channel(project_root, "new-hook", kind="webhook", url="json://127.0.0.1:9/n")
    after = service.project()
    assert after is not before
    assert "new-hook" in after.channels()


def test_a_runbook_touched_in_place_is_read_again(service: Service, project_root: Path) -> None:
    before = service.project()
    path = project_root / "runbooks" / "payments-failing.yaml"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert service.project() is not before
