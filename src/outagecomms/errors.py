"""One exception hierarchy, mapped once to the exit statuses of README "Exit codes".

Every error a user can cause carries a message that names the fix, and where there is
one, the ``file:line`` it concerns. The CLI prints ``outagecomms: error: <message>``
and exits with :attr:`OutagecommsError.exit_status` (:func:`exit_status_of` for any
exception); nothing else maps errors to codes.
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


PARAMETER = "{parameter}"
"""Where a message names the parameter it is about (:attr:`OutagecommsError.parameter`)."""


class OutagecommsError(Exception):
    """Base of every error outagecomms raises on purpose.

    ``parameter``: the Python API parameter (or setting) the error is about, by its name
    (``cadence``, ``dedupe_key``, ``database_url``); the message says :data:`PARAMETER`
    where it names it. The domain speaks in these names (``str()``); each layer over it
    names the parameter its own way with :meth:`naming`: the CLI by its flag
    (``--cadence``), the HTTP API by its JSON field."""

    exit_status: ExitStatus = ExitStatus.CONFIG

    def __init__(
        self, message: str, *, location: str | None = None, parameter: str | None = None
    ) -> None:
        self.template = message
        self.location = location
        self.parameter = parameter
        self.message = self._message(None)
        """The message in the domain's terms (the parameter by its own name)."""
        super().__init__(self.__str__())

    def _message(self, name: str | None) -> str:
        if self.parameter is None:
            return self.template
        return self.template.replace(PARAMETER, name or self.parameter)

    def naming(self, name: str | None) -> str:
        """The message (after its ``file:line``) with the parameter called ``name`` (its
        own name for ``None``)."""
        message = self._message(name)
        return f"{self.location}: {message}" if self.location else message

    def __str__(self) -> str:
        return self.naming(None)


class UsageError(OutagecommsError):
    """A bad flag, a bad ``--var``, an unknown phase: the command line must change."""

    exit_status = ExitStatus.USAGE


class NotFoundError(OutagecommsError):
    """A runbook, channel or incident that does not exist."""

    exit_status = ExitStatus.NOT_FOUND


class UnknownNameError(NotFoundError):
    """A name typed by hand that a project file does not list (a component id): on the
    command line a usage error (exit 2, like a bad flag: the command must change); to the
    HTTP API a resource that is not there (404)."""

    exit_status = ExitStatus.USAGE


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


def exit_status_of(exc: BaseException) -> ExitStatus:
    """The exit status an exception ends a command with, for every caller that turns one
    into a process status (the CLI, the GitHub Action's step): an :class:`OutagecommsError`
    its own, Ctrl-C :attr:`ExitStatus.INTERRUPTED`, a file this user may not read or write
    :attr:`ExitStatus.CONFIG`, anything else a bug (:attr:`ExitStatus.INTERNAL`)."""
    if isinstance(exc, OutagecommsError):
        return exc.exit_status
    if isinstance(exc, KeyboardInterrupt):
        return ExitStatus.INTERRUPTED
    if isinstance(exc, PermissionError):
        return ExitStatus.CONFIG
    return ExitStatus.INTERNAL
