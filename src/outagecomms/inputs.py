"""Values people and machines type: ``--var``, ``--by``, ``--reason``, dedupe keys.

They come from on-calls, CI jobs and alert webhooks and end up in terminals, e-mails, the
status page and its feed, so they are checked where they come in: no C0/C1 control
characters (an escape sequence recolours a terminal; ``\\x01`` makes the Atom feed invalid
XML for every subscriber), newlines only where a value may span lines, and a length limit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from outagecomms.errors import PARAMETER, UsageError
from outagecomms.limits import Limits, raise_it

CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
"""C0 and C1 controls, DEL included."""
_NEWLINE = "\n"


def control_character(value: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The first control character of ``value`` (position and character), if any."""
    for match in CONTROL_CHARACTERS.finditer(value):
        if multiline and match.group() == _NEWLINE:
            continue
        return match.start(), match.group()
    return None


def check_value(
    value: str,
    parameter: str,
    *,
    max_length: int | None = None,
    setting: str | None = None,
    multiline: bool = False,
    item: str | None = None,
) -> str:
    """``value`` when it has no control character and fits ``max_length``; else a usage
    error about ``parameter`` (``by``; ``variables`` with the ``item`` ``impact``) and, for
    the length, the ``setting``."""
    label = PARAMETER if item is None else f"{PARAMETER} {item}"
    found = control_character(value, multiline=multiline)
    if found is not None:
        at, char = found
        allowed = " (a newline is fine)" if multiline else ""
        raise UsageError(
            f"{label} contains the control character U+{ord(char):04X} at position {at + 1}; "
            f"remove it{allowed}: control characters garble terminals and break the "
            "status page's feed",
            parameter=parameter,
        )
    if max_length is not None and len(value) > max_length:
        limit = f" {raise_it(setting)}" if setting else ""
        raise UsageError(
            f"{label} is {len(value):,} characters, more than {max_length:,}; shorten it{limit}",
            parameter=parameter,
        )
    return value


def check_variables(given: Mapping[str, str], limits: Limits) -> None:
    """Every ``--var`` value: no control character but newlines, at most
    ``var_max_length`` characters."""
    for name, value in given.items():
        check_value(
            value,
            "variables",
            item=name,
            max_length=limits.var_max_length,
            setting="var_max_length",
            multiline=True,
        )
