"""Length exactly as each channel counts it (README "Channel limits and how they are counted").

| kind     | limit                  | unit                         |
|----------|------------------------|------------------------------|
| x        | 280                    | ``weighted`` (twitter-text v3) |
| sms      | ``max_segments`` parts | ``gsm7`` septets or ``ucs2`` UTF-16 units |
| telegram | 4096                   | ``utf16`` code units         |
| mastodon | 500                    | ``chars``, every URL 23      |
| bluesky  | 300                    | ``graphemes``                |
| discord  | 2000                   | ``chars`` (code points)      |
| slack    | 40000 (readable 3000)  | ``chars``                    |
| teams    | 28000                  | ``chars``                    |
| email    | subject 78             | ``chars``                    |
| webhook  | none                   | ``chars``                    |
| site     | none                   | ``chars``                    |

A channel's own ``limit`` may lower the kind's limit, never raise it. :func:`fit_text` is the
last-resort shortening that never cuts inside a word, a grapheme cluster or a URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

from outagecomms.models import Channel, ChannelKind

if TYPE_CHECKING:
    import regex

# `regex` and `uniseg` (grapheme clusters) and X's counter (`x_length`, which finds URLs as
# twitter-text does) are imported when a text is first counted that way or cut: most
# messages (a webhook, an email) never are.


def url_spans(text: str, *, with_protocol_only: bool = False) -> list[tuple[int, int]]:
    """``(start, end)`` of the URLs in ``text`` as twitter-text finds them
    (:func:`outagecomms.x_length.url_spans`)."""
    from outagecomms.x_length import url_spans as spans

    return spans(text, with_protocol_only=with_protocol_only)


# --------------------------------------------------------------------------- limits

X_LIMIT: Final = 280
TELEGRAM_LIMIT: Final = 4096
MASTODON_LIMIT: Final = 500
MASTODON_URL_LENGTH: Final = 23
BLUESKY_LIMIT: Final = 300
DISCORD_LIMIT: Final = 2000
SLACK_LIMIT: Final = 40000
SLACK_READABLE: Final = 3000
"""Slack accepts 40000 characters, but the guide says to keep a message under 3000."""
TEAMS_LIMIT: Final = 28000
EMAIL_SUBJECT_LIMIT: Final = 78
DEFAULT_MAX_SEGMENTS: Final = 3
"""SMS segments allowed when the channel does not set ``max_segments``."""

BUILTIN_LIMITS: Final[Mapping[ChannelKind, int | None]] = {
    ChannelKind.X: X_LIMIT,
    ChannelKind.TELEGRAM: TELEGRAM_LIMIT,
    ChannelKind.MASTODON: MASTODON_LIMIT,
    ChannelKind.BLUESKY: BLUESKY_LIMIT,
    ChannelKind.DISCORD: DISCORD_LIMIT,
    ChannelKind.SLACK: SLACK_LIMIT,
    ChannelKind.TEAMS: TEAMS_LIMIT,
    ChannelKind.EMAIL: EMAIL_SUBJECT_LIMIT,
    ChannelKind.WEBHOOK: None,
    ChannelKind.SITE: None,
}
"""Every kind's own limit, except SMS whose limit depends on encoding and segments."""

SOFT_LIMITS: Final[Mapping[ChannelKind, int]] = {ChannelKind.SLACK: SLACK_READABLE}
"""Lengths a message should stay under to remain readable, below the hard limit."""

ELLIPSIS: Final = "…"
GSM7_ELLIPSIS: Final = "..."
"""What marks a cut in an SMS that is otherwise GSM 7-bit ("…" would make it UCS-2)."""


