"""``update --text/--text-file`` and ``correct``: reading the on-call's own words from the
command line, and saying what a change of course did."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from outagecomms.errors import UsageError

if TYPE_CHECKING:
    from outagecomms.incidents import Report
    from outagecomms.own_words import OwnWords, Words
    from outagecomms.project import Project
    from outagecomms.vocabulary import Phase, Severity


TextOption = Annotated[
    str | None,
    typer.Option(
        "--text",
        help="Your own words instead of the runbook's (- reads stdin): lint-gated; the "
        "next-update promise and the status link are added.",
    ),
]
TextFileOption = Annotated[
    Path | None,
    typer.Option(
        "--text-file",
        help="Your own words from a file: one text, or YAML by format and language "
        "(chat: {en: ..., fa: ...}, short: ..., long: {en: {subject, body}}).",
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="The language of --text (default: default_language)."),
]


def read_words(
    text: str | None, text_file: Path | None, lang: str | None, project: Project
) -> Words | None:
    """The words of ``--text`` (``-``: stdin) or ``--text-file``; None when neither."""
    from outagecomms.own_words import words_from_file, words_from_text

    if text is not None and text_file is not None:
        raise UsageError("give --text or --text-file, not both")
    language = lang or project.settings.default_language
    if text is not None:
        return words_from_text(sys.stdin.read() if text == "-" else text, language)
    if text_file is not None:
        return words_from_file(text_file, language)
    if lang is not None:
        raise UsageError("--lang is the language of --text; give --text too, or drop --lang")
    return None


def own_words(
    text: str | None,
    text_file: Path | None,
    lang: str | None,
    reason: str | None,
    unapproved: bool,
    project: Project,
    phase: Phase,
) -> OwnWords | None:
    """``update``'s own words, when given: they need ``--reason`` and no ``--unapproved``."""
    from outagecomms.own_words import OwnWords

    words = read_words(text, text_file, lang, project)
    if words is None:
        return None
    if unapproved:
        raise UsageError(
            "--unapproved sends a runbook's words; your own words need no approval "
            "(they are linted): drop --unapproved"
        )
    if not (reason and reason.strip()):
        raise UsageError(
            "your own words need --reason TEXT: say why no runbook message fits (recorded)"
        )
    return OwnWords(words, reason.strip())


def course_notes(
    report: Report,
    severity: Severity | None,
    channels: list[str],
    words: OwnWords | None,
    json_output: bool,
) -> None:
    """Say on stderr what changed besides the message: the cadence, the new channels, the
    lint warnings on the on-call's words."""
    from outagecomms.durations import format_duration

    notes: list[str] = []
    i = report.incident
    if severity is not None and report.message is not None and i.next_update_at is not None:
        every = format_duration(i.next_update_at - report.message.created_at)
        notes.append(
            f"severity is now {i.severity}: updates every {every}, the next by "
            f"{i.next_update_at:%H:%M} UTC"
        )
    if channels:
        notes.append(f"{', '.join(channels)} now get{'s' if len(channels) == 1 else ''} "
                     f"every message of {i.id}")  # fmt: skip
    if words is not None:
        notes += [f"lint warning on your words: {w}" for w in words.warnings]
    for note in notes:
        print(f"outagecomms: {note}", file=sys.stderr)
