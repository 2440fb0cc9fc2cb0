"""``without_cycle_collection``: the collector paused inside the block, left as it was after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from outagecomms.cycles import without_cycle_collection


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_paused_inside_and_on_again_after() -> None:
    gc.enable()
    with without_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused_after() -> None:
    gc.disable()
    with without_cycle_collection():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_collector_is_on_again_after_an_error_inside() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), without_cycle_collection():
        raise RuntimeError("boom")
    assert gc.isenabled()
