"""The lexicon engine: compiled lexicons kept between processes (keyed by the lexicon files'
content and the code that compiles them), and matching that finds exactly what compiling
and matching every term anew finds."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import regex

from outagecomms import validated_cache
from outagecomms.lint import lexicon as lexicon_module
from outagecomms.lint.lexicon import Group, Lexicon, Match, load_lexicon
from outagecomms.lint.normalize import normalize
from outagecomms.lint.quality import load_corpus

CORPUS = Path(__file__).parent / "corpus"
LANGUAGES = ("en", "fa", "lv", "uk")


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory of kept entries of this test's own, and no lexicon loaded in memory."""
    folder = tmp_path / "kept"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(validated_cache, "directory", lambda: folder)
    lexicon_module._load.cache_clear()
    yield folder
    lexicon_module._load.cache_clear()


@cache
def _corpus_texts(lang: str) -> list[str]:
    texts = [sample.text for sample in load_corpus(CORPUS) if sample.lang == lang]
    assert len(texts) > 50
    return texts


def _every_match(lexicon: Lexicon, texts: list[str]) -> list[tuple[Group, int, list[Match]]]:
    return [
        (group, index, lexicon.find(group, normalize(text, lexicon.lang)))
        for index, text in enumerate(texts)
        for group in Group
    ]


def _fail(*args: object, **kwargs: object) -> None:
    raise AssertionError("compiled anew")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_kept_lexicon_is_loaded_without_compiling_and_finds_the_same(
    kept: Path, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _corpus_texts(lang)
    first = load_lexicon(lang)
    assert list(kept.iterdir())
    expected = _every_match(first, texts)
    assert sum(bool(found) for _, _, found in expected) > 100
    lexicon_module._load.cache_clear()
    monkeypatch.setattr(lexicon_module, "compile_group", _fail)
    monkeypatch.setattr(lexicon_module, "_parsed", _fail)
    again = load_lexicon(lang)
    assert again is not first
    assert _every_match(again, texts) == expected


def test_a_changed_lexicon_file_is_compiled_anew(kept: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "lexicons").mkdir(parents=True)
    own = root / "lexicons" / "en.yaml"
    own.write_text("language: en\nterms:\n  jargon:\n    phrases: [flux capacitor]\n")
    text = normalize("The flux capacitor and the warp coil failed.", "en")
    assert [m.term for m in load_lexicon("en", root).find(Group.JARGON, text)] == [
        lexicon_module.WORDS
    ]
    lexicon_module._load.cache_clear()
    own.write_text("language: en\nterms:\n  jargon:\n    phrases: [warp coil]\n")
    found = load_lexicon("en", root).find(Group.JARGON, text)
    assert [text.text[m.start : m.end] for m in found] == ["warp coil"]


def test_a_damaged_kept_lexicon_is_compiled_anew(kept: Path) -> None:
    text = normalize("We apologize for any inconvenience.", "en")
    first = load_lexicon("en").find(Group.CLICHE_APOLOGY, text)
    assert first
    for entry in kept.iterdir():
        entry.write_bytes(entry.read_bytes()[:100])
    lexicon_module._load.cache_clear()
    assert load_lexicon("en").find(Group.CLICHE_APOLOGY, text) == first


def test_a_broken_project_pattern_is_reported_and_never_kept(kept: Path, tmp_path: Path) -> None:
    from outagecomms.errors import ConfigError

    root = tmp_path / "project"
    (root / "lexicons").mkdir(parents=True)
    (root / "lexicons" / "en.yaml").write_text(
        "language: en\nterms:\n  jargon:\n    patterns: ['(unclosed']\n"
    )
    with pytest.raises(ConfigError, match="not a valid regex"):
        load_lexicon("en", root)
    assert list(kept.iterdir()) == []


def test_kept_patterns_are_the_compiled_ones() -> None:
    """What is kept of a ``regex`` pattern is its compiled code: it matches as compiled."""
    import pickle

    pattern = regex.compile(r"(?<!\w)(?:apolog\w*){e<=1}", regex.IGNORECASE)
    back = pickle.loads(pickle.dumps(pattern))
    text = "We APOLOGISE, we apolgize, we regret"
    assert [m.span() for m in back.finditer(text)] == [m.span() for m in pattern.finditer(text)]


def test_a_kept_lexicon_reads_no_yaml_in_a_fresh_process(tmp_path: Path) -> None:
    """A second process loads the compiled lexicon kept by the first: no YAML is imported
    and no pattern is compiled."""
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from outagecomms.lint import lexicon\n"
        "compiled = []\n"
        "real = lexicon.compile_group\n"
        "lexicon.compile_group = lambda specs: compiled.append(1) or real(specs)\n"
        "lexicon.load_lexicon('uk').find(lexicon.Group.APOLOGY, "
        "__import__('outagecomms.lint.normalize').lint.normalize.normalize('Вибачте', 'uk'))\n"
        "print('yaml' in sys.modules, bool(compiled))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGECOMMS_")}
    env["TMPDIR"] = str(tmp_path)

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
        )
        return done.stdout.strip()

    assert run() == "True True"
    assert run() == "False False"


