"""Text from runbooks, values and the store, made safe for the reader it is shown to.

Values are checked where they come in (:mod:`outagecomms.inputs`); what is shown is made
safe again on the way out, whatever is already stored: on a terminal, control characters
appear as ``\\x1b``-style escapes and text holding bidirectional controls is isolated
(U+2068 … U+2069) so it cannot reorder what follows; in XML, characters XML 1.0 forbids
become U+FFFD; in HTML, control characters become U+FFFD and bidirectional text is put
in ``<bdi>`` (:mod:`outagecomms.site.html`).
"""

from __future__ import annotations

import re

from outagecomms.inputs import CONTROL_CHARACTERS

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Marks, embeddings, overrides and isolates of the Unicode bidirectional algorithm."""
FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
REPLACEMENT = "\ufffd"
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NON_NEWLINE_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def has_bidi_controls(text: str) -> bool:
    return BIDI_CONTROLS.search(text) is not None


def for_terminal(text: str) -> str:
    """``text`` for a terminal: controls (but newlines) as visible escapes, and each line
    holding bidirectional controls isolated."""
    text = _NON_NEWLINE_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    if not has_bidi_controls(text):
        return text
    return "\n".join(
        f"{FIRST_STRONG_ISOLATE}{line}{POP_DIRECTIONAL_ISOLATE}"
        if has_bidi_controls(line)
        else line
        for line in text.split("\n")
    )


def for_xml(text: str) -> str:
    """``text`` with every character XML 1.0 does not allow replaced by U+FFFD."""
    return _XML_FORBIDDEN.sub(REPLACEMENT, text)


def without_controls(text: str) -> str:
    """``text`` with C0/C1 controls (but newlines and tabs) replaced by U+FFFD, for HTML."""
    return CONTROL_CHARACTERS.sub(lambda m: m.group() if m.group() in "\n\t" else REPLACEMENT, text)
