"""X's URL finder walks twitter-text's TLDs as a trie: it finds exactly what the table's own
alternation finds, in every text of the conformance file and in texts made to tell them
apart (a TLD that is a prefix of another, case, non-Latin TLDs, punycode)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import yaml

from outagecomms import x_length
from tests.counting.test_twitter_conformance import VALIDATE

TRICKY = [
    "status.example.com/incidents/42 and example.co.uk.",
    "See https://status.example.com. Next update by 14:00 UTC.",
    "foo.community bar.com. baz.co, qux.company; x.comm y.c",
    "MIXED.CoM/Path?x=1 and UPPER.COMMUNITY and www.Example.ORG",
    "嘉里大酒店.嘉里 and www.嘉里大酒店 and test.嘉里大酒店x 例子.中国 例子.中國",
    "punycode: example.xn--p1ai and EXAMPLE.XN--P1AI/путь",
    "numbers 1.2.3 and v1.0.com and a.b.c.d.e.f.g.com",
    "onion: abc.onion, abc.onionx, abc.on",
    "trailing dots... and ...com and .com and com.",
    "",
]


@cache
def _table_patterns() -> Any:
    tables = x_length._tables()
    return x_length.url_patterns(tables["gtld"], tables["cctld"])


def _conformance_texts() -> list[str]:
    if not VALIDATE.is_file():
        return []
    tests = yaml.safe_load(VALIDATE.read_text(encoding="utf-8"))["tests"]
    return [case["text"] for cases in tests.values() for case in cases if "text" in case]


def _found(patterns: Any, text: str) -> list[Any]:
    return [
        [(m.span(), m.groups()) for m in patterns.extract.finditer(text)],
        [(m.span(), m.group(0)) for m in patterns.ascii_domain.finditer(text)],
    ]


@pytest.mark.parametrize("text", TRICKY)
def test_the_trie_finds_what_the_table_finds(text: str) -> None:
    assert _found(x_length._url_patterns(), text) == _found(_table_patterns(), text)


def test_the_trie_finds_what_the_table_finds_in_the_conformance_texts() -> None:
    texts = _conformance_texts()
    if not texts:
        pytest.skip("the shared conformance file is absent")
    ours, table = x_length._url_patterns(), _table_patterns()
    assert [_found(ours, t) for t in texts] == [_found(table, t) for t in texts]


@pytest.mark.parametrize("group", ["gtld", "cctld"])
def test_every_tld_comes_before_the_tlds_it_is_a_prefix_of(group: str) -> None:
    """What lets the trie try a longer TLD first, as the table's alternation does."""
    source = x_length._tables()[group]
    words = source[len("(?:(?:") : source.index(")(?=")].split("|")
    place = {word: index for index, word in enumerate(words)}
    assert not [
        (a, b) for a in words for b in words if b != a and b.startswith(a) and place[b] > place[a]
    ]


def test_a_group_of_another_shape_is_used_as_it_is() -> None:
    assert x_length.as_trie("(?:com|net)") == "(?:com|net)"
