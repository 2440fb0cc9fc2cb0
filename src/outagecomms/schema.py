"""JSON Schema of the runbook and channel files (``outagecomms schema``)."""

from __future__ import annotations

from typing import Any

from outagecomms.components.catalog import ComponentsFile
from outagecomms.models import Channel, Runbook

SCHEMA_ID = "https://outagecomms.dev/schema"


def json_schema() -> dict[str, Any]:
    """One document with the three file formats, for editors and CI validation."""
    runbook = Runbook.model_json_schema()
    channel = Channel.model_json_schema()
    components = ComponentsFile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "outagecomms project files",
        "description": "runbooks/*.yaml are Runbook documents, channels/*.yaml Channel "
        "documents, components.yaml a ComponentsFile document",
        "oneOf": [
            {"$ref": "#/$defs/Runbook"},
            {"$ref": "#/$defs/Channel"},
            {"$ref": "#/$defs/ComponentsFile"},
        ],
        "$defs": {
            **runbook.pop("$defs", {}),
            **channel.pop("$defs", {}),
            **components.pop("$defs", {}),
            "Runbook": runbook,
            "Channel": channel,
            "ComponentsFile": components,
        },
    }
