"""Runbook templates' compiled code is kept between processes (Jinja's bytecode cache): a
fresh process loads it instead of compiling, and renders exactly what a compile renders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import CodeType

import jinja2
import pytest

from outagecomms import jinja_cache, templates

SOURCE = "{{ incident_id }}: {% if impact %}{{ impact | upper }}{% else %}none{% endif %}"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache of this test's own, and no template compiled yet in this process."""
    folder = tmp_path / "jinja-cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(
        jinja_cache, "bytecode_cache", lambda: jinja2.FileSystemBytecodeCache(str(folder))
    )
    templates.compiled.cache_clear()
    yield folder
    templates.compiled.cache_clear()


def _render(source: str) -> str:
    return templates.compiled(source).render(incident_id="INC-7", impact="slow checkout")


def test_a_compiled_template_is_kept_for_the_next_process(cache_dir: Path) -> None:
    assert _render(SOURCE) == "INC-7: SLOW CHECKOUT"
    assert len(list(cache_dir.iterdir())) == 1


def test_a_kept_template_is_loaded_without_compiling(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _render(SOURCE)
    templates.compiled.cache_clear()  # as in a fresh process

    def no_compile(*_args: object) -> CodeType:
        raise AssertionError("compiled again")

    monkeypatch.setattr(templates, "_compile", no_compile)
    assert _render(SOURCE) == expected


def test_a_damaged_entry_is_compiled_anew(cache_dir: Path) -> None:
    expected = _render(SOURCE)
    for entry in cache_dir.iterdir():
        entry.write_bytes(b"not a cache entry")
    templates.compiled.cache_clear()
    assert _render(SOURCE) == expected


def test_each_source_has_an_entry_of_its_own(cache_dir: Path) -> None:
    assert _render("{{ incident_id }}") == "INC-7"
    assert _render("{{ impact }}") == "slow checkout"
    assert len(list(cache_dir.iterdir())) == 2


def test_a_change_to_the_code_generator_keys_new_entries() -> None:
    before = jinja_cache.generator_fingerprint([templates])
    assert jinja_cache.generator_fingerprint([templates, jinja_cache]) != before


def test_without_a_cache_directory_templates_are_compiled_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jinja_cache, "bytecode_cache", lambda: None)
    templates.compiled.cache_clear()
    try:
        assert _render(SOURCE) == "INC-7: SLOW CHECKOUT"
    finally:
        templates.compiled.cache_clear()
