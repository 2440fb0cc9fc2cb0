"""Channel limits (lower, never higher), the Measurement contract and limit_description."""

from __future__ import annotations

from typing import Any

import pytest

from outagecomms.counting import Measurement, limit_description, measure, measure_for_channel
from outagecomms.models import Channel, ChannelKind


def channel(kind: ChannelKind, **fields: Any) -> Channel:
    return Channel(name="test", kind=kind, url="json://localhost", **fields)


@pytest.mark.parametrize(
    ("kind", "lower"),
    [(ChannelKind.X, 200), (ChannelKind.TELEGRAM, 1000), (ChannelKind.DISCORD, 500)],
)
def test_channel_limit_lowers_the_kind_limit(kind: ChannelKind, lower: int) -> None:
    assert measure_for_channel("a", channel(kind, limit=lower)).limit == lower


@pytest.mark.parametrize(
    ("kind", "builtin"),
    [(ChannelKind.X, 280), (ChannelKind.BLUESKY, 300), (ChannelKind.EMAIL, 78)],
)
def test_channel_limit_never_raises_the_kind_limit(kind: ChannelKind, builtin: int) -> None:
    assert measure_for_channel("a", channel(kind, limit=10_000)).limit == builtin


def test_text_over_a_lowered_limit_does_not_fit() -> None:
    assert not measure_for_channel("a" * 201, channel(ChannelKind.X, limit=200)).fits


def test_channel_limit_bounds_an_unbounded_webhook() -> None:
    assert measure_for_channel("a" * 51, channel(ChannelKind.WEBHOOK, limit=50)).limit == 50


def test_measure_for_channel_uses_the_channel_max_segments() -> None:
    result = measure_for_channel("a" * 200, channel(ChannelKind.SMS, max_segments=1))
    assert (result.limit, result.segments, result.fits) == (160, 2, False)


def test_max_segments_is_rejected_for_other_kinds() -> None:
    with pytest.raises(ValueError, match="sms only"):
        measure("a", ChannelKind.X, max_segments=2)


def test_limit_below_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        measure("a", ChannelKind.X, limit=0)


def test_as_json_has_exactly_the_documented_fields() -> None:
    document = measure("a" * 161, ChannelKind.SMS, max_segments=1).as_json()
    assert document == {
        "kind": "sms",
        "length": 161,
        "limit": 160,
        "fits": False,
        "unit": "gsm7",
        "segments": 2,
    }


def test_measurement_keeps_its_positional_constructor() -> None:
    result = Measurement(ChannelKind.X, 281, 280, "weighted")
    assert (result.segments, result.fits) == (None, False)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"kind": ChannelKind.X}, "280 weighted"),
        ({"kind": ChannelKind.X, "limit": 200}, "200 weighted"),
        ({"kind": ChannelKind.SMS}, "3 segments (gsm7 459 / ucs2 201)"),
        ({"kind": ChannelKind.SMS, "max_segments": 1}, "1 segment (gsm7 160 / ucs2 70)"),
        (
            {"kind": ChannelKind.SMS, "max_segments": 2, "limit": 150},
            "2 segments (gsm7 150 / ucs2 134)",
        ),
        ({"kind": ChannelKind.TELEGRAM}, "4096 utf16"),
        ({"kind": ChannelKind.BLUESKY}, "300 graphemes"),
        ({"kind": ChannelKind.MASTODON}, "500 chars (URLs 23)"),
        ({"kind": ChannelKind.DISCORD}, "2000 chars"),
        ({"kind": ChannelKind.SLACK}, "40000 chars (readable 3000)"),
        ({"kind": ChannelKind.SLACK, "limit": 2000}, "2000 chars"),
        ({"kind": ChannelKind.TEAMS}, "28000 chars"),
        ({"kind": ChannelKind.EMAIL}, "subject 78"),
        ({"kind": ChannelKind.WEBHOOK}, "unbounded"),
        ({"kind": ChannelKind.WEBHOOK, "limit": 5000}, "5000 chars"),
    ],
)
def test_limit_description(fields: dict[str, Any], expected: str) -> None:
    assert limit_description(channel(**fields)) == expected
