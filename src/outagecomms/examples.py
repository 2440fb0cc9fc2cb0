"""Where the shipped runbooks and example channels are: inside the installed wheel
(``outagecomms/examples``), or at the top of a source checkout (editable installs)."""

from __future__ import annotations

from pathlib import Path

from outagecomms.errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent


def examples_root() -> Path:
    """A directory holding ``runbooks/`` and ``channels/`` as shipped."""
    for candidate in (_PACKAGE / "examples", _PACKAGE.parents[1]):
        if (candidate / "runbooks").is_dir():
            return candidate
    raise ConfigError(
        "the shipped runbooks are missing from this installation; reinstall outagecomms"
    )
