"""``glossary:`` in the settings: the project's own words are never jargon or shouting."""

from __future__ import annotations

from pathlib import Path

from outagecomms.lint.runner import lint_text
from outagecomms.settings import load_settings


def test_glossary_is_read_from_outagecomms_toml(tmp_path: Path) -> None:
    (tmp_path / "outagecomms.toml").write_text('glossary = ["shards", "PostgreSQL"]\n')
    assert load_settings(tmp_path, environ={}).glossary == ["shards", "PostgreSQL"]


def test_glossary_environment_twin_is_a_comma_separated_list(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={"OUTAGECOMMS_GLOSSARY": "shards, PostgreSQL"})
    assert settings.glossary == ["shards", "PostgreSQL"]


def test_free_text_lint_does_not_flag_the_projects_glossary_words(tmp_path: Path) -> None:
    (tmp_path / "outagecomms.toml").write_text('glossary = ["PostgreSQL"]\n')
    report = lint_text("PostgreSQL clusters in eu-west are slow.", "en", project_root=tmp_path)
    assert [f.excerpt for f in report.findings if f.rule == "jargon"] == ["clusters"]
