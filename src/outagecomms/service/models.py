"""The API's request bodies and the documented shapes of its answers (pydantic v2, so the
OpenAPI 3.1 document is generated from them). The answers themselves are the CLI's
``--json`` documents (:meth:`Report.as_json` and friends), so the two cannot drift."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from outagecomms.vocabulary import Severity

VariableName = str
VariableValues = dict[VariableName, str]

VARIABLES_DOC = (
    "name -> value, as `--var name=value`; `name.LANG` gives one language's value "
    "(values are text, never template code)"
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeclareBody(Body):
    runbook: str = Field(min_length=1, max_length=128, description="the runbook id")
    severity: Severity | None = Field(default=None, description="overrides the runbook's")
    variables: VariableValues = Field(default_factory=dict, description=VARIABLES_DOC)
    dedupe_key: str | None = Field(
        default=None, max_length=255, description="one open incident per key"
    )
    channels: list[str] = Field(
        default_factory=list, description="only these channels (default: every enabled one)"
    )
    components: list[str] = Field(
        default_factory=list,
        description="ID or ID=STATUS, as `--component`: the components of components.yaml "
        "it affects (overrides the runbook's)",
    )
    cadence: str | None = Field(default=None, description="update interval, e.g. 30m")
    cooldown: str | None = Field(
        default=None,
        description="with dedupe_key: re-open the key's incident resolved less than this "
        "long ago (a flap); 0 or off: never (default: the runbook's flap_cooldown)",
    )


class UpdateBody(Body):
    phase: Literal["identified", "monitoring", "update"] = "update"
    variables: VariableValues = Field(default_factory=dict, description=VARIABLES_DOC)


class FollowUpBody(Body):
    variables: VariableValues = Field(default_factory=dict, description=VARIABLES_DOC)


# --- answers (documentation; the handlers return the CLI's JSON documents) ---------------


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class IncidentOut(Answer):
    id: str
    runbook: str
    status: Literal["open", "resolved"]
    severity: Severity
    phase: str
    next_update_at: str | None
    deduplicated: bool


class DeliveryOut(Answer):
    channel: str
    kind: str
    state: str
    attempts: int
    length: int
    limit: int | None
    error: str | None


class ReportOut(Answer):
    incident: IncidentOut
    deliveries: list[DeliveryOut]


class SummaryOut(IncidentOut):
    started_at: str
    resolved_at: str | None
    failed_deliveries: int
    pending_deliveries: int


class DetailOut(IncidentOut):
    started_at: str
    resolved_at: str | None
    timeline: list[dict[str, object]]
    events: list[dict[str, object]]


class ProblemOut(Answer):
    type: str = "about:blank"
    title: str
    status: int
    detail: str


class HookOut(Answer):
    source: str
    alerts: list[dict[str, object]]
