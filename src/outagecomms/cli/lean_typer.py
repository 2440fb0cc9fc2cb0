"""typer without a pydantic adapter for every option nobody gave.

typer 0.29 coerces each parameter's value through a pydantic ``TypeAdapter`` that it builds,
on first use, for every parameter of the invoked command, given or not: about 5 ms each,
0.1 s for ``declare``'s options. An option left out has the value ``None``, which typer's
coercion turns into ``None`` (``()`` for a repeatable one) without asking the adapter; here
that answer is given without building it. Given values, defaults and environment values
still go through typer's own coercion. Older typers (no ``_TyperParameter``) are left as
they are.
"""

from __future__ import annotations

from typing import Any

import typer.core

try:  # typer >= 0.20 vendors click; its exceptions are not click's
    from typer._click.exceptions import MissingParameter
except ImportError:  # pragma: no cover - older typer on plain click
    from click.exceptions import MissingParameter  # type: ignore[assignment]

_MARK = "_outagecomms_lean"


def install() -> None:
    """Skip building the adapter of a parameter whose value is ``None`` (idempotent)."""
    parameter: Any = getattr(typer.core, "_TyperParameter", None)
    if parameter is None or getattr(parameter, _MARK, False):
        return
    original = parameter.process_value

    def process_value(self: Any, ctx: Any, value: Any) -> Any:
        if value is not None:
            return original(self, ctx, value)
        value = () if self.multiple or self.nargs == -1 else None
        if self.required and self.value_is_missing(value):
            raise MissingParameter(ctx=ctx, param=self)
        if self.callback is not None:
            value = self.callback(ctx, self, value)
        return value

    parameter.process_value = process_value
    setattr(parameter, _MARK, True)
