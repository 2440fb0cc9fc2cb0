"""typer without a pydantic adapter for an option whose coercion is plain.

typer 0.29 coerces each parameter's value through a pydantic ``TypeAdapter`` that it builds,
on first use, for every parameter of the invoked command, given or not: about 5 ms each,
0.1 s for ``declare``'s options, and importing pydantic with typer's adapters (~45 ms) on a
command that otherwise needs neither. Here two cases are answered without the adapter:

- an option left out (``None``): typer's coercion turns it into ``None`` (``()`` for a
  repeatable one) without asking the adapter either;
- a value whose coercion is plain (:func:`plain_coercion`): a ``str``, an enum member or
  its name, a number written in plain digits within its bounds, a path, a list of those;
  the answer is the one typer's adapter gives (the same typer helpers do the work).

Anything else (a parser, a clamp, a file, a date, a value typer would refuse) still goes
through typer's own coercion, so its errors read as before. Older typers (no
``_TyperParameter``) are left as they are.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import typer.core

try:  # typer >= 0.20 vendors click; its exceptions are not click's
    from typer._click.exceptions import MissingParameter
except ImportError:  # pragma: no cover - older typer on plain click
    from click.exceptions import MissingParameter  # type: ignore[assignment]

try:  # typer 0.29's helpers, which its pydantic adapters call
    from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path

    HELPERS = True
except ImportError:  # pragma: no cover - older typer: every value goes through typer
    HELPERS = False

_MARK = "_outagecomms_lean"
NOT_PLAIN: Any = object()
"""What :func:`plain_coercion` answers for a value it leaves to typer."""
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def install() -> None:
    """Answer the plain cases without building an adapter (idempotent)."""
    parameter: Any = getattr(typer.core, "_TyperParameter", None)
    if parameter is None or getattr(parameter, _MARK, False):
        return
    original = parameter.process_value

    def process_value(self: Any, ctx: Any, value: Any) -> Any:
        if value is not None:
            coerced = plain_coercion(self, ctx, value)
            if coerced is NOT_PLAIN:
                return original(self, ctx, value)
            value = coerced
        else:
            value = () if self.multiple or self.nargs == -1 else None
        if self.required and self.value_is_missing(value):
            raise MissingParameter(ctx=ctx, param=self)
        if self.callback is not None:
            value = self.callback(ctx, self, value)
        return value

    parameter.process_value = process_value
    setattr(parameter, _MARK, True)


def plain_coercion(param: Any, ctx: Any, value: Any) -> Any:
    """``value`` coerced to ``param``'s annotation as typer's adapter would, or
    :data:`NOT_PLAIN`."""
    descriptor = getattr(param, "type_descriptor", None)
    if not HELPERS or descriptor is None or descriptor.file_annotation is not None:
        return NOT_PLAIN
    annotation, info = descriptor.annotation, descriptor.parameter_info
    multiple = param.multiple or param.nargs == -1
    if get_origin(annotation) is list:
        if not multiple or not isinstance(value, list | tuple):
            return NOT_PLAIN
        (item_type,) = get_args(annotation)
        items = [_plain_leaf(item_type, info, item, param, ctx) for item in value]
        return NOT_PLAIN if any(item is NOT_PLAIN for item in items) else items
    if multiple:
        return NOT_PLAIN
    return _plain_leaf(annotation, info, value, param, ctx)


def _plain_leaf(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """One value, in the order typer's ``build_leaf_adapter`` tries the annotation."""
    if info.parser is not None:
        return NOT_PLAIN
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        try:
            return coerce_cli_choice(
                value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx
            )
        except ValueError:
            return NOT_PLAIN  # typer words the refusal
    if annotation is int or annotation is float:
        return _plain_number(annotation, info, value)
    if annotation is bool:
        return value if isinstance(value, bool) else NOT_PLAIN
    if annotation is str:
        return value if isinstance(value, str) else NOT_PLAIN
    if annotation is Path and routes_to_path(annotation, info) and info.path_type is None:
        if isinstance(value, str) and value:
            value = Path(value)
        if not isinstance(value, Path):
            return NOT_PLAIN
        try:
            return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)
        except ValueError:
            return NOT_PLAIN
    return NOT_PLAIN


def _plain_number(kind: type[Any], info: Any, value: Any) -> Any:
    if info.clamp:
        return NOT_PLAIN
    if type(value) is not kind:
        pattern = _INTEGER if kind is int else _DECIMAL
        if not isinstance(value, str) or pattern.fullmatch(value) is None:
            return NOT_PLAIN
        value = kind(value)
    if (info.min is not None and value < info.min) or (info.max is not None and value > info.max):
        return NOT_PLAIN  # typer words the refusal
    return value
