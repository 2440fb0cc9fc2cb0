"""X's weighted length (twitter-text v3), counted here: the same result as twitter-text's
``parse_tweet`` on the whole conformance file, without its import (a 400 kB emoji list
read through pkg_resources and compiled into one huge regex, half a second).

The URL patterns are twitter-text's own, assembled from its pieces below; the TLD
alternations and the emoji set come from ``data/twitter-text-tables.json`` (made by
``scripts/twitter-text-tables`` from the twitter-text package). Emoji are found by a
longest-match lookup in a set (what the emoji regex's alternation, sorted longest first,
does). Everything is built on first use and kept.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final

TABLES_RESOURCE: Final = "twitter-text-tables.json"
MAX_URL_LENGTH: Final = 4096
MAX_TCO_SLUG_LENGTH: Final = 40
DEFAULT_PROTOCOL: Final = "https://"

# twitter-text's character groups (regexp/*.py), verbatim
_DIRECTIONAL_MARKERS = r"\u202A-\u202E\u061C\u200E\u200F\u2066\u2067\u2068\u2069"
_INVALID_CHARS = r"\uFFFE\uFEFF\uFFFF"
_PUNCT = r"\!'#%&'\(\)*\+,\\\-\.\/:;<=>\?@\[\]\^_{|}~\$/"
_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_CYRILLIC = r"\u0400-\u04FF"
_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"
_QUERY_CHARS = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_ENDING = r"[a-z0-9\-_&=#/]"
_INVALID_CHAR = re.compile(f"[{_INVALID_CHARS}]")
_NO_PROTOCOL_BEFORE = re.compile(r"[-_./]$")
_LINE_ENDINGS = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class _UrlPatterns:
    extract: re.Pattern[str]
    ascii_domain: re.Pattern[str]
    tco: re.Pattern[str]


@cache
def _tables() -> Mapping[str, Any]:
    source = resources.files("outagecomms") / "data" / TABLES_RESOURCE
    tables: Mapping[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return tables


_TLD_GROUP = "(?:(?:"
_TLD_LOOKAHEAD = ")(?="


def as_trie(group: str) -> str:
    """twitter-text's TLD group ``(?:(?:a|b|...)(?=...))`` with its alternatives as a trie
    (``co(?:m(?:pany)?)?``, single last letters as one class): the same language, tried in
    the same order where it matters (a TLD comes before the TLDs it is a prefix of, in the
    table and here: the longer first). A domain's end then walks one branch per letter
    instead of trying ~1,600 alternatives: a text's URLs are found in a third of the time
    (its regex compiles in ~8 ms more, once per process)."""
    if not group.startswith(_TLD_GROUP) or _TLD_LOOKAHEAD not in group:
        return group  # not the table's shape: used as it is
    end = group.index(_TLD_LOOKAHEAD)
    words = group[len(_TLD_GROUP) : end].split("|")
    if any(not word or re.escape(word) != word for word in words):
        return group
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _TLD_GROUP + _branches(tree) + group[end:]


def _branches(node: Mapping[str, Any]) -> str:
    ends = [char for char, child in node.items() if char and child.keys() == {""}]
    goes_on = [char + _branches(child) for char, child in node.items() if char and char not in ends]
    if ends:
        goes_on.append(ends[0] if len(ends) == 1 else f"[{''.join(ends)}]")
    if not goes_on:
        return ""
    body = goes_on[0] if len(goes_on) == 1 else f"(?:{'|'.join(goes_on)})"
    return f"(?:{body})?" if "" in node else body


@cache
def _url_patterns() -> _UrlPatterns:
    tables = _tables()
    return url_patterns(as_trie(tables["gtld"]), as_trie(tables["cctld"]))


def url_patterns(gtld: str, cctld: str) -> _UrlPatterns:
    """twitter-text's URL regexes around the TLD groups ``gtld`` and ``cctld``."""
    domain_char = f"[^{_PUNCT}{_SPACES}{_INVALID_CHARS}{_DIRECTIONAL_MARKERS}]"
    subdomain = f"(?:(?:{domain_char}(?:[_-]|{domain_char})*)?{domain_char}\\.)"
    domain_name = f"(?:(?:{domain_char}(?:-|{domain_char})*)?{domain_char}\\.)"
    domain = f"(?:{subdomain}*{domain_name}(?:{gtld}|{cctld}|{_PUNYCODE}))"
    path_char = f"[a-z{_CYRILLIC}0-9!\\*';:=\\+,\\.\\$\\/%#\\[\\]\\-\\u2013_~@\\|&{_LATIN_ACCENTS}]"
    parens = f"\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\)"
    path_ending = f"[\\+\\-a-z{_CYRILLIC}0-9=_#\\/{_LATIN_ACCENTS}]|(?:{parens})"
    path = f"(?:(?:{path_char}*(?:{parens}{path_char}*)*{path_ending})|(?:@{path_char}+/))"
    preceding = f"(?:[^A-Za-z0-9@＠$#＃{_INVALID_CHARS}]|[{_DIRECTIONAL_MARKERS}]|^)"
    extract = (
        f"(({preceding})((https?:\\/\\/)?({domain})(?::([0-9]+))?(\\/{path}*)?"
        f"(\\?{_QUERY_CHARS}*{_QUERY_ENDING})?))"
    )
    ascii_domain = f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{gtld}|{cctld}|{_PUNYCODE})"
    tco = f"^https?:\\/\\/t\\.co\\/([a-z0-9]+)(?:\\?{_QUERY_CHARS}*{_QUERY_ENDING})?"
    return _UrlPatterns(
        extract=re.compile(extract, re.IGNORECASE),
        ascii_domain=re.compile(ascii_domain, re.IGNORECASE),
        tco=re.compile(tco, re.IGNORECASE),
    )


