"""The render budget: how long one template may render and how much text it may produce.

The sandbox decides what a template may *reach*; this module bounds how much *work* it
does. Every render (lint, preview, approve, declare, the worker) runs under a meter that
checks the clock at every call, filter and loop step, refuses an operation whose result
would exceed the output budget before Python allocates it (``'a' * 10**9``, ``9**9**9``,
``'%999999999s'``, ``'x'.ljust(10**9)``), and counts the output as it streams. Over
budget, the render stops with :class:`RenderBudgetExceeded`, naming the setting.
"""

from __future__ import annotations

import functools
import inspect
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from jinja2 import nodes
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from outagecomms.errors import ConfigError
from outagecomms.limits import DEFAULT_LIMITS, Limits, raise_it

ITERATE = "_outagecomms_iterate"
"""The global every ``{% for %}`` loop's iterable is wrapped in (at compile time), so that
a loop is metered even when its body calls nothing and prints nothing."""
CHECK_EVERY = 64
"""Loop steps between two looks at the clock."""
_WIDE_FORMAT = re.compile(r"\d{6,}")
"""A width or precision of a million or more in a format string."""


class RenderBudgetExceeded(ConfigError):
    """A template took longer, or produced more, than the render budget allows."""


@dataclass(frozen=True)
class RenderBudget:
    seconds: float = DEFAULT_LIMITS.render_timeout
    max_output: int = DEFAULT_LIMITS.render_max_output

    @classmethod
    def of(cls, limits: Limits) -> RenderBudget:
        return cls(limits.render_timeout, limits.render_max_output)


DEFAULT_BUDGET = RenderBudget()


@dataclass
class _Meter:
    budget: RenderBudget
    deadline: float
    steps: int = field(default=0)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderBudgetExceeded(
                f"the template took longer than {self.budget.seconds:g}s to render (a loop "
                f"that never ends soon?); simplify it {raise_it('render_timeout')}"
            )

    def step(self) -> None:
        self.steps += 1
        if self.steps % CHECK_EVERY == 0:
            self.check_time()

    def too_large(self, what: str) -> RenderBudgetExceeded:
        return RenderBudgetExceeded(
            f"the template would produce {what}, more than the {self.budget.max_output:,} "
            f"characters a message may have; simplify it {raise_it('render_max_output')}"
        )

    def allow_size(self, size: int, what: str = "") -> None:
        if size > self.budget.max_output:
            raise self.too_large(what or f"{size:,} characters or items")

    def sized(self, value: Any) -> Any:
        if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
            self.allow_size(len(value))
        elif isinstance(value, int) and value.bit_length() > self.budget.max_output:
            raise self.too_large(f"a number of {value.bit_length():,} bits")
        return value


_meter: ContextVar[_Meter | None] = ContextVar("outagecomms_render_meter", default=None)


def _current() -> _Meter:
    meter = _meter.get()
    return meter if meter is not None else _Meter(DEFAULT_BUDGET, time.monotonic() + 3600)


@contextmanager
def metered(budget: RenderBudget) -> Iterator[_Meter]:
    """Run one render under ``budget`` (a fresh clock and count)."""
    meter = _Meter(budget, time.monotonic() + budget.seconds)
    token = _meter.set(meter)
    try:
        yield meter
    finally:
        _meter.reset(token)


def render_within(template: Any, ctx: Any, budget: RenderBudget) -> str:
    """``template.render(ctx)``, streamed and stopped as soon as it is over ``budget``."""
    with metered(budget) as meter:
        out: list[str] = []
        size = 0
        try:
            for chunk in template.generate(ctx):
                size += len(chunk)
                meter.allow_size(size)
                meter.check_time()
                out.append(chunk)
        except (RecursionError, MemoryError, OverflowError) as exc:
            raise RenderBudgetExceeded(
                f"the template is too costly to render ({type(exc).__name__}: {exc}); simplify it"
            ) from None
        return "".join(out)


def _iterate(iterable: Iterable[Any]) -> Iterator[Any]:
    meter = _current()
    for item in iterable:
        meter.step()
        yield item


def _range(*args: int) -> range:
    numbers = range(*args)
    _current().allow_size(len(numbers), f"a range of {len(numbers):,} numbers")
    return numbers


def _metered_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def metered_call(*args: Any, **kwargs: Any) -> Any:
        meter = _current()
        meter.check_time()
        for value in (*args[1:], *kwargs.values()):  # the filtered value is args[0] or [1]
            if isinstance(value, int) and not isinstance(value, bool):
                meter.allow_size(value, f"a width or count of {value:,}")
        if function.__name__ == "do_format":
            for value in args[:2]:
                if isinstance(value, str):
                    _check_format(meter, value)
        return meter.sized(function(*args, **kwargs))

    return metered_call


def _check_format(meter: _Meter, text: str) -> None:
    if _WIDE_FORMAT.search(text) and ("%" in text or "{" in text):
        raise meter.too_large("a field millions of characters wide")


class BudgetedEnvironment(ImmutableSandboxedEnvironment):
    """The runbook sandbox with every render metered (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("namespace", None)  # mutable state across loop steps: not needed
        self.globals["range"] = _range
        self.globals[ITERATE] = _iterate
        self.filters = {name: _metered_filter(f) for name, f in self.filters.items()}

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        for loop in source.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(ITERATE, "load"), [loop.iter], [], None, None)
        return super()._generate(source, name, filename, defer_init)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        meter = _current()
        meter.check_time()
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int):
                    meter.allow_size(len(seq) * max(count, 0))
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1:
                meter.allow_size(abs(left).bit_length() * right, "a number of that many bits")
        elif operator == "%" and isinstance(left, str):
            _check_format(meter, left)
        return meter.sized(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        meter = _current()
        meter.check_time()
        for value in (*args, *kwargs.values()):
            meter.sized(value)  # e.g. a macro handed a text doubled at every call
        receiver = getattr(inspect.unwrap(__obj), "__self__", None)
        if isinstance(receiver, str | list | tuple):
            for value in (*args, *kwargs.values()):
                if isinstance(value, int) and not isinstance(value, bool):
                    meter.allow_size(value, f"a width or count of {value:,}")
            if isinstance(receiver, str) and getattr(__obj, "__name__", "").startswith("format"):
                _check_format(meter, receiver)
        return meter.sized(super().call(__context, __obj, *args, **kwargs))
