"""The approver's gallery (``outagecomms preview RUNBOOK --html OUT``): every phase x
channel x language of a runbook drawn as the customer will see it (an email with its
sender and subject, a post with its counter, an SMS bubble with its segments, a chat
bubble, the status page entry), in one self-contained HTML file with no script.

Texts are the exact composed messages of :func:`outagecomms.preview.preview`, escaped.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from outagecomms.compose import Composed
from outagecomms.errors import ConfigError
from outagecomms.models import ChannelKind, Phase, localized
from outagecomms.preview import PreviewItem
from outagecomms.project import Project
from outagecomms.site.html import render, time_formatter
from outagecomms.site.labels import direction, labels

POST_KINDS = frozenset({ChannelKind.X, ChannelKind.MASTODON, ChannelKind.BLUESKY})
MAIL_KINDS = frozenset({ChannelKind.EMAIL, ChannelKind.WEBHOOK})


@dataclass(frozen=True)
class Card:
    """One message as drawn in the gallery."""

    phase: Phase
    composed: Composed
    sender: str

    @property
    def style(self) -> str:
        kind = self.composed.kind
        if kind in MAIL_KINDS:
            return "mail"
        if kind in POST_KINDS:
            return "post"
        if kind is ChannelKind.SMS:
            return "sms"
        if kind is ChannelKind.SITE:
            return "page"
        return "chat"

    @property
    def lang(self) -> str:
        return self.composed.lang

    @property
    def dir(self) -> str:
        return direction(self.composed.lang)

    @property
    def counter(self) -> str:
        """``123/280 weighted``, ``subject 45/78 chars``, ``2 segments · 140/201 ucs2``."""
        m = self.composed.measurement
        if m.limit is None:
            text = f"{m.length} {m.unit}, no limit"
        else:
            text = f"{m.length}/{m.limit} {m.unit}"
        if self.composed.kind is ChannelKind.EMAIL:
            text = f"subject {text}"
        if m.segments is not None:
            plural = "segment" if m.segments == 1 else "segments"
            allowed = f"/{m.max_segments}" if m.max_segments is not None else ""
            text = f"{m.segments}{allowed} {plural} · {text}"
        return text

    @property
    def fits(self) -> bool:
        return self.composed.measurement.fits


def gallery_html(
    project: Project, runbook_id: str, items: Sequence[PreviewItem], *, now: datetime | None = None
) -> str:
    runbook = project.runbook(runbook_id).runbook
    settings = project.settings
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    cards = [
        Card(
            item.phase,
            item.composed,
            localized(settings.sender, item.composed.lang, "en") or "",
        )
        for item in items
    ]
    phases = list(dict.fromkeys(card.phase for card in cards))
    lang = runbook.languages[0]
    return render(
        "gallery.html",
        runbook=runbook,
        title=runbook.title_in(lang),
        lang=lang,
        dir=direction(lang),
        phases=phases,
        cards=cards,
        too_long=[c for c in cards if not c.fits],
        status_url=settings.status_url,
        t=labels("en"),
        when=time_formatter("en", ZoneInfo("UTC"), moment),
        now=moment,
    )


def write_gallery(html: str, out: Path) -> Path:
    """Write the gallery to ``out`` (a ``.html`` file, or a directory that gets
    ``index.html``) atomically; returns the file written."""
    target = out if out.suffix.lower() in (".html", ".htm") else out / "index.html"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".gallery-", suffix=".html", dir=target.parent)
        staged = Path(name)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
        staged.chmod(0o644)
        staged.replace(target)
    except OSError as exc:
        raise ConfigError(f"cannot write the gallery to {target}: {exc.strerror or exc}") from None
    return target
