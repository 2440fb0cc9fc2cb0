"""The files a team writes: runbooks (``runbooks/*.yaml``) and channels (``channels/*.yaml``).

These pydantic models are the single definition of both formats: they validate the
files, reject unknown keys, and produce the JSON Schema that ``outagecomms schema``
prints for editors.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from outagecomms.components.statuses import COMPONENT_ID, ComponentStatus, parse_status
from outagecomms.durations import format_duration, parse_duration
from outagecomms.limits import DEFAULT_LIMITS, Limits, raise_it
from outagecomms.vocabulary import (  # re-exported: the models' public names
    DEFAULT_FORMAT as DEFAULT_FORMAT,
)
from outagecomms.vocabulary import REQUIRED_PHASES as REQUIRED_PHASES
from outagecomms.vocabulary import Audience as Audience
from outagecomms.vocabulary import ChannelKind as ChannelKind
from outagecomms.vocabulary import Format as Format
from outagecomms.vocabulary import Phase as Phase
from outagecomms.vocabulary import Severity as Severity

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
KEBAB_CASE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def check_timezone(value: str) -> str:
    """``value`` when it names an IANA time zone; else a ``ValueError`` naming the fix."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not an IANA time zone; write it like Europe/Riga or UTC"
        ) from None
    return value


def limits_of(info: ValidationInfo) -> Limits:
    """The limits a validation runs under: ``model_validate(data, context={"limits": ...})``
    (the project's settings), else the defaults."""
    context = info.context
    found = context.get("limits") if isinstance(context, dict) else None
    return found if isinstance(found, Limits) else DEFAULT_LIMITS


def _duration(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} has no unit; write it like 90s, 15m or 2h")
    if isinstance(value, str):
        return parse_duration(value, limits_of(info).max_duration)
    raise ValueError("a duration is written like 90s, 15m or 2h")


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^(\d+[smhd])+$", "examples": ["90s", "15m"]}),
]

LocalizedText = str | dict[str, str]
"""A text for every language, or one mapping language code -> text."""


def localized(value: LocalizedText | None, lang: str, fallback: str) -> str | None:
    """Pick ``lang`` from a :data:`LocalizedText`, falling back to ``fallback``'s text."""
    if value is None or isinstance(value, str):
        return value
    return value.get(lang, value.get(fallback))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class VariableKind(StrEnum):
    TEXT = "text"
    RANGE = "range"
    TIME = "time"


class Tense(StrEnum):
    """The grammatical time of a variable's value, so lint can tell which phases may quote it."""

    PRESENT = "present"
    PAST = "past"


