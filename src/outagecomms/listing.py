"""What ``outagecomms runbooks`` and ``outagecomms channels`` show."""

from __future__ import annotations

from typing import Any

from outagecomms.counting import limit_description
from outagecomms.models import Channel, ChannelKind
from outagecomms.project import Project
from outagecomms.urls import redact_url


def runbook_rows(project: Project) -> list[dict[str, Any]]:
    from outagecomms.approvals import approval_state

    rows = []
    for loaded in project.runbooks().values():
        runbook = loaded.runbook
        rows.append(
            {
                "id": runbook.id,
                "title": runbook.title_in(runbook.languages[0]),
                "summary": runbook.summary,
                "severity": runbook.severity.value,
                "languages": runbook.languages,
                "approval": approval_state(project, loaded),
                "variables": {
                    name: {
                        "required": spec.required,
                        "kind": spec.kind.value,
                        "example": spec.example,
                        "max_length": spec.max_length,
                    }
                    for name, spec in runbook.variables.items()
                },
            }
        )
    return rows


def shown_url(channel: Channel) -> str:
    """The channel's URL with its secrets hidden; a ``site`` channel's directory as it is
    written (a path is not a secret, and ``${VAR}`` references only name one)."""
    if channel.kind is ChannelKind.SITE:
        return channel.url
    return redact_url(channel.url)


def channel_rows(project: Project) -> list[dict[str, Any]]:
    rows = []
    for loaded in project.channels().values():
        channel = loaded.channel
        rows.append(
            {
                "name": channel.name,
                "kind": channel.kind.value,
                "audience": channel.audience.value,
                "language": channel.language,
                "timezone": channel.timezone,
                "format": channel.effective_format.value,
                "limit": limit_description(channel),
                "url": shown_url(channel),
                "enabled": channel.enabled,
            }
        )
    return rows


def approval_history(project: Project) -> list[dict[str, Any]]:
    """Every runbook's approvals, newest first, each marked ``current`` when it approved
    the runbook's content as it is now (``runbooks --history``)."""
    from outagecomms.approvals import content_hash, read_lock

    lock = read_lock(project)
    rows = []
    for loaded in project.runbooks().values():
        approval = lock.get(loaded.id)
        entries = [] if approval is None else [*approval.history, approval.earlier()]
        now = content_hash(loaded.runbook)
        rows.append(
            {
                "id": loaded.id,
                "approvals": [
                    {**entry, "current": entry["sha256"] == now} for entry in reversed(entries)
                ],
            }
        )
    return rows
