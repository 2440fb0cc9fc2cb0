"""Our own X counter: no twitter-text import, the same URLs twitter-text finds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from twitter_text import extract_urls_with_indices

from outagecomms.x_length import emoji_spans, url_spans

VALIDATE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "conformance"
    / "twitter-text-validate.yml"
)


def _url_texts() -> list[str]:
    if not VALIDATE.is_file():
        return []
    tests = yaml.safe_load(VALIDATE.read_text(encoding="utf-8"))["tests"]
    return [case["text"] for section in ("urls", "urls_without_protocol", "tweets")
            for case in tests.get(section, [])]  # fmt: skip


EXTRA = [
    "Status: https://status.example.com/incidents/INC-7 (updates every 30 min)",
    "see status.example.com/a?b=c, or t.co/abc and http://t.co/" + "x" * 45,
    "日本語.example.com/path and foo.co.jpx, http://[::1]/",
]


@pytest.mark.parametrize("text", _url_texts() + EXTRA)
def test_url_spans_are_the_ones_twitter_text_finds(text: str) -> None:
    for protocol_only in (False, True):
        expected = extract_urls_with_indices(text, not protocol_only)
        assert url_spans(text, with_protocol_only=protocol_only) == [
            tuple(url["indices"]) for url in expected
        ]


def test_an_emoji_sequence_is_one_emoji() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert emoji_spans(f"a{family}b\U0001f600") == [(1, 6), (7, 8)]


def test_counting_for_x_imports_no_twitter_text() -> None:
    code = (
        "import sys\n"
        "from outagecomms.counting import measure\n"
        "from outagecomms.models import ChannelKind\n"
        "assert measure('Hi https://example.com \U0001f600', ChannelKind.X).length == 29\n"
        "print('twitter_text' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
