"""Where the project is and which database it uses, without the file models.

A read-only command (``status``) needs the project's directory and its database URL only;
reading them through :class:`outagecomms.project.Project` would import pydantic and build
the settings' model (~0.1 s of a fresh process). Here the root is found the same way and
the settings are read from ``outagecomms.toml`` and the environment as
:func:`outagecomms.settings.load_settings` reads them; their database URL comes from the
validated-files cache (:mod:`.validated_cache`) when an earlier process validated these
very values, else :func:`~outagecomms.settings.load_settings` validates them (and refuses
them as it always did) and the URL is kept for the next process.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from outagecomms import validated_cache
from outagecomms.errors import ConfigError, NotFoundError
from outagecomms.limits import DEFAULT_LIMITS, env_name

PROJECT_ENV = "OUTAGECOMMS_PROJECT"
RUNBOOKS_DIR = "runbooks"
CHANNELS_DIR = "channels"
SETTINGS_FILE = "outagecomms.toml"

SETTINGS_FIELDS = (
    "database_url", "status_url", "public_url", "site_window_days", "timezone",
    "default_language", "sender", "glossary", "yaml_max_depth", "yaml_max_integer",
    "max_duration", "var_max_length", "reason_max_length", "render_timeout",
    "render_max_output",
)  # fmt: skip
"""The fields of :class:`outagecomms.settings.Settings`, in its order (a test keeps them
the same): each may come from the environment (``OUTAGECOMMS_<FIELD>``)."""


def find_project_root(explicit: str | Path | None = None, start: Path | None = None) -> Path:
    """``--project DIR``, then ``OUTAGECOMMS_PROJECT``, then the working directory and its
    parents (the first holding ``runbooks/``, ``channels/`` or ``outagecomms.toml``)."""
    chosen = explicit if explicit is not None else os.environ.get(PROJECT_ENV) or None
    if chosen is not None:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise NotFoundError(
                f"project directory {str(chosen)!r} does not exist; fix --project or {PROJECT_ENV}"
            )
        if not _is_project(root):
            raise NotFoundError(
                f"{str(chosen)!r} is not an outagecomms project (it holds no runbooks/, "
                f"channels/ or {SETTINGS_FILE}); fix --project or {PROJECT_ENV}, or create "
                "the project there first"
            )
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_project(candidate):
            return candidate
    raise NotFoundError(
        "no outagecomms project here (no runbooks/, channels/ or outagecomms.toml in this "
        f"directory or its parents); cd into one, or pass --project DIR or set {PROJECT_ENV}"
    )


def _is_project(folder: Path) -> bool:
    return any((folder / name).exists() for name in (RUNBOOKS_DIR, CHANNELS_DIR, SETTINGS_FILE))


def settings_values(root: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    """What ``outagecomms.toml`` under ``root`` (if any) holds, each field its environment
    twin overrides; not validated. An unreadable TOML is a :class:`ConfigError`."""
    from outagecomms.yamlfile import display_path

    values: dict[str, Any] = {}
    path = root / SETTINGS_FILE
    if path.is_file():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"{display_path(path)}: invalid TOML ({exc}); fix the syntax"
            ) from None
    for field in SETTINGS_FIELDS:
        if env_name(field) in environ:
            values[field] = environ[env_name(field)]
    return values


def settings_key(values: Mapping[str, Any]) -> bytes:
    """The bytes that key validated settings in :mod:`.validated_cache`."""
    return repr(dict(values)).encode("utf-8", "surrogatepass")


def configured_database_url(root: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """The settings' ``database_url`` (None: unset), once the settings validate."""
    env = os.environ if environ is None else environ
    values = settings_values(root, env)
    path, given = root / SETTINGS_FILE, settings_key(values)
    found = validated_cache.kept("settings-database-url", path, given, DEFAULT_LIMITS, tuple)
    if found is not None and len(found) == 1 and (found[0] is None or isinstance(found[0], str)):
        return found[0]
    from outagecomms.settings import load_settings

    url = load_settings(root, env).database_url  # raises ConfigError as it always did
    validated_cache.keep("settings-database-url", path, given, DEFAULT_LIMITS, (url,))
    return url


def resolved_database_url(root: Path, configured: str | None, override: str | None) -> str:
    """``--database-url`` (``override``), then the settings' URL (``configured``), then the
    project's SQLite file. A relative SQLite path is relative to the project directory."""
    url = override or configured
    if not url:
        from outagecomms.store.engine import default_database_url

        return default_database_url(root)
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        path = url.removeprefix(prefix)
        if path and path != ":memory:":
            return prefix + str((root / path).resolve())
    return url
