"""The HTML side of the site and the gallery: one Jinja2 environment with autoescaping on
(message texts are data, never markup), and the few helpers its templates use.

This environment is not the runbooks' sandbox: it renders only the package's own
templates, and every text from a runbook, a variable or the store reaches it as a value
that is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape

from outagecomms.display import has_bidi_controls, without_controls
from outagecomms.jinja_cache import bytecode_cache
from outagecomms.localdates import LocalMoment

_URL = re.compile(r"https?://[^\s<>\"'«»]+")
_TRAILING = ".,;:!?)]}»’”'\""
_PARAGRAPHS = re.compile(r"\n\s*\n")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("outagecomms.site", "templates"),
        bytecode_cache=bytecode_cache(),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["linkify"] = linkify
    env.filters["bdi"] = isolate
    env.finalize = _printable
    return env


def _printable(value: Any) -> Any:
    """Every value a template prints: control characters become U+FFFD (escaping makes
    text inert, but a control character still garbles what a reader sees)."""
    if isinstance(value, Markup):
        return Markup(without_controls(str(value)))
    return without_controls(value) if isinstance(value, str) else value


def isolate(text: str) -> Markup:
    """``text`` escaped, inside ``<bdi>`` when it holds bidirectional controls (an
    unbalanced U+202E then cannot reverse the page around it)."""
    escaped = escape(without_controls(text))
    return Markup("<bdi>{}</bdi>").format(escaped) if has_bidi_controls(text) else escaped


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def linkify(text: str) -> Markup:
    """``text`` escaped, with its http(s) URLs as links (nothing else becomes markup)."""
    out: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        start, end = match.start(), match.start() + len(url)
        out.append(str(escape(text[position:start])))
        out.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        position = end
    out.append(str(escape(text[position:])))
    joined = Markup("".join(out))
    return Markup("<bdi>{}</bdi>").format(joined) if has_bidi_controls(text) else joined


def paragraphs(text: str) -> Markup:
    """A plain text as ``<p>`` paragraphs (blank lines) with ``<br>`` for single newlines."""
    parts = [p.strip() for p in _PARAGRAPHS.split(text.strip()) if p.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(linkify(line) for line in p.split("\n")))
        for p in parts
    )


def time_formatter(lang: str, zone: ZoneInfo, now: datetime) -> Callable[[datetime | None], Markup]:
    """``when(moment)``: a ``<time>`` element with the ISO instant, shown in the site's time
    zone and language (date, time and zone; Persian in its calendar and digits)."""

    def when(moment: datetime | None) -> Markup:
        if moment is None:
            return Markup("")
        local = LocalMoment(moment, zone, lang, now)
        iso = moment.astimezone(UTC).isoformat()
        return Markup('<time datetime="{}">{}</time>').format(iso, local.full)

    return when
