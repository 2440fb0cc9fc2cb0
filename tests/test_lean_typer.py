"""The command line's plain coercions answer what typer's pydantic adapters answer."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
import typer.main

from outagecomms.cli.lean_typer import NOT_PLAIN, plain_coercion


class Colour(StrEnum):
    RED = "red"
    DARK_BLUE = "dark-blue"


def _command() -> Any:
    app = typer.Typer()

    @app.command()
    def main(
        name: Annotated[str | None, typer.Option("--name")] = None,
        count: Annotated[int | None, typer.Option("--count", min=1)] = None,
        seconds: Annotated[float | None, typer.Option("--seconds", min=0.1)] = None,
        colour: Annotated[Colour | None, typer.Option("--colour")] = None,
        where: Annotated[Path | None, typer.Option("--where")] = None,
        tag: Annotated[list[str] | None, typer.Option("--tag")] = None,
        flag: Annotated[bool, typer.Option("--flag")] = False,
    ) -> None:
        pass

    return typer.main.get_command(app)


CASES = [
    ("name", "payments"), ("name", ""), ("name", "  spaced  "),
    ("count", "3"), ("count", 3), ("count", "0"), ("count", "03"), ("count", "-2"),
    ("count", "1e3"), ("count", "three"), ("seconds", "5"), ("seconds", "0.5"),
    ("seconds", "0.05"), ("seconds", 2.5), ("seconds", "inf"), ("seconds", "1_0"),
    ("colour", "red"), ("colour", Colour.DARK_BLUE), ("colour", "dark-blue"),
    ("colour", "RED"), ("colour", "green"), ("where", "."), ("where", "some/dir"),
    ("where", Path("/tmp")), ("where", ""), ("tag", ("a", "b")), ("tag", ["x"]), ("tag", ()),
    ("flag", True), ("flag", False),
]  # fmt: skip


@pytest.mark.parametrize(("option", "value"), CASES)
def test_a_plain_coercion_gives_what_typers_adapter_gives(option: str, value: Any) -> None:
    command = _command()
    param = next(p for p in command.params if p.name == option)
    ctx = command.make_context("main", [], resilient_parsing=True)
    ours = plain_coercion(param, ctx, value)
    if ours is NOT_PLAIN:
        return  # typer coerces it (and words any refusal) as before
    theirs = param.get_runtime_param().coerce(value, param=param, ctx=ctx)
    assert (ours, type(ours)) == (theirs, type(theirs))


def test_a_value_typer_refuses_is_left_to_typer() -> None:
    command = _command()
    param = next(p for p in command.params if p.name == "count")
    ctx = command.make_context("main", [], resilient_parsing=True)
    assert plain_coercion(param, ctx, "0") is NOT_PLAIN
    assert plain_coercion(param, ctx, "three") is NOT_PLAIN
