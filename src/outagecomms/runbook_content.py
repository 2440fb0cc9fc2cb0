"""A runbook's content as canonical JSON (its validated model, defaults filled in, sorted
keys): what ``approvals.lock`` hashes and what an incident pins.

Computed once per runbook object. A runbook kept validated between processes
(:mod:`outagecomms.validated_cache`) brings the text computed when it was checked
(:func:`adopt`), so a fresh ``declare`` builds no pydantic serializer for it: the first
``model_dump`` of a runbook costs ~10-20 ms, most of it building the schema that
``defer_build`` left unbuilt.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outagecomms.models import Runbook

_KNOWN: dict[int, tuple[Runbook, str]] = {}
"""id(runbook) -> (the runbook, its text): the runbook is held so its id is not reused."""
KEPT_AT_MOST = 256


def canonical_json(runbook: Runbook) -> str:
    """The runbook's content as compact JSON with sorted keys (non-ASCII kept as is)."""
    known = _KNOWN.get(id(runbook))
    if known is not None and known[0] is runbook:
        return known[1]
    text = json.dumps(
        runbook.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    adopt(runbook, text)
    return text


def runbook_content(runbook: Runbook) -> dict[str, Any]:
    """The runbook's content as JSON data (equal to ``model_dump(mode="json")``), a fresh
    copy each time."""
    content: dict[str, Any] = json.loads(canonical_json(runbook))
    return content


def adopt(runbook: Runbook, text: str) -> None:
    """``text`` is ``runbook``'s canonical JSON (computed when an earlier process checked
    the same file)."""
    if len(_KNOWN) >= KEPT_AT_MOST:
        _KNOWN.clear()
    _KNOWN[id(runbook)] = (runbook, text)