def test_a_rendered_text_is_checked_once_per_lint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runbooks whose messages render the same are tone-checked once per distinct text (and
    phase: some rules depend on it), and each gets the findings a check of its own gives."""
    from outagecomms.lint import runner
    from outagecomms.project import Project
    from tests.factories import runbook_data, write_runbook

    root = tmp_path / "project"
    for name in ("first", "second"):
        data = runbook_data(name)
        data["messages"]["update"]["chat"]["en"] = "Unfortunately our vendor broke the database."
        write_runbook(root, data)
    checked: list[tuple[str, object]] = []
    real = runner.check_text

    def check_text(text: str, lexicon: Lexicon, context: runner.MessageContext) -> object:
        checked.append((text, context.phase))
        return real(text, lexicon, context)

    monkeypatch.setattr(runner, "check_text", check_text)
    report, _ = runner.lint_paths(Project(root))
    assert len(checked) == len(set(checked)) > 0

    def shown(runbook: str) -> list[tuple[object, ...]]:
        return sorted(
            (f.rule, f.message, f.phase, f.format, f.lang, f.line, f.excerpt)
            for f in report.findings
            if f.runbook == runbook
        )

    assert shown("first") == shown("second")
    assert any(f.rule == "blame-shift" for f in report.findings)
    lone, _ = runner.lint_paths(Project(root), [root / "runbooks" / "second.yaml"])
    assert shown("second") == sorted(
        (f.rule, f.message, f.phase, f.format, f.lang, f.line, f.excerpt) for f in lone.findings
    )


def test_a_kept_template_tree_refers_to_this_process_environment(tmp_path: Path) -> None:
    """A shared object (the runbook templates' Jinja environment) is kept by name, never
    copied, and an entry naming one this process lacks is not loaded."""
    from outagecomms import templates

    env = templates.environment()
    tree = env.parse("Hello {{ name }}{% if x %}, yes{% endif %}")
    folder = tmp_path / "kept"
    folder.mkdir(mode=0o700)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validated_cache, "directory", lambda: folder)
        key = validated_cache.content_key("trees", b"test")
        validated_cache.keep_by_key(key, {"t": tree}, {"runbook-environment": env})
        assert b"Sandbox" not in (folder / key).read_bytes()
        back = validated_cache.kept_by_key(key, dict, {"runbook-environment": env})
        assert back is not None
        assert back["t"].environment is env
        assert back["t"] is not tree
        assert validated_cache.kept_by_key(key, dict, {}) is None


def test_the_kept_key_covers_the_lexicon_files_the_lint_modules_and_regex(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sources = [("language: en\n", "en.yaml (shipped)")]
    key = lexicon_module.kept_key("en", sources, True)
    assert lexicon_module.kept_key("en", sources, True) == key
    edited = [("language: en\nacronyms: [X]\n", "en.yaml (shipped)")]
    assert lexicon_module.kept_key("en", edited, True) != key
    assert lexicon_module.kept_key("lv", sources, True) != key
    real = validated_cache.stamp
    for changed in ("lexicon.py", "normalize.py", "rules.py", "_regex_core.py"):
        monkeypatch.setattr(
            validated_cache,
            "stamp",
            lambda path, c=changed: "new" if path.name == c else real(path),
        )
        assert lexicon_module.kept_key("en", sources, True) != key, changed
    monkeypatch.setattr(validated_cache, "stamp", real)
    assert lexicon_module.kept_key("en", sources, True) == key
