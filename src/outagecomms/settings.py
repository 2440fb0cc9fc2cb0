"""Project settings: ``outagecomms.toml``, each key with an ``OUTAGECOMMS_*`` environment twin.

Precedence, highest first: the command line, the environment, ``outagecomms.toml``,
the defaults below.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from outagecomms.errors import ConfigError
from outagecomms.models import check_timezone
from outagecomms.yamlfile import display_path

SETTINGS_FILE = "outagecomms.toml"
ENV_PREFIX = "OUTAGECOMMS_"


DEFAULT_SENDER = {
    "en": "The Support Team",
    "fa": "تیم پشتیبانی",
    "uk": "Команда підтримки",
    "lv": "Atbalsta komanda",
}


class Settings(BaseModel):
    """What ``outagecomms.toml`` may hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: a SQLite file .outagecomms/state.db in the project",
    )
    status_url: str = Field(
        default="https://status.example.com",
        description="the public status page, linked from every message",
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

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return check_timezone(value)


def env_name(field: str) -> str:
    """The environment twin of a setting: ``status_url`` -> ``OUTAGECOMMS_STATUS_URL``."""
    return ENV_PREFIX + field.upper()


def load_settings(root: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``outagecomms.toml`` under ``root`` (if any), then apply the environment."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = root / SETTINGS_FILE
    if path.is_file():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"{display_path(path)}: invalid TOML ({exc}); fix the syntax"
            ) from None
    for field in Settings.model_fields:
        if env_name(field) in env:
            values[field] = env[env_name(field)]
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "settings"
        source = env_name(key) if env_name(key) in env else display_path(path)
        raise ConfigError(f"{source}: {key}: {first['msg']}") from None
