"""RetryPolicy: when a failed delivery is tried again, and when it is given up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outagecomms.delivery import DEFAULT_RETRY, RetryPolicy

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = RetryPolicy(initial=timedelta(seconds=10), maximum=timedelta(minutes=5), budget=12)


def no_jitter() -> float:
    return 0.0


def full_jitter() -> float:
    return 1.0


def wait_after(attempts: int, random: object = no_jitter, policy: RetryPolicy = POLICY) -> float:
    at = policy.next_attempt_at(attempts, NOW, random=random)  # type: ignore[arg-type]
    assert at is not None
    return (at - NOW).total_seconds()


def test_first_attempt_is_due_at_once() -> None:
    assert POLICY.next_attempt_at(0, NOW) == NOW


def test_wait_doubles_after_each_attempt() -> None:
    assert [wait_after(n) for n in range(1, 6)] == [10, 20, 40, 80, 160]


def test_wait_is_capped_at_the_maximum() -> None:
    assert [wait_after(n) for n in (6, 7, 11)] == [300, 300, 300]


def test_jitter_shortens_a_wait_by_at_most_its_share() -> None:
    assert wait_after(3, full_jitter) == pytest.approx(40 * (1 - POLICY.jitter))


@given(attempts=st.integers(min_value=1, max_value=11), draw=st.floats(0, 1))
def test_wait_stays_between_jittered_and_full_backoff(attempts: int, draw: float) -> None:
    full = min(10 * 2 ** (attempts - 1), 300)

    wait = wait_after(attempts, lambda: draw)

    assert full * (1 - POLICY.jitter) - 1e-6 <= wait <= full + 1e-6


def test_no_attempt_after_the_budget_is_spent() -> None:
    assert POLICY.next_attempt_at(12, NOW) is None


def test_last_attempt_of_the_budget_is_still_scheduled() -> None:
    assert POLICY.next_attempt_at(11, NOW) is not None


def test_budget_of_one_never_retries() -> None:
    once = RetryPolicy(initial=timedelta(seconds=1), maximum=timedelta(seconds=1), budget=1)

    assert once.next_attempt_at(1, NOW) is None


def test_same_random_gives_the_same_time() -> None:
    first = POLICY.next_attempt_at(4, NOW, random=lambda: 0.37)
    second = POLICY.next_attempt_at(4, NOW, random=lambda: 0.37)

    assert first == second


def test_without_a_random_the_wait_is_still_within_bounds() -> None:
    waits = {wait_after(5, None) for _ in range(50)}

    assert all(160 * (1 - POLICY.jitter) <= wait <= 160 for wait in waits)


def test_random_outside_zero_to_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        POLICY.next_attempt_at(1, NOW, random=lambda: 1.5)


@pytest.mark.parametrize(
    ("initial", "maximum", "budget"),
    [(0, 10, 3), (10, 5, 3), (1, 10, 0)],
    ids=["zero-initial", "maximum-below-initial", "empty-budget"],
)
def test_nonsense_policy_is_rejected(initial: int, maximum: int, budget: int) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(timedelta(seconds=initial), timedelta(seconds=maximum), budget)


def test_default_policy_gives_up_within_an_hour() -> None:
    total = sum(wait_after(n, policy=DEFAULT_RETRY) for n in range(1, DEFAULT_RETRY.budget))

    assert DEFAULT_RETRY.next_attempt_at(DEFAULT_RETRY.budget, NOW) is None
    assert timedelta(minutes=20) < timedelta(seconds=total) < timedelta(hours=1)
