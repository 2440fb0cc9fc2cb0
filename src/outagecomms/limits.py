"""Bounds on the work a file or a value may cause, each one a setting.

Runbooks arrive through pull requests and values from CI jobs, so nothing they contain
may make outagecomms run without end, exhaust memory, or overflow. Every limit here is
far above what a real runbook or on-call ever needs; each is a key of ``outagecomms.toml``
with an ``OUTAGECOMMS_*`` environment twin (:mod:`outagecomms.settings`), and every error
that enforces one names it. ``docs/reliability.md`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

ENV_PREFIX = "OUTAGECOMMS_"


def env_name(field: str) -> str:
    """The environment twin of a setting: ``status_url`` -> ``OUTAGECOMMS_STATUS_URL``."""
    return ENV_PREFIX + field.upper()


def raise_it(setting: str) -> str:
    """How to lift a limit, for the end of an error message."""
    return f"(limit: setting {setting} in outagecomms.toml or {env_name(setting)})"


@dataclass(frozen=True)
class Limits:
    """The bounds in force; the defaults are what a project without settings gets."""

    yaml_max_depth: int = 32
    """Nesting of mappings and lists in a runbook, channel or approvals file."""
    yaml_max_integer: int = 1_000_000_000
    """The largest number (either sign) a runbook or channel file may hold."""
    max_duration: timedelta = timedelta(days=365)
    """The longest cadence, cool-down or reminder lead, in a file or on the command line."""
    var_max_length: int = 10_000
    """The longest ``--var`` value, and the highest ``max_length`` a variable may declare."""
    reason_max_length: int = 1_000
    """The longest ``--reason``."""
    render_timeout: float = 2.0
    """Seconds one template may take to render (lint, preview, approve, declare, worker)."""
    render_max_output: int = 100_000
    """Characters one template may produce."""


DEFAULT_LIMITS = Limits()

ACTOR_MAX_LENGTH = 255
"""``--by`` and dedupe keys are stored in 255-character columns: a fixed bound."""
