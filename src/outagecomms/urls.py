"""Channel URLs: ``${VAR}`` resolved from the environment only at send time, and secrets
hidden whenever a URL is shown."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

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
    return _REFERENCE.sub(lambda m: _as_data(url, m, env[m.group(1)], channel), url)


_HOST_BREAKERS = re.compile(r"[@?#\\\s]")
"""Characters a value in the host part may not hold: they would move the host."""


def _url_part(url: str, at: int) -> str:
    """Which part of ``url`` position ``at`` is in: scheme, userinfo, host, path, query or
    fragment (``${VAR}`` references count as opaque text)."""
    plain = _REFERENCE.sub(lambda m: "v" * len(m.group()), url)
    scheme_end = plain.find("://")
    if scheme_end == -1 or at < scheme_end:
        return "scheme" if scheme_end != -1 else "path"
    start = scheme_end + 3
    ends = [i for i in (plain.find(c, start) for c in "/?#") if i != -1]
    authority_end = min(ends, default=len(plain))
    if at < authority_end:
        at_sign = plain.rfind("@", start, authority_end)
        return "userinfo" if at < at_sign else "host"
    fragment = plain.find("#", authority_end)
    query = plain.find("?", authority_end)
    if fragment != -1 and at > fragment:
        return "fragment"
    if query != -1 and at > query:
        return "query"
    return "path"


def _as_data(url: str, match: re.Match[str], value: str, channel: str) -> str:
    """``value`` as data in the part of the URL it lands in: percent-encoded in userinfo,
    path, query and fragment; refused where encoding cannot keep it from moving the host."""
    part = _url_part(url, match.start())
    name = match.group(1)
    if part in ("scheme", "host"):
        if _HOST_BREAKERS.search(value) or (part == "scheme" and not value.isalnum()):
            raise ConfigError(
                f"channel {channel!r}: the value of ${{{name}}} holds characters that "
                f"cannot be in the URL's {part} (such as '@', '?', '#' or a space); "
                f"fix {name}, or move the secret to the part of the URL where it belongs"
            )
        return value
    if part == "path":
        return quote(value, safe="/+:,;=")  # several path segments (tokens, numbers) stay
    return quote(value, safe="")


def redact_url(url: str) -> str:
    """A URL safe to print: ``${VAR}`` references stay as written (they name, not hold, the
    secret); literal secrets are masked with apprise's privacy rules; the query is dropped."""
    if referenced_variables(url):
        return _USERINFO_SECRET.sub(r"\1****\3", url.split("?", 1)[0])
    from outagecomms.outbox.webhooks import parse_webhook

    native = parse_webhook(url)
    if native is not None:  # sent without apprise: no need to load it to show the URL
        return native.shown()
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
