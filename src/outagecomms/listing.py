"""What ``outagecomms runbooks`` and ``outagecomms channels`` show."""

from __future__ import annotations

from typing import Any

from outagecomms.counting import limit_description
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
                "url": redact_url(channel.url),
                "enabled": channel.enabled,
            }
        )
    return rows
