"""``outagecomms init``: a working project in one command.

The starter files live as package data in ``outagecomms/starter/``: settings, one runbook
in the communication guide's anatomy with every phase (in every language the starter
speaks; ``init`` keeps the ones asked for), one channel per common kind with ``${VAR}``
secrets (disabled until their secrets are set, except the status page, which needs none),
a ``.gitignore`` for the state, the runbook CI workflow and a CODEOWNERS stub.

Existing files are never overwritten: ``init`` in a directory that already holds some of
them writes the missing ones and reports the others as kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from outagecomms.errors import ConfigError, UsageError
from outagecomms.models import check_timezone
from outagecomms.settings import DEFAULT_SENDER

STARTER = Path(__file__).resolve().parent / "starter"
STARTER_RUNBOOK = "service-disruption"
STARTER_LANGUAGES: tuple[str, ...] = ("en", "fa", "uk", "lv")
"""The languages the starter runbook is written in (each with a shipped lexicon)."""

# starter file (relative to STARTER) -> where it goes in the new project
_LAYOUT: tuple[tuple[str, str], ...] = (
    ("outagecomms.toml", "outagecomms.toml"),
    ("gitignore", ".gitignore"),
    ("github/workflows/runbooks.yml", ".github/workflows/runbooks.yml"),
    ("CODEOWNERS", ".github/CODEOWNERS"),
    (f"runbooks/{STARTER_RUNBOOK}.yaml", f"runbooks/{STARTER_RUNBOOK}.yaml"),
    ("components.yaml", "components.yaml"),
)
_LANGUAGE_KEY = re.compile(r"^(?P<indent>\s*)(?P<lang>[a-z]{2,3}):(\s|$)")


@dataclass(frozen=True)
class Scaffolded:
    """What ``init`` did: the files written and the ones already there (kept)."""

    root: Path
    languages: tuple[str, ...]
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "project": str(self.root),
            "languages": list(self.languages),
            "runbook": STARTER_RUNBOOK,
            "written": [p.relative_to(self.root).as_posix() for p in self.written],
            "kept": [p.relative_to(self.root).as_posix() for p in self.kept],
        }


def parse_languages(values: Sequence[str]) -> tuple[str, ...]:
    """``["en,fa", "uk"]`` -> ``("en", "fa", "uk")``; each must be a starter language."""
    chosen: list[str] = []
    for value in values:
        for code in (part.strip().lower() for part in value.split(",")):
            if not code:
                continue
            if code not in STARTER_LANGUAGES:
                raise UsageError(
                    f"--lang {code}: the starter runbook is written in "
                    f"{', '.join(STARTER_LANGUAGES)}; pick from those (add other languages "
                    "to the runbook yourself afterwards)"
                )
            if code not in chosen:
                chosen.append(code)
    return tuple(chosen) or ("en",)


def starter_runbook(languages: Sequence[str]) -> str:
    """The starter runbook's text with only ``languages`` (comments and layout kept)."""
    text = (STARTER / "runbooks" / f"{STARTER_RUNBOOK}.yaml").read_text(encoding="utf-8")
    kept: list[str] = []
    skip_deeper_than: int | None = None
    for line in text.splitlines():
        if skip_deeper_than is not None:
            indent = len(line) - len(line.lstrip())
            if not line.strip() or indent > skip_deeper_than:
                continue
            skip_deeper_than = None
        match = _LANGUAGE_KEY.match(line)
        if match and match["lang"] in STARTER_LANGUAGES and match["lang"] not in languages:
            skip_deeper_than = len(match["indent"])
            continue
        kept.append(line)
    listed = f"languages: [{', '.join(languages)}]"
    return re.sub(r"(?m)^languages: \[.*\]$", listed, "\n".join(kept)) + "\n"


def _version_pin() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        major, minor, *_ = version("outagecomms").split(".")
    except (PackageNotFoundError, ValueError):  # pragma: no cover - a source tree
        return "0.1.*"
    return f"{major}.{minor}.*"


def _fill(text: str, languages: Sequence[str], timezone: str) -> str:
    sender = "\n".join(f'{lang} = "{DEFAULT_SENDER[lang]}"' for lang in languages)
    return (
        text.replace("@LANG@", languages[0])
        .replace("@TIMEZONE@", timezone)
        .replace("@SENDER@", sender)
        .replace("@VERSION@", _version_pin())
    )


def init_project(
    root: Path, *, languages: Sequence[str] = ("en",), timezone: str = "UTC"
) -> Scaffolded:
    """Write a starter project into ``root`` (created if missing); never overwrite a file."""
    chosen = parse_languages(languages)
    try:
        check_timezone(timezone)
    except ValueError as exc:
        raise UsageError(f"--timezone: {exc}") from None
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file; init writes a project into a directory")
    if not STARTER.is_dir():  # pragma: no cover - a broken installation
        raise ConfigError("the starter files are missing from this installation; reinstall")
    files: list[tuple[Path, str]] = []
    for source, target in _LAYOUT:
        if source.startswith("runbooks/"):
            text = starter_runbook(chosen)
        else:
            text = (STARTER / source).read_text(encoding="utf-8")
        files.append((root / target, _fill(text, chosen, timezone)))
    for channel in sorted((STARTER / "channels").glob("*.yaml")):
        text = channel.read_text(encoding="utf-8")
        files.append((root / "channels" / channel.name, _fill(text, chosen, timezone)))
    result = Scaffolded(root, chosen)
    for path, text in files:
        if path.exists():
            result.kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.written.append(path)
    return result
