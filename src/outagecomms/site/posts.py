"""The page shows posts, not emails: a message's long text without the email's greeting
and sign-off (README "Status page").

- the greeting: the first paragraph when it is one short line (at most four words) that
  ends in ``,``, ``،``, ``!`` or ``:`` ("Hello,", "سلام،", "Добрий день!", "Labdien!");
- the sign-off: the last paragraph when its last line is the project's ``sender`` in any
  language (with the lines above it, at most three in all: "Alex Morgan / The Support
  Team").

Nothing else changes, and a text that is only a greeting or a signature is left whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
_GREETING_ENDS = (",", "،", "!", ":")
GREETING_MAX_WORDS = 4
SIGN_OFF_MAX_LINES = 3


def signatures(sender: str | dict[str, str]) -> frozenset[str]:
    """Every text the setting ``sender`` signs with."""
    texts = [sender] if isinstance(sender, str) else list(sender.values())
    return frozenset(t.strip() for t in texts if t.strip())


def is_greeting(paragraph: str) -> bool:
    text = paragraph.strip()
    return (
        "\n" not in text
        and text.endswith(_GREETING_ENDS)
        and len(text.split()) <= GREETING_MAX_WORDS
    )


def is_sign_off(paragraph: str, signed: frozenset[str]) -> bool:
    lines = [line.strip() for line in paragraph.strip().splitlines()]
    return bool(lines) and len(lines) <= SIGN_OFF_MAX_LINES and lines[-1] in signed


def post_body(body: str, signed: Iterable[str]) -> str:
    """``body`` as the status page shows it: without greeting and sign-off."""
    names = frozenset(signed)
    paragraphs = [p for p in _PARAGRAPHS.split(body.strip()) if p.strip()]
    if len(paragraphs) > 1 and is_greeting(paragraphs[0]):
        paragraphs = paragraphs[1:]
    if len(paragraphs) > 1 and is_sign_off(paragraphs[-1], names):
        paragraphs = paragraphs[:-1]
    return "\n\n".join(paragraphs) if paragraphs else body
