"""JSON Schema of the runbook and channel files (``outagecomms schema``)."""

from __future__ import annotations

from typing import Any

from outagecomms.models import Channel, Runbook

SCHEMA_ID = "https://outagecomms.dev/schema"


def json_schema() -> dict[str, Any]:
    """One document with both file formats, for editors and CI validation."""
    runbook = Runbook.model_json_schema()
    channel = Channel.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "outagecomms project files",
        "description": "runbooks/*.yaml are Runbook documents, channels/*.yaml Channel documents",
        "oneOf": [{"$ref": "#/$defs/Runbook"}, {"$ref": "#/$defs/Channel"}],
        "$defs": {
            **runbook.pop("$defs", {}),
            **channel.pop("$defs", {}),
            "Runbook": runbook,
            "Channel": channel,
        },
    }
