"""One exception hierarchy, mapped once to the exit statuses of README "Exit codes".

Every error a user can cause carries a message that names the fix, and where there is
one, the ``file:line`` it concerns. The CLI prints ``outagecomms: error: <message>``
and exits with :attr:`OutagecommsError.exit_status`; nothing else maps errors to codes.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """The process exit statuses (README "Exit codes")."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    NOT_FOUND = 3
    REFUSED = 4
    CONFIG = 5
    DELIVERY_FAILED = 6
    INTERNAL = 70
    """A bug in outagecomms (never a user's mistake); the message asks for a report."""
    INTERRUPTED = 130
    """Ctrl-C (SIGINT), after saying what is recorded and what is still queued."""


class OutagecommsError(Exception):
    """Base of every error outagecomms raises on purpose."""

    exit_status: ExitStatus = ExitStatus.CONFIG

    def __init__(self, message: str, *, location: str | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class UsageError(OutagecommsError):
    """A bad flag, a bad ``--var``, an unknown phase: the command line must change."""

    exit_status = ExitStatus.USAGE


class NotFoundError(OutagecommsError):
    """A runbook, channel or incident that does not exist."""

    exit_status = ExitStatus.NOT_FOUND


class RefusedError(OutagecommsError):
    """Understood but not allowed: an unapproved runbook, a resolved incident."""

    exit_status = ExitStatus.REFUSED


class ConfigError(OutagecommsError):
    """A project file is wrong: bad YAML, a schema violation, a missing environment variable."""

    exit_status = ExitStatus.CONFIG


class StoreError(ConfigError):
    """The state database cannot be reached or is not in a usable state."""


class FindingsError(OutagecommsError):
    """``lint`` found errors (the findings themselves are printed by the command)."""

    exit_status = ExitStatus.FINDINGS


class InterruptedByUser(OutagecommsError):
    """Ctrl-C before anything was recorded: nothing was written, nothing was sent."""

    exit_status = ExitStatus.INTERRUPTED
