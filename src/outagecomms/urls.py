"""Channel URLs: ``${VAR}`` resolved from the environment only at send time, and secrets
hidden whenever a URL is shown."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from outagecomms.errors import ConfigError

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_USERINFO_SECRET = re.compile(r"(://[^/:@]*:)([^@/]+)(@)")


def referenced_variables(url: str) -> list[str]:
    return _REFERENCE.findall(url)


def expand_url(url: str, channel: str, environ: Mapping[str, str] | None = None) -> str:
    """Replace every ``${VAR}`` with the environment's value; a missing one is an error
    naming the channel and the variable."""
    env = os.environ if environ is None else environ
    missing = [name for name in referenced_variables(url) if not env.get(name)]
    if missing:
        names = ", ".join(missing)
        raise ConfigError(
            f"channel {channel!r}: environment variable {names} is not set; "
            f"export {missing[0]}=... (the channel's url uses ${{{missing[0]}}})"
        )
    return _REFERENCE.sub(lambda m: env[m.group(1)], url)


def redact_url(url: str) -> str:
    """A URL safe to print: ``${VAR}`` references stay as written (they name, not hold, the
    secret); literal secrets are masked with apprise's privacy rules; the query is dropped."""
    if referenced_variables(url):
        return _USERINFO_SECRET.sub(r"\1****\3", url.split("?", 1)[0])
    plugin = quiet_plugin(url)
    if plugin is None:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        return f"{scheme}://****"
    return str(plugin.url(privacy=True)).split("?", 1)[0]


def quiet_plugin(url: str) -> Any:
    """apprise's plugin for ``url``, or ``None`` when apprise cannot use it. apprise logs
    the parsed URL (custom header values included) at DEBUG while it parses; nothing of it
    may reach a log here."""
    import logging

    import apprise

    apprise_log = logging.getLogger("apprise")
    previous = apprise_log.disabled
    apprise_log.disabled = True
    try:
        return apprise.Apprise.instantiate(url, suppress_exceptions=True)
    except Exception:  # pragma: no cover - apprise raises only on programming errors
        return None
    finally:
        apprise_log.disabled = previous
