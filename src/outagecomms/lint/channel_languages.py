"""``lint``'s warning per channel in a language its runbook lacks (the check itself, shared
with ``declare``, is :mod:`outagecomms.language_gaps`)."""

from __future__ import annotations

from collections.abc import Iterable

from outagecomms.language_gaps import language_gaps
from outagecomms.lint.findings import Finding, finding
from outagecomms.models import Channel
from outagecomms.project import LoadedRunbook
from outagecomms.yamlfile import display_path

RULE = "channel-language"


def channel_language_findings(
    loaded: LoadedRunbook, channels: Iterable[Channel], default_language: str
) -> list[Finding]:
    """``lint``: a warning per channel in a language the runbook lacks."""
    where = {
        "file": display_path(loaded.path),
        "line": loaded.document.line_of(("languages",)),
        "runbook": loaded.id,
    }
    return [
        finding(RULE, gap).at(**where)
        for gap in language_gaps(loaded.runbook, channels, default_language)
    ]
