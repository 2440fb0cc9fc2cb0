"""Runbook, channel, settings and approvals files a process checked without a problem are
kept for the next process, keyed by their content: a fresh ``declare`` or ``lint`` loads
what they validated to instead of parsing and checking them again, and gets exactly what
checking them gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from outagecomms import (
    approvals,
    blanks,
    project,
    runbook_content,
    settings,
    templates,
    validated_cache,
    yamlfile,
)
from outagecomms.errors import ConfigError
from outagecomms.limits import DEFAULT_LIMITS, Limits
from outagecomms.lint import runner
from outagecomms.lint.runner import lint_paths
from outagecomms.models import Runbook
from outagecomms.project import FileProblems, Project, load_channel, load_runbook
from outagecomms.yamlfile import YamlDocument
from tests.conftest import REPO
from tests.factories import runbook_data, write_channel, write_runbook

SHIPPED = sorted((REPO / "runbooks").glob("*.yaml"))
STARTER = sorted((REPO / "src" / "outagecomms" / "starter" / "runbooks").glob("*.yaml"))


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory of entries of this test's own, and nothing loaded yet in this process."""
    folder = tmp_path / "kept"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(validated_cache, "directory", lambda: folder)
    _fresh_process()
    yield folder
    _fresh_process()


def _fresh_process() -> None:
    """What a new process starts with: nothing loaded or parsed in memory."""
    project._load_runbook_once.cache_clear()
    approvals._parse_lock.cache_clear()
    templates.parsed.cache_clear()
    templates.variables_in.cache_clear()
    blanks._unguarded_uses.cache_clear()
    templates._ADOPTED.clear()
    runbook_content._KNOWN.clear()


def _never(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("checked again")


def _shipped_copy(tmp_path: Path, name: str = "payments-failing") -> Path:
    folder = tmp_path / "project" / "runbooks"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(REPO / "runbooks" / f"{name}.yaml", folder))


def test_a_checked_runbook_is_kept_for_the_next_process(kept: Path, tmp_path: Path) -> None:
    load_runbook(_shipped_copy(tmp_path))
    assert len(list(kept.iterdir())) == 1


