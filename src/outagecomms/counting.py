"""Length exactly as each channel counts it (communication-guide.md, "Channels and their limits").

PLACEHOLDER: the real implementation (twitter-text weighted length, GSM-03.38 septets,
UTF-16, graphemes, ...) replaces this module; the interface below is the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outagecomms.models import Channel, ChannelKind


@dataclass(frozen=True)
class Measurement:
    kind: ChannelKind
    length: int
    limit: int | None
    unit: str
    segments: int | None = None

    @property
    def fits(self) -> bool:
        return self.limit is None or self.length <= self.limit

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "length": self.length,
            "limit": self.limit,
            "fits": self.fits,
            "unit": self.unit,
            "segments": self.segments,
        }


def measure(
    text: str, kind: ChannelKind, *, max_segments: int | None = None, limit: int | None = None
) -> Measurement:
    return Measurement(kind, len(text), limit, "chars")


def measure_for_channel(text: str, channel: Channel) -> Measurement:
    return measure(text, channel.kind, max_segments=channel.max_segments, limit=channel.limit)


def fit_text(text: str, channel: Channel, *, keep: str | None = None) -> str:
    """Shorten ``text`` to fit ``channel`` at a sentence or word boundary, keeping ``keep``."""
    return text


def limit_description(channel: Channel) -> str:
    """A human summary of a channel's limit, e.g. ``280 weighted`` or ``2 segments``."""
    return "unbounded" if channel.limit is None else f"{channel.limit} chars"