def _idna_length(domain: str) -> int | None:
    try:
        return len(domain.encode("idna").decode("ascii"))
    except (UnicodeError, ValueError):
        return None


def url_spans(text: str, *, with_protocol_only: bool = False) -> list[tuple[int, int]]:
    """``(start, end)`` code point offsets of the URLs twitter-text finds in ``text``
    (``extract_urls_with_indices``); without protocol too unless ``with_protocol_only``."""
    return [(start, end) for start, end, _ in _urls(text, with_protocol_only)]


@lru_cache(maxsize=4096)
def _urls(text: str, with_protocol_only: bool) -> list[tuple[int, int, int]]:
    """``(start, end, length of the URL's text)``: twitter-text counts a URL without
    protocol whose domain it shortened to its ASCII part by that text's length."""
    if not text or ("." not in text if not with_protocol_only else ":" not in text):
        return []
    patterns = _url_patterns()
    spans: list[tuple[int, int, int]] = []
    for match in patterns.extract.finditer(text):
        _, before, url, protocol, domain, _, path, _ = match.groups()
        end = match.end()
        start = end - len(url)
        puny = _idna_length(domain)
        if not puny or len(protocol or DEFAULT_PROTOCOL) + len(url) + puny - len(domain) > (
            MAX_URL_LENGTH
        ):
            continue
        if protocol is None:
            if with_protocol_only or _NO_PROTOCOL_BEFORE.match(before):
                continue
            found = [
                [start + m.start(), start + m.end(), len(m.group(0))]
                for m in patterns.ascii_domain.finditer(domain)
            ]
            if not found:
                continue
            if path:  # the last one takes the path and query along
                found[-1][1] = end
                found[-1][2] = len(
                    url.replace(domain, text[found[-1][0] : found[-1][0] + found[-1][2]])
                )
            spans.extend((a, b, n) for a, b, n in found)
            continue
        tco = patterns.tco.search(url)
        if tco:
            if tco.group(1) and len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                continue
            end = start + len(tco.group(0))
        spans.append((start, end, end - start))
    return spans


@cache
def _emoji() -> tuple[frozenset[int], frozenset[str], int, frozenset[str]]:
    """The single code points that are emoji, the emoji sequences, the longest one, and
    the characters a sequence starts with."""
    tables = _tables()
    single = frozenset(
        point for low, high in tables["emoji_single"] for point in range(low, high + 1)
    )
    sequences = frozenset(
        "".join(chr(int(code, 16)) for code in sequence.split())
        for sequence in tables["emoji_sequences"]
    )
    starts = frozenset(sequence[0] for sequence in sequences)
    return single, sequences, max(len(sequence) for sequence in sequences), starts


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each emoji (a sequence counts as one), left to right."""
    single, sequences, longest, starts = _emoji()
    spans: list[tuple[int, int]] = []
    index, size = 0, len(text)
    while index < size:
        end = 0
        if text[index] in starts:
            for length in range(min(longest, size - index), 1, -1):
                if text[index : index + length] in sequences:
                    end = index + length
                    break
        if not end and ord(text[index]) in single:
            end = index + 1
        if end:
            spans.append((index, end))
            index = end
        else:
            index += 1
    return spans


@dataclass(frozen=True)
class ParsedTweet:
    """What twitter-text's ``parse_tweet`` answers, field for field."""

    weightedLength: int
    valid: bool
    permillage: int
    validRangeStart: int
    validRangeEnd: int
    displayRangeStart: int
    displayRangeEnd: int

    def asdict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _weight(char: str, options: Mapping[str, Any]) -> int:
    point = ord(char)
    for entry in options["ranges"]:
        if entry["start"] <= point <= entry["end"]:
            return int(entry["weight"])
    return int(options["default_weight"])


def parse_tweet(text: str, options: Mapping[str, Any]) -> ParsedTweet:
    """twitter-text's ``parse_tweet(text, options)`` (options in its snake_case form)."""
    scale = options["scale"]
    url_weight = options["transformed_url_length"] * scale
    limit = options["max_weighted_tweet_length"]
    normalized = _LINE_ENDINGS.sub("\n", unicodedata.normalize("NFC", text))
    urls = {start: start + length for start, _end, length in _urls(normalized, False)}
    emoji = dict(emoji_spans(normalized)) if options["emoji_parsing_enabled"] else {}
    weighted = 0
    valid_display = 0
    valid = True
    index = 0
    while index < len(normalized):
        if index in urls:
            weighted += url_weight
            index = urls[index] - 1
        elif index in emoji:
            weighted += options["default_weight"]
            index = emoji[index] - 1
        else:
            weighted += _weight(normalized[index], options)
        if valid:
            valid = not _INVALID_CHAR.search(normalized[index : index + 1])
        if valid and weighted <= limit * scale:
            valid_display = index
        index += 1
    length = int(weighted / scale)
    shift = _utf16(text) - _utf16(normalized)
    return ParsedTweet(
        weightedLength=length,
        valid=valid and 0 < length <= limit,
        permillage=math.floor((length / limit) * 1000),
        validRangeStart=0,
        validRangeEnd=_utf16(normalized[: valid_display + 1]) - 1 + shift,
        displayRangeStart=0,
        displayRangeEnd=max(_utf16(text) - 1, 0),
    )