def test_a_kept_runbook_is_loaded_without_parsing_or_checking_it(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _shipped_copy(tmp_path)
    checked = load_runbook(path)
    _fresh_process()
    monkeypatch.setattr(project, "load_yaml", _never)
    monkeypatch.setattr(project, "runbook_problems", _never)
    assert load_runbook(path) == checked


@pytest.mark.parametrize("path", SHIPPED + STARTER, ids=lambda p: p.stem)
def test_a_kept_runbook_is_what_checking_it_gives(kept: Path, tmp_path: Path, path: Path) -> None:
    copy = Path(shutil.copy(path, tmp_path))
    checked = project._load_runbook(copy, DEFAULT_LIMITS)
    load_runbook(copy)
    _fresh_process()
    again = load_runbook(copy)
    assert again == checked
    assert again.runbook.model_dump(mode="json") == checked.runbook.model_dump(mode="json")
    assert approvals.content_hash(again.runbook) == approvals.content_hash(checked.runbook)


def test_a_kept_runbook_brings_its_content_for_the_approval_hash(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No pydantic serializer is built for it in the next process (~10-20 ms)."""
    path = _shipped_copy(tmp_path)
    checked = load_runbook(path)
    digest = approvals.content_hash(checked.runbook)
    content = checked.runbook.model_dump(mode="json")
    _fresh_process()
    again = load_runbook(path)
    monkeypatch.setattr(Runbook, "model_dump", _never)
    assert approvals.content_hash(again.runbook) == digest
    assert runbook_content.runbook_content(again.runbook) == content


def test_a_changed_runbook_is_checked_again(kept: Path, tmp_path: Path) -> None:
    path = _shipped_copy(tmp_path)
    load_runbook(path)
    _fresh_process()
    path.write_text(path.read_text(encoding="utf-8").replace("{{ impact }}", "{{ impakt }}"))
    with pytest.raises(FileProblems, match="unknown variable 'impakt'"):
        load_runbook(path)


def test_a_runbook_with_problems_is_never_kept(kept: Path, tmp_path: Path) -> None:
    data = runbook_data("sample")
    data["messages"]["investigating"]["chat"]["en"] = "{{ nonsense }}"
    path = write_runbook(tmp_path, data)
    for _ in range(2):
        with pytest.raises(FileProblems):
            load_runbook(path)
        _fresh_process()
    assert list(kept.iterdir()) == []


def test_other_limits_check_the_runbook_again(kept: Path, tmp_path: Path) -> None:
    path = _shipped_copy(tmp_path)
    load_runbook(path)
    _fresh_process()
    with pytest.raises(ConfigError, match="nested deeper than 4"):
        load_runbook(path, Limits(yaml_max_depth=4))


def test_a_damaged_entry_is_ignored(kept: Path, tmp_path: Path) -> None:
    path = _shipped_copy(tmp_path)
    checked = load_runbook(path)
    for entry in kept.iterdir():
        entry.write_bytes(b"\x80\x05 not a pickle")
    _fresh_process()
    assert load_runbook(path) == checked


def test_an_entry_of_another_kind_is_ignored(kept: Path, tmp_path: Path) -> None:
    path = _shipped_copy(tmp_path)
    checked = load_runbook(path)
    raw = path.read_bytes()
    validated_cache.keep("runbook", path, raw, DEFAULT_LIMITS, {"not": "a runbook"})
    _fresh_process()
    assert load_runbook(path) == checked


def test_a_kept_channel_is_loaded_without_parsing_it(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_channel(tmp_path, name="ops", kind="slack", url="slack://a/b/c")
    checked = load_channel(path)
    monkeypatch.setattr(project, "load_yaml", _never)
    assert load_channel(path) == checked


def test_a_changed_channel_is_checked_again(kept: Path, tmp_path: Path) -> None:
    path = write_channel(tmp_path, name="ops", kind="slack", url="slack://a/b/c")
    load_channel(path)
    path.write_text(path.read_text(encoding="utf-8").replace("name: ops", "name: Ops"))
    with pytest.raises(FileProblems, match="not kebab-case"):
        load_channel(path)


def test_settings_from_other_values_are_validated_again(kept: Path, tmp_path: Path) -> None:
    (tmp_path / settings.SETTINGS_FILE).write_text('timezone = "Europe/Riga"\n')
    assert settings.load_settings(tmp_path, {}).timezone == "Europe/Riga"
    assert settings.load_settings(tmp_path, {"OUTAGECOMMS_TIMEZONE": "UTC"}).timezone == "UTC"
    with pytest.raises(ConfigError, match="not an IANA time zone"):
        settings.load_settings(tmp_path, {"OUTAGECOMMS_TIMEZONE": "Mars/Olympus"})


def test_kept_approvals_are_read_without_parsing_the_lock(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    shutil.copytree(REPO / "runbooks", root / "runbooks")
    team = Project(root)
    read = approvals.read_lock(team)
    assert read
    _fresh_process()
    monkeypatch.setattr(approvals, "parse_yaml", _never)
    assert approvals.read_lock(team) == read


def test_lint_finds_the_same_with_kept_runbooks(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    for path in SHIPPED + STARTER:
        shutil.copy(path, root / "runbooks")
    data = runbook_data("shouting")
    data["messages"]["investigating"]["chat"]["en"] = "WE ARE FIXING IT ASAP!!! {{ nonsense }}"
    write_runbook(root, data)
    tone = runbook_data("tone")
    tone["messages"]["update"]["chat"]["en"] = "Unfortunately our vendor broke the database."
    write_runbook(root, tone)
    first = _findings(root)
    _fresh_process()
    parsed: list[str] = []

    def load_yaml(path: Path, limits: Limits) -> YamlDocument:
        parsed.append(path.stem)
        return yamlfile.load_yaml(path, limits)

    monkeypatch.setattr(runner, "load_yaml", load_yaml)
    assert _findings(root) == first
    assert parsed == ["shouting"]  # the only one with a problem: never kept


def _findings(root: Path) -> list[dict[str, object]]:
    report, results = lint_paths(Project(root))
    assert [r.runbook for r in results]
    return [json.loads(json.dumps(f.as_json(), default=str)) for f in report.findings]


def test_the_fingerprint_covers_every_module_that_checks_a_file(tmp_path: Path) -> None:
    """Changing any module that loading and checking a file imports keys new entries."""
    runbook = _shipped_copy(tmp_path)
    channel = write_channel(tmp_path, name="ops", kind="slack", url="slack://a/b/c")
    program = f"""
import sys
from pathlib import Path
from outagecomms import approvals, project, settings, validated_cache
validated_cache.directory = lambda: None
project.load_runbook(Path({str(runbook)!r}))
project.load_channel(Path({str(channel)!r}))
settings.load_settings(Path({str(tmp_path)!r}), {{}})
approvals.read_lock(project.Project(Path({str(REPO)!r})))
package = Path(validated_cache.__file__).parent
for name, module in sorted(sys.modules.items()):
    if name.startswith("outagecomms"):
        print(Path(module.__file__).relative_to(package).as_posix())
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    shown = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True
    )
    imported = set(shown.stdout.split())
    assert "models.py" in imported
    assert imported - set(validated_cache.CODE) == set()


def test_a_directory_others_may_enter_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert validated_cache.trusted(shared) is None
    own = tmp_path / "own"
    assert validated_cache.trusted(own) == own
    assert own.stat().st_mode & 0o077 == 0


def test_a_link_in_place_of_the_directory_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(target)
    assert validated_cache.trusted(link) is None


def test_a_second_lint_parses_no_template_of_a_runbook_kept_without_problems(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    shutil.copy(REPO / "runbooks" / "payments-failing.yaml", root / "runbooks")
    first = _findings(root)
    _fresh_process()
    monkeypatch.setattr(templates.environment(), "parse", _never)
    assert _findings(root) == first
    assert templates._ADOPTED == {}  # every kept tree was used


def test_a_damaged_tree_entry_is_parsed_anew(kept: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "runbooks").mkdir(parents=True)
    shutil.copy(REPO / "runbooks" / "payments-failing.yaml", root / "runbooks")
    first = _findings(root)
    for entry in kept.iterdir():
        entry.write_bytes(entry.read_bytes()[:100])
    _fresh_process()
    assert _findings(root) == first