@dataclass(frozen=True)
class Measurement:
    """A text's length as one channel kind counts it, and whether it fits.

    ``max_segments`` (SMS only) is not part of :meth:`as_json`; it makes :attr:`fits` compare
    the segments the text needs with the segments allowed.
    """

    kind: ChannelKind
    length: int
    limit: int | None
    unit: str
    segments: int | None = None
    max_segments: int | None = None

    @property
    def fits(self) -> bool:
        within_limit = self.limit is None or self.length <= self.limit
        within_segments = (
            self.max_segments is None or self.segments is None or self.segments <= self.max_segments
        )
        return within_limit and within_segments

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "length": self.length,
            "limit": self.limit,
            "fits": self.fits,
            "unit": self.unit,
            "segments": self.segments,
        }


# --------------------------------------------------------------------------- X (twitter-text)

TWITTER_CONFIG_RESOURCE: Final = "twitter-text-config-v3.json"

_TWITTER_OPTION_NAMES: Final[Mapping[str, str]] = {
    "version": "version",
    "maxWeightedTweetLength": "max_weighted_tweet_length",
    "scale": "scale",
    "defaultWeight": "default_weight",
    "emojiParsingEnabled": "emoji_parsing_enabled",
    "transformedURLLength": "transformed_url_length",
    "ranges": "ranges",
}


def twitter_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """twitter-text's JSON configuration (camelCase) as ``parse_tweet`` options (snake_case).

    A v2 configuration has no ``emojiParsingEnabled``; it means ``False``.
    """
    unknown = set(config) - set(_TWITTER_OPTION_NAMES)
    if unknown:
        raise ValueError(f"unknown twitter-text configuration keys: {sorted(unknown)}")
    options = {_TWITTER_OPTION_NAMES[key]: value for key, value in config.items()}
    options.setdefault("emoji_parsing_enabled", False)
    return options


@cache
def _shipped_twitter_options() -> Mapping[str, Any]:
    source = resources.files("outagecomms") / "data" / TWITTER_CONFIG_RESOURCE
    return twitter_options(json.loads(source.read_text(encoding="utf-8")))


def twitter_v3_options() -> dict[str, Any]:
    """The shipped twitter-text v3 configuration, as ``parse_tweet`` options (a fresh copy)."""
    return dict(_shipped_twitter_options())


def weighted_length(text: str) -> int:
    """twitter-text v3 weighted length: URLs 23, CJK and emoji (sequences) 2, most else 1
    (counted by :mod:`outagecomms.x_length`, which passes twitter-text's conformance file)."""
    from outagecomms.x_length import parse_tweet

    return parse_tweet(text, _shipped_twitter_options()).weightedLength


# --------------------------------------------------------------------------- SMS (GSM 03.38)

GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 03.38 default alphabet (127 characters; the escape code is not a character)."""

GSM7_EXTENSION: Final = frozenset("\f^{}\\[~]|€")
"""The extension table: each is sent as escape + code, so it takes 2 septets."""


@dataclass(frozen=True)
class SmsEncoding:
    """An SMS encoding: its unit and how many units one message or one part carries."""

    unit: str
    single: int
    per_part: int


GSM7: Final = SmsEncoding("gsm7", 160, 153)
UCS2: Final = SmsEncoding("ucs2", 70, 67)


def is_gsm7(text: str) -> bool:
    """Whether every character is in the GSM 03.38 basic or extension table."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def sms_encoding(text: str) -> SmsEncoding:
    """GSM 7-bit when every character allows it, otherwise UCS-2."""
    return GSM7 if is_gsm7(text) else UCS2


def _septets(char: str) -> int:
    return 2 if char in GSM7_EXTENSION else 1


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def sms_units(text: str, encoding: SmsEncoding) -> list[int]:
    """The units each character takes: septets in GSM 7-bit, UTF-16 code units in UCS-2."""
    unit_of = _septets if encoding is GSM7 else _utf16_units
    return [unit_of(char) for char in text]


def count_segments(units: Sequence[int], encoding: SmsEncoding) -> int:
    """The messages (parts) a text needs; an empty text is still one message.

    A concatenated message carries ``per_part`` units per part, and a character is never split
    across two parts: a 2-septet escape sequence (GSM extension character) or a UTF-16 surrogate
    pair (UCS-2 character outside the BMP) that would straddle a part boundary starts the next
    part instead. So 305 septets may need 3 parts of 153 when an escape falls on septet 153.
    """
    if sum(units) <= encoding.single:
        return 1
    parts, used = 1, 0
    for size in units:
        if used + size > encoding.per_part:
            parts, used = parts + 1, 0
        used += size
    return parts


