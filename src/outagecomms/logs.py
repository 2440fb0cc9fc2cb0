"""structlog on stderr: readable in a terminal, JSON lines otherwise.

structlog (with what it imports for tracebacks and the standard library) costs about a
tenth of a second to import. Modules on the ``declare`` path take their logger from
:func:`get_logger`: a logger that imports structlog only when it has an event to write.
Once the CLI set a level (:func:`configure`), an event below it is dropped without
importing anything; once structlog is imported (a test, an embedding program, a module
that imports it itself), every event goes to it and its configuration decides, exactly as
with ``structlog.get_logger``. The configuration is applied the moment structlog is
imported, whoever imports it.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import logging
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

    import structlog

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
LEVELS["error"] = logging.ERROR
METHOD_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
}


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the moment (tests swap it per test)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


_pending: dict[str, str] | None = None
"""What :func:`configure` was asked while structlog was not imported yet."""


def configure(*, log_format: str = "auto", level: str = "warning") -> None:
    """Log at ``level`` and above on stderr, as JSON or for a terminal: now if structlog is
    imported, else the moment it is."""
    global _pending
    _pending = {"log_format": log_format, "level": level}
    if "structlog" in sys.modules:
        _apply()
    elif not any(isinstance(f, _ConfigureOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _ConfigureOnImport())


class _ConfigureOnImport(importlib.abc.MetaPathFinder):
    """Applies the pending configuration right after structlog's own import, whoever
    imports it (one use, then it steps aside)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "structlog":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        loader: Any = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        def exec_then_configure(module: ModuleType) -> None:
            exec_module(module)
            _apply()

        loader.exec_module = exec_then_configure
        return spec


def _apply() -> None:
    global _pending
    settings, _pending = _pending, None
    if settings is None:
        return
    import structlog

    as_json = settings["log_format"] == "json" or (
        settings["log_format"] == "auto" and not sys.stderr.isatty()
    )
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if as_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            LEVELS.get(settings["level"], logging.WARNING)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )


def _drops(method: str) -> bool:
    """Whether an event of ``method`` is below the level the CLI set, while structlog is not
    imported (after, structlog's own filter decides)."""
    if _pending is None or "structlog" in sys.modules:
        return False
    least = LEVELS.get(_pending["level"], logging.WARNING)
    return METHOD_LEVELS.get(method, logging.CRITICAL) < least


def _ignore(*args: Any, **kwargs: Any) -> None:
    return None


class Logger:
    """``structlog.get_logger(name)``, imported on the first event worth writing."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("_"):
            raise AttributeError(method)
        if _drops(method):
            return _ignore
        import structlog

        if _filtered_out(structlog.get_config()["wrapper_class"], method):
            return _ignore  # no logger bound for an event the configured level drops
        return getattr(structlog.get_logger(self._name), method)  # type: ignore[no-any-return]


def _filtered_out(wrapper_class: Any, method: str) -> bool:
    """Whether structlog's configured wrapper drops every ``method`` event: a filtering
    bound logger (``make_filtering_bound_logger``) makes the methods below its level
    no-ops."""
    return getattr(getattr(wrapper_class, method, None), "__name__", None) == "_nop"


def get_logger(name: str) -> Logger:
    """A logger for module ``name`` that imports structlog only when it writes."""
    return Logger(name)
