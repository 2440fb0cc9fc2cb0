"""Project settings: ``outagecomms.toml``, each key with an ``OUTAGECOMMS_*`` environment twin.

Precedence, highest first: the command line, the environment, ``outagecomms.toml``,
the defaults below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
)

from outagecomms import validated_cache
from outagecomms.durations import format_duration, parse_duration
from outagecomms.errors import ConfigError
from outagecomms.limits import DEFAULT_LIMITS, ENV_PREFIX, Limits, env_name
from outagecomms.models import check_timezone
from outagecomms.project_root import SETTINGS_FILE, settings_key, settings_values
from outagecomms.yamlfile import display_path

__all__ = ["ENV_PREFIX", "SETTINGS_FILE", "Settings", "env_name", "load_settings"]


DEFAULT_SENDER = {
    "en": "The Support Team",
    "fa": "تیم پشتیبانی",
    "uk": "Команда підтримки",
    "lv": "Atbalsta komanda",
}


class Settings(BaseModel):
    """What ``outagecomms.toml`` may hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: a SQLite file .outagecomms/state.db in the project",
    )
    status_url: str = Field(
        default="https://status.example.com",
        description="the public status page, linked from every message",
    )
    public_url: str | None = Field(
        default=None,
        description="the service's public address (`serve --public-url`): the status page "
        "links to PUBLIC_URL/subscribe; subscribers' confirm and unsubscribe links point to it",
    )
    site_window_days: int = Field(
        default=90,
        ge=1,
        le=36_500,
        description="the status page's window: its index, feed and summary.json hold the "
        "open incidents and those resolved in the last this many days (older ones are on "
        "the history page of their month)",
    )
    timezone: str = Field(default="UTC", description="default time zone of channels")
    default_language: str = Field(default="en", description="used where a language is missing")
    sender: str | dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SENDER),
        description="the signature on messages: one text, or a table language -> text",
    )
    glossary: list[str] = Field(
        default_factory=list,
        description="words your customers use and your own names: never jargon, shouting or "
        "a third party to blame (a list, or one comma-separated text in the environment)",
    )

    @field_validator("glossary", mode="before")
    @classmethod
    def _glossary(cls, value: Any) -> Any:
        return (
            [w.strip() for w in value.split(",") if w.strip()] if isinstance(value, str) else value
        )

    # limits (outagecomms.limits; docs/reliability.md lists them)
    yaml_max_depth: int = Field(
        default=DEFAULT_LIMITS.yaml_max_depth,
        ge=4,
        le=200,
        description="deepest nesting of mappings and lists in a runbook or channel file",
    )
    yaml_max_integer: int = Field(
        default=DEFAULT_LIMITS.yaml_max_integer,
        ge=1000,
        description="largest number a runbook or channel file may hold",
    )
    max_duration: Annotated[timedelta, PlainSerializer(format_duration)] = Field(
        default=DEFAULT_LIMITS.max_duration,
        description="longest cadence, cool-down or reminder lead",
    )
    var_max_length: int = Field(
        default=DEFAULT_LIMITS.var_max_length,
        ge=100,
        le=10_000_000,
        description="longest --var value, and highest max_length a variable may declare",
    )
    reason_max_length: int = Field(
        default=DEFAULT_LIMITS.reason_max_length, ge=10, description="longest --reason"
    )
    render_timeout: float = Field(
        default=DEFAULT_LIMITS.render_timeout,
        gt=0,
        le=3600,
        description="seconds one template may take to render",
    )
    render_max_output: int = Field(
        default=DEFAULT_LIMITS.render_max_output,
        ge=1000,
        description="characters one template may produce",
    )

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("max_duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value) if isinstance(value, str) else value

    @property
    def limits(self) -> Limits:
        """The bounds these settings put in force."""
        return Limits(
            yaml_max_depth=self.yaml_max_depth,
            yaml_max_integer=self.yaml_max_integer,
            max_duration=self.max_duration,
            var_max_length=self.var_max_length,
            reason_max_length=self.reason_max_length,
            render_timeout=self.render_timeout,
            render_max_output=self.render_max_output,
        )


def load_settings(root: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``outagecomms.toml`` under ``root`` (if any), then apply the environment; the
    values an earlier process validated are not validated again (:mod:`.validated_cache`)."""
    env = os.environ if environ is None else environ
    values = settings_values(root, env)
    path = root / SETTINGS_FILE
    given = settings_key(values)
    found = validated_cache.kept("settings", path, given, DEFAULT_LIMITS, Settings)
    if found is not None:  # these values were checked by an earlier process
        return found
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "settings"
        source = env_name(key) if env_name(key) in env else display_path(path)
        raise ConfigError(f"{source}: {key}: {first['msg']}") from None
    validated_cache.keep("settings", path, given, DEFAULT_LIMITS, settings)
    return settings