class Variable(_Strict):
    """Something the on-call fills in at declare/update time (``--var name=value``)."""

    required: bool = False
    description: str | None = None
    kind: VariableKind = Field(
        default=VariableKind.TEXT,
        description="text, range for an estimate such as '2-4 hours', or time for a moment "
        "written in ISO 8601 with its zone (rendered in each channel's zone and language)",
    )
    default: LocalizedText | None = None
    example: LocalizedText | None = None
    max_length: int | None = Field(default=None, gt=0)
    confirmed: bool = Field(
        default=False,
        description="an estimate the team has confirmed; only then may it be an exact time",
    )
    tense: Tense | None = Field(
        default=None,
        # left out of the canonical JSON when unset, so existing approvals keep their hash
        exclude_if=lambda value: value is None,
        description="present: a clause true only while the incident is open ('sign-in fails'), "
        "which resolved and postmortem messages must not quote (lint warns); past: its form "
        "for after the fix ('sign-in failed'); unset: tense-free (a noun phrase, a range)",
    )

    @field_validator("max_length")
    @classmethod
    def _bounded(cls, value: int | None, info: ValidationInfo) -> int | None:
        ceiling = limits_of(info).var_max_length
        if value is not None and value > ceiling:
            raise ValueError(
                f"max_length {value} is more than {ceiling}, the longest value a variable "
                f"may hold {raise_it('var_max_length')}"
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> Variable:
        if self.required and self.default is not None:
            raise ValueError("a required variable has no default; drop one of the two")
        if self.max_length is not None:
            for label, value in (("default", self.default), ("example", self.example)):
                texts = [value] if isinstance(value, str) else list((value or {}).values())
                for text in texts:
                    if len(text) > self.max_length:
                        raise ValueError(
                            f"{label} {text!r} is longer than max_length {self.max_length}"
                        )
        return self


class Exception_(_Strict):
    """``allow: [{rule, reason}]``: silence one lint rule for one message."""

    rule: str
    reason: str = Field(min_length=3)


class LongMessage(_Strict):
    """Email and status page: a subject line and a body."""

    subject: str
    body: str
    allow: list[Exception_] = Field(default_factory=list)


class TextMessage(_Strict):
    """A chat or short message written as a mapping, to carry ``allow`` exceptions."""

    text: str
    allow: list[Exception_] = Field(default_factory=list)


ShortOrChat = str | TextMessage


class PhaseMessages(_Strict):
    """One phase's templates: format -> language -> template."""

    long: dict[str, LongMessage]
    chat: dict[str, ShortOrChat]
    short: dict[str, ShortOrChat]

    def languages(self, fmt: Format) -> set[str]:
        mapping: dict[str, Any] = getattr(self, fmt.value)
        return set(mapping)


def _default_cadence() -> dict[Severity, timedelta]:
    return {
        Severity.CRITICAL: timedelta(minutes=30),
        Severity.MAJOR: timedelta(minutes=60),
        Severity.MINOR: timedelta(hours=2),
    }


class Runbook(_Strict):
    """One outage type's break-glass messages for every phase, format and language."""

    id: str = Field(description="unique, kebab-case; the file is named <id>.yaml")
    title: LocalizedText
    summary: str = Field(description="when to use this runbook, for the on-call")
    severity: Severity = Severity.MAJOR
    cadence: dict[Severity, Duration] = Field(default_factory=_default_cadence)
    flap_cooldown: Duration | None = Field(
        default=None,
        # left out of the canonical JSON when unset, so existing approvals keep their hash
        exclude_if=lambda value: value is None,
        description="declare --dedupe-key re-opens an incident with that key resolved less "
        "than this long ago (posting `update`, not `investigating`); unset: never re-open",
    )
    reminder: Duration | None = Field(
        default=None,
        # left out of the canonical JSON when unset, so existing approvals keep their hash
        exclude_if=lambda value: value is None,
        description="nudge the internal channels this long before the worker posts an "
        "automatic `update`, so the on-call can post real news instead; unset: no nudge",
    )
    remind_before: list[Duration] | None = Field(
        default=None,
        # left out of the canonical JSON when unset, so existing approvals keep their hash
        exclude_if=lambda value: value is None,
        description="maintenance windows: remind customers this long before the start "
        "(the `upcoming` phase), e.g. [24h, 1h]; unset: no reminder",
    )
    components: dict[str, ComponentStatus] | None = Field(
        default=None,
        # left out of the canonical JSON when unset, so existing approvals keep their hash
        exclude_if=lambda value: value is None,
        description="the components (ids of components.yaml) this outage usually affects, "
        "and the status it puts each in: degraded_performance, partial_outage, major_outage "
        "or under_maintenance (declare --component ID[=STATUS] overrides)",
    )
    languages: list[str] = Field(min_length=1)
    variables: dict[str, Variable] = Field(default_factory=dict)
    messages: dict[Phase, PhaseMessages]

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not KEBAB_CASE.match(value):
            raise ValueError(f"{value!r} is not kebab-case; use lowercase words joined by '-'")
        return value

    @field_validator("components", mode="before")
    @classmethod
    def _impacts(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for component_id, status in value.items():
            if not isinstance(component_id, str) or not COMPONENT_ID.match(component_id):
                raise ValueError(
                    f"{component_id!r} is not a component id; use the ids of components.yaml"
                )
            if isinstance(status, str):
                parse_status(status, impact_only=True)  # names the allowed statuses
        return value

    @field_validator("languages")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if not LANGUAGE_CODE.match(code):
                raise ValueError(f"{code!r} is not a language code such as en, fa, uk or lv")
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @field_validator("variables")
    @classmethod
    def _names(cls, value: dict[str, Variable]) -> dict[str, Variable]:
        for name in value:
            if not IDENTIFIER.match(name):
                raise ValueError(
                    f"variable name {name!r} must be lowercase letters, digits and '_'"
                )
        return value

    @field_validator("cadence")
    @classmethod
    def _every_severity(cls, value: dict[Severity, timedelta]) -> dict[Severity, timedelta]:
        return {**_default_cadence(), **value}

    def cadence_for(self, severity: Severity) -> timedelta:
        return self.cadence[severity]

    def title_in(self, lang: str) -> str:
        return localized(self.title, lang, self.languages[0]) or self.id


class Channel(_Strict):
    """A place messages go: its kind decides format and limit, its apprise URL the transport."""

    name: str = Field(description="unique, kebab-case; the file is named <name>.yaml")
    kind: ChannelKind
    url: str = Field(description="an apprise URL; ${VAR} is read from the environment at send")
    audience: Audience = Audience.CUSTOMERS
    language: str = "en"
    timezone: str = "UTC"
    format: Format | None = None
    max_segments: int | None = Field(default=None, ge=1, le=10, description="sms only")
    limit: int | None = Field(
        default=None, gt=0, description="a lower limit than the kind's own; never higher"
    )
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not KEBAB_CASE.match(value):
            raise ValueError(f"{value!r} is not kebab-case; use lowercase words joined by '-'")
        return value

    @field_validator("language")
    @classmethod
    def _lang(cls, value: str) -> str:
        if not LANGUAGE_CODE.match(value):
            raise ValueError(f"{value!r} is not a language code such as en, fa, uk or lv")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return check_timezone(value)

    @model_validator(mode="after")
    def _sms_only(self) -> Channel:
        if self.max_segments is not None and self.kind is not ChannelKind.SMS:
            raise ValueError("max_segments applies to sms channels only")
        return self

    @property
    def effective_format(self) -> Format:
        return self.format or DEFAULT_FORMAT[self.kind]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
