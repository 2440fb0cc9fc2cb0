"""A channel in a language its runbook lacks: a Persian channel on an English-only runbook
would get the English text (with Persian-zone times written the English way, "UTC+3:30"),
silently. ``declare`` warns naming the channel, and ``lint`` warns per runbook
(:mod:`outagecomms.lint.channel_languages`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from outagecomms.compose import channel_language

if TYPE_CHECKING:
    from outagecomms.models import Channel, Runbook
    from outagecomms.project import Project


def language_gaps(
    runbook: Runbook, channels: Iterable[Channel], default_language: str
) -> list[str]:
    """One sentence per enabled channel whose language ``runbook`` does not have."""
    gaps = []
    for channel in channels:
        if not channel.enabled or channel.language in runbook.languages:
            continue
        used = channel_language(runbook, channel, default_language)
        gaps.append(
            f"channel {channel.name!r} is in {channel.language!r}, which runbook "
            f"{runbook.id!r} lacks: it gets the {used!r} text instead; add "
            f"{channel.language!r} to the runbook's languages (and its messages), or set "
            f"the channel's language to one of {', '.join(runbook.languages)}"
        )
    return gaps


def declare_warnings(project: Project, runbook_id: str, names: Sequence[str]) -> list[str]:
    """``declare``'s warnings about the channels it sends to (``names``; none: all enabled)."""
    usable, _broken = project.select_usable_channels(names)  # broken files: reported apart
    channels = [c.channel for c in usable]
    runbook = project.runbook(runbook_id).runbook
    return language_gaps(runbook, channels, project.settings.default_language)
