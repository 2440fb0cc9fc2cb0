"""Printing what customers were told (``show``): each distinct text once, with the
channels that received it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from outagecomms.incidents import IncidentDetail, TimelineEntry
    from outagecomms.project import Project


def print_told(
    out: Console,
    detail: IncidentDetail,
    entry: TimelineEntry,
    *,
    internal: bool = False,
    languages: Mapping[str, str] | None = None,
) -> None:
    """The texts of one message; internal copies too with ``internal``."""
    from rich.padding import Padding
    from rich.text import Text

    from outagecomms.told import own_words_reason, texts_of

    reason = own_words_reason(detail, entry.message.seq)
    if reason is not None:
        kind = "a correction" if entry.message.origin == "correction" else "not a runbook message"
        out.print(
            Text(f"In {entry.message.author}'s own words ({kind}): {reason}", style="bold yellow")
        )

    for told in texts_of(entry, internal=internal, languages=languages):
        lang = f" ({told.lang})" if told.lang else ""
        out.print(Text(f"Told on {', '.join(told.channels)}{lang}:", style="bold"))
        text = Text(f"Subject: {told.title}\n\n" if told.title else "")
        text.append(told.body)
        out.print(Padding(text, (0, 0, 1, 4)))


def channel_languages(project: Project) -> dict[str, str]:
    """Each configured channel's language (nothing when the channel files do not load:
    ``show`` still shows what was sent)."""
    from outagecomms.errors import OutagecommsError

    try:
        return {name: c.channel.language for name, c in project.usable_channels().items()}
    except OutagecommsError:
        return {}