def sms_capacity(encoding: SmsEncoding, segments: int) -> int:
    """Units that ``segments`` messages carry: 160/70 alone, 153/67 per part when split."""
    return encoding.single if segments == 1 else encoding.per_part * segments


# --------------------------------------------------------------------------- other counters


def utf16_length(text: str) -> int:
    """UTF-16 code units (characters outside the BMP count 2), as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def grapheme_count(text: str) -> int:
    """Extended grapheme clusters (what a reader sees as one character), as Bluesky counts."""
    return len(_grapheme().findall(text))


@cache
def _grapheme() -> regex.Pattern[str]:
    import regex

    return regex.compile(r"\X")


def grapheme_boundaries(text: str) -> list[int]:
    """Offsets where one grapheme cluster ends and the next begins (0 and len(text) included)."""
    return [0, *(match.end() for match in _grapheme().finditer(text))]


def mastodon_length(text: str) -> int:
    """Code points, with every http(s) URL counted as 23 (as Mastodon's composer counts)."""
    spans = url_spans(text, with_protocol_only=True)
    return len(text) - sum(end - start for start, end in spans) + MASTODON_URL_LENGTH * len(spans)


def code_points(text: str) -> int:
    return len(text)


_COUNTERS: Final[Mapping[ChannelKind, tuple[Callable[[str], int], str]]] = {
    ChannelKind.X: (weighted_length, "weighted"),
    ChannelKind.TELEGRAM: (utf16_length, "utf16"),
    ChannelKind.MASTODON: (mastodon_length, "chars"),
    ChannelKind.BLUESKY: (grapheme_count, "graphemes"),
    ChannelKind.DISCORD: (code_points, "chars"),
    ChannelKind.SLACK: (code_points, "chars"),
    ChannelKind.TEAMS: (code_points, "chars"),
    ChannelKind.EMAIL: (code_points, "chars"),
    ChannelKind.WEBHOOK: (code_points, "chars"),
    ChannelKind.SITE: (code_points, "chars"),
}


# --------------------------------------------------------------------------- measure


def effective_limit(builtin: int | None, channel_limit: int | None) -> int | None:
    """The lower of the two limits; a channel's own limit never raises the kind's."""
    if builtin is None:
        return channel_limit
    if channel_limit is None:
        return builtin
    return min(builtin, channel_limit)


def soft_limit(kind: ChannelKind) -> int | None:
    """The length a message of this kind should stay under to remain readable, if any."""
    return SOFT_LIMITS.get(kind)


def _check_arguments(kind: ChannelKind, max_segments: int | None, limit: int | None) -> None:
    if max_segments is not None:
        if kind is not ChannelKind.SMS:
            raise ValueError("max_segments applies to sms only")
        if max_segments < 1:
            raise ValueError(f"max_segments must be at least 1, not {max_segments}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")


def _measure_sms(text: str, max_segments: int, limit: int | None) -> Measurement:
    encoding = sms_encoding(text)
    units = sms_units(text, encoding)
    return Measurement(
        kind=ChannelKind.SMS,
        length=sum(units),
        limit=effective_limit(sms_capacity(encoding, max_segments), limit),
        unit=encoding.unit,
        segments=count_segments(units, encoding),
        max_segments=max_segments,
    )


@lru_cache(maxsize=8192)
def measure(
    text: str, kind: ChannelKind, *, max_segments: int | None = None, limit: int | None = None
) -> Measurement:
    """``text``'s length as ``kind`` counts it.

    ``max_segments`` (SMS only, default :data:`DEFAULT_MAX_SEGMENTS`) sets the parts allowed;
    ``limit`` may lower the kind's own limit, never raise it. For email the text is the subject.
    The last 8,192 answers are kept (lint's length proofs count the same texts often).
    """
    _check_arguments(kind, max_segments, limit)
    if kind is ChannelKind.SMS:
        segments = DEFAULT_MAX_SEGMENTS if max_segments is None else max_segments
        return _measure_sms(text, segments, limit)
    counter, unit = _COUNTERS[kind]
    return Measurement(kind, counter(text), effective_limit(BUILTIN_LIMITS[kind], limit), unit)


def measure_for_channel(text: str, channel: Channel) -> Measurement:
    return measure(text, channel.kind, max_segments=channel.max_segments, limit=channel.limit)


# --------------------------------------------------------------------------- limit_description


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def limit_description(channel: Channel) -> str:
    """A human summary of a channel's limit, e.g. ``280 weighted`` or
    ``3 segments (gsm7 459 / ucs2 201)``."""
    kind = channel.kind
    if kind is ChannelKind.SMS:
        segments = channel.max_segments or DEFAULT_MAX_SEGMENTS
        gsm7, ucs2 = (
            effective_limit(sms_capacity(encoding, segments), channel.limit)
            for encoding in (GSM7, UCS2)
        )
        return f"{_plural(segments, 'segment')} (gsm7 {gsm7} / ucs2 {ucs2})"
    limit = effective_limit(BUILTIN_LIMITS[kind], channel.limit)
    if limit is None:
        return "unbounded"
    if kind is ChannelKind.EMAIL:
        return f"subject {limit}"
    unit = _COUNTERS[kind][1]
    if kind is ChannelKind.MASTODON:
        return f"{limit} {unit} (URLs {MASTODON_URL_LENGTH})"
    readable = soft_limit(kind)
    if readable is not None and readable < limit:
        return f"{limit} {unit} (readable {readable})"
    return f"{limit} {unit}"


# --------------------------------------------------------------------------- fit_text

SENTENCE_ENDS: Final = frozenset(".!?…。！？؟۔")
_TRAILING_PUNCTUATION: Final = ",;:"


@dataclass(frozen=True)
class _Cuts:
    """Where a text may be cut: ends of sentences and ends of words (code point offsets)."""

    sentences: list[int]
    words: list[int]


def _protected_spans(text: str, keeps: Sequence[str]) -> list[tuple[int, int]]:
    """URLs (with or without protocol) and every occurrence of each of ``keeps``: never cut
    inside."""
    spans = url_spans(text)
    for keep in keeps:
        start = text.find(keep)
        while start != -1:
            spans.append((start, start + len(keep)))
            start = text.find(keep, start + 1)
    return spans


def _inside(offset: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < offset < end for start, end in spans)


def _trim(text: str, end: int) -> int:
    """Move ``end`` back over trailing commas, colons, semicolons and whitespace."""
    while end > 0 and (text[end - 1] in _TRAILING_PUNCTUATION or text[end - 1].isspace()):
        end -= 1
    return end


def _cut_points(text: str, keeps: Sequence[str]) -> _Cuts:
    """Every offset where the text may end: after a word, outside URLs and ``keeps``, on a
    grapheme cluster boundary, and not before a character that would join the ellipsis."""
    spans = _protected_spans(text, keeps)
    boundaries = set(grapheme_boundaries(text))
    sentences: set[int] = set()
    words: set[int] = {0}
    for index in range(1, len(text)):
        if not text[index].isspace() or text[index - 1].isspace():
            continue
        end = _trim(text, index)
        if end == 0 or end not in boundaries or _inside(end, spans) or _joins_next(text[end - 1]):
            continue
        words.add(end)
        if text[end - 1] in SENTENCE_ENDS or text[index] == "\n":
            sentences.add(end)
    return _Cuts(sorted(sentences), sorted(words))


def _joins_next(char: str) -> bool:
    """A Prepend character joins whatever follows it into one grapheme cluster (GB9b)."""
    from uniseg.graphemecluster import grapheme_cluster_break

    return bool(grapheme_cluster_break(char) == "Prepend")


def _ellipsis(kind: ChannelKind, body: str, keep: str | None) -> str:
    """ "…", except in an SMS that is otherwise GSM 7-bit: there "…" (not in the GSM alphabet)
    would switch the whole message to UCS-2 and cut its capacity from 160 to 70, so "..."."""
    if kind is ChannelKind.SMS and is_gsm7(body) and is_gsm7(keep or ""):
        return GSM7_ELLIPSIS
    return ELLIPSIS


def _render(text: str, end: int, keeps: Sequence[str], kind: ChannelKind) -> str:
    """The first ``end`` code points, the ellipsis, and each of ``keeps`` that was cut off
    (in their order in ``text``)."""
    body = text[:end]
    tail = "".join(f" {keep}" for keep in keeps if keep not in body)
    marker = _ellipsis(kind, body, tail)
    if body and body[-1] in SENTENCE_ENDS:
        marker = f" {marker}"
    return f"{body}{marker}{tail}"


def _longest_fitting(cuts: Sequence[int], fits: Callable[[int], bool]) -> int | None:
    """The largest cut that fits, by binary search: a longer cut never measures shorter (a cut
    past ``keep`` stops appending it, but then contains it, so it is at least as long)."""
    low, high, best = 0, len(cuts) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if fits(cuts[middle]):
            best, low = cuts[middle], middle + 1
        else:
            high = middle - 1
    return best


def _shortened(text: str, channel: Channel, keeps: Sequence[str]) -> str | None:
    """The best cut of ``text`` (with ``keeps`` appended when cut off) that fits, if any."""

    def fits(end: int) -> bool:
        return measure_for_channel(_render(text, end, keeps, channel.kind), channel).fits

    cuts = _cut_points(text, keeps)
    word_end = _longest_fitting(cuts.words, fits)
    sentence_end = _longest_fitting(cuts.sentences, fits)
    if sentence_end is not None and (word_end is None or 2 * sentence_end >= word_end):
        return _render(text, sentence_end, keeps, channel.kind)
    return None if word_end is None else _render(text, word_end, keeps, channel.kind)


def _essentials(text: str, keep: str | None, promise: str | None) -> list[list[str]]:
    """What a cut must keep, best first: the promise and the link (a promise that holds
    the link counts once), then the link alone; each only if it is in ``text``."""
    found = sorted({k for k in (promise, keep) if k and k in text}, key=text.find)
    found = [k for k in found if not any(k != other and k in other for other in found)]
    options = [found] if found else []
    if keep and keep in text and found != [keep]:
        options.append([keep])
    return options


def fit_text(
    text: str, channel: Channel, *, keep: str | None = None, promise: str | None = None
) -> str:
    """Shorten ``text`` to fit ``channel``: the last resort when a message is too long.

    Never cuts inside a word, a grapheme cluster or a URL. Prefers the end of a sentence (or a
    line), unless that keeps less than half of what a cut at the end of a word keeps. Marks
    the cut with "…" ("..." in an SMS that is otherwise GSM 7-bit). When ``keep`` (the
    status-page URL) was in ``text`` but is cut off, appends it so readers can still find the
    details; it is dropped only when it cannot fit at all. ``promise`` (the sentence that
    says when the next update comes) is kept the same way, before the link, so a shortened
    message still keeps its promise. A text that fits comes back unchanged; when no word
    fits, the result is just the ellipsis.
    """
    if measure_for_channel(text, channel).fits:
        return text
    for keeps in _essentials(text, keep, promise):
        with_keeps = _shortened(text, channel, keeps)
        if with_keeps is not None:
            return with_keeps
        # No words fit beside them: they alone, marked with the one-character ellipsis
        # (in an SMS, "..." would not fit where "…" does, even though it forces UCS-2).
        only = " ".join([ELLIPSIS, *keeps])
        if measure_for_channel(only, channel).fits:
            return only
    return _shortened(text, channel, ()) or _ellipsis(channel.kind, "", None)
