"""Messages in the on-call's own words, for what no runbook foresaw (``update --text``),
and corrections of the last message (``correct``).

The words are given once (one text, used for chat, as the email body under the runbook's
title, and fitted for short channels) or per format and language (a YAML file:
``chat: {en: ..., fa: ...}``, ``short: {...}``, ``long: {en: {subject, body}}``). The tool
adds the cadence promise ("Next update by 14:30 UTC") and the status page link, so nobody
types a time under stress, and the signature on email. Every customer text is checked with
the same tone rules as a runbook message, per channel format and language, and lint errors
refuse the message before anything is written. The words are data: never template code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import yaml

from outagecomms.compose import TITLED_KINDS, Composed
from outagecomms.counting import fit_text, measure_for_channel
from outagecomms.errors import FindingsError, UsageError
from outagecomms.fanout import ChannelText, channel_text, customer_names, incident_facts
from outagecomms.lint.findings import Finding
from outagecomms.lint.runner import lint_text
from outagecomms.localdates import LocalMoment
from outagecomms.models import Audience, Channel, ChannelKind, Format, Phase, Runbook, localized
from outagecomms.project import Project
from outagecomms.store.records import IncidentRecord
from outagecomms.templates import IncidentFacts

OWN_WORDS = "own-words"
"""The origin of a message in the on-call's own words."""
CORRECTION = "correction"
"""The origin of a correction."""

PROMISE_LONG = {
    "en": "Next update by {next} at {url}.",
    "fa": "به‌روزرسانی بعدی تا {next} در {url}.",
    "uk": "Наступне оновлення — до {next} на {url}.",
    "lv": "Nākamā ziņa vietnē {url}: {next} vai agrāk.",
}
PROMISE_SHORT = {
    "en": "Next update by {next}. {url}",
    "fa": "به‌روزرسانی بعدی تا {next}. {url}",
    "uk": "Наступне оновлення — до {next}. {url}",
    "lv": "Nākamā ziņa: {next} vai agrāk. {url}",
}
CORRECTION_DEFAULT = {
    "en": "Correction: our previous message about this incident was not right; please "
    "disregard it.",
    "fa": "اصلاحیه: پیام قبلی ما درباره این اختلال درست نبود؛ لطفاً آن را نادیده بگیرید.",
    "uk": "Виправлення: наше попереднє повідомлення про цей збій було неточним; будь ласка, "
    "не зважайте на нього.",
    "lv": "Labojums: mūsu iepriekšējā ziņa par šiem traucējumiem nebija pareiza; lūdzu, "
    "neņemiet to vērā.",
}
CORRECTION_SUBJECT = {"en": "Correction", "fa": "اصلاحیه", "uk": "Виправлення", "lv": "Labojums"}
_FORMATS = {f.value for f in Format}


@dataclass(frozen=True)
class LongText:
    subject: str | None
    body: str


Words = Mapping[str, Mapping[Format, "str | LongText"]]
"""language -> format -> text."""


def _clean(text: str, where: str) -> str:
    text = text.strip()
    if not text:
        raise UsageError(f"{where} is empty; write what customers should be told")
    return text


def words_from_text(text: str, lang: str) -> dict[str, dict[Format, str | LongText]]:
    """One text in one language: the chat text, and the base of the other formats."""
    return {lang: {Format.CHAT: _clean(text, "--text")}}


def words_from_file(path: Path, lang: str) -> dict[str, dict[Format, str | LongText]]:
    """A plain text file (one text in ``lang``), or YAML by format and language."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--text-file {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError:
        data = None
    if not (isinstance(data, dict) and data and set(map(str, data)) <= _FORMATS):
        return {lang: {Format.CHAT: _clean(raw, f"--text-file {path}")}}
    words: dict[str, dict[Format, str | LongText]] = {}
    for fmt_name, by_lang in data.items():
        fmt = Format(fmt_name)
        if not isinstance(by_lang, dict):
            raise UsageError(
                f"{path}: {fmt_name}: expected language -> text (e.g. {fmt_name}: {{en: '...'}})"
            )
        for code, value in by_lang.items():
            where = f"{path}: {fmt_name}.{code}"
            if fmt is Format.LONG and isinstance(value, dict):
                body = _clean(str(value.get("body") or ""), f"{where}.body")
                subject = str(value.get("subject") or "").strip() or None
                words.setdefault(str(code), {})[fmt] = LongText(subject, body)
            elif isinstance(value, str):
                words.setdefault(str(code), {})[fmt] = _clean(value, where)
            else:
                raise UsageError(f"{where}: expected a text (long: {{subject, body}})")
    return words


def _base(texts: Mapping[Format, str | LongText], fmt: Format) -> str | LongText:
    """The text given for ``fmt``, else the nearest given one (chat, then long, then short)."""
    for candidate in (fmt, Format.CHAT, Format.LONG, Format.SHORT):
        if candidate in texts:
            return texts[candidate]
    raise AssertionError("a language without any text")  # pragma: no cover


@dataclass(frozen=True)
class OwnWords:
    """Words for one message that come from a person, not from a runbook."""

    words: Words
    reason: str
    origin: str = OWN_WORDS
    warnings: list[str] = field(default_factory=list, compare=False)
    _linted: set[tuple[str, str, str]] = field(default_factory=set, compare=False, repr=False)
    event_kind: ClassVar[str] = "message.own_words"

    def event_detail(self) -> dict[str, Any]:
        return {"reason": self.reason, "origin": self.origin, "languages": sorted(self.words)}

    def channel_texts(
        self,
        project: Project,
        incident: IncidentRecord,
        runbook: Runbook,
        phase: Phase,
        targets: Mapping[str, Channel],
        given: Mapping[str, str],
        actor: str,
        now: datetime,
    ) -> dict[str, ChannelText]:
        """Each channel's text; refuses a missing language or lint errors (nothing sent)."""
        facts = incident_facts(project, incident, now)
        first = next(iter(self.words))
        customers = customer_names(targets)
        missing = [
            f"{name} ({c.language})"
            for name, c in targets.items()
            if c.audience is Audience.CUSTOMERS and c.language not in self.words
        ]
        if missing:
            raise UsageError(
                f"no text in the language of {', '.join(missing)}; give one per language in "
                "--text-file (chat: {en: '...', fa: '...'}), or --lang for the one text"
            )
        texts: dict[str, ChannelText] = {}
        findings: list[tuple[str, Finding]] = []
        for name, channel in targets.items():
            lang = channel.language if channel.language in self.words else first
            composed = self._compose(runbook, channel, lang, facts.status_url, facts, now)
            if channel.audience is Audience.CUSTOMERS:
                findings += self._lint(project, composed, phase)
            note = f"Not a runbook message ({self.origin}): {self.reason}"
            texts[name] = channel_text(channel, composed, incident, phase, given, customers,
                                       actor, note=note)  # fmt: skip
        errors = [(where, f) for where, f in findings if f.is_error]
        self.warnings.extend(f"{where}: {f.rule}: {f.message}" for where, f in findings
                             if not f.is_error)  # fmt: skip
        if errors:
            shown = "; ".join(
                f"{where}: {f.rule}: {f.message}" + (f" ({f.excerpt!r})" if f.excerpt else "")
                for where, f in errors[:3]
            )
            more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            raise FindingsError(
                f"not sent: your words have {len(errors)} lint error(s): {shown}{more}; "
                "reword them (`outagecomms lint --text '...' --lang L` checks a text); "
                "nothing was written or sent"
            )
        return texts

    def _compose(
        self,
        runbook: Runbook,
        channel: Channel,
        lang: str,
        status_url: str,
        facts: IncidentFacts,
        now: datetime,
    ) -> Composed:
        fmt = channel.effective_format
        base = _base(self.words[lang], fmt)
        promise_long = promise_short = ""
        if facts.next_update_at is not None:
            moment = str(LocalMoment(facts.next_update_at, channel.zone, lang, now))
            promise_long = PROMISE_LONG.get(lang, PROMISE_LONG["en"]).format(
                next=moment, url=status_url
            )
            promise_short = PROMISE_SHORT.get(lang, PROMISE_SHORT["en"]).format(
                next=moment, url=status_url
            )
        text = base.body if isinstance(base, LongText) else base
        titled = channel.kind in TITLED_KINDS
        title: str | None = None
        if fmt is Format.LONG:
            subject = base.subject if isinstance(base, LongText) else None
            heading = runbook.title_in(lang)
            if self.origin == CORRECTION:
                heading = f"{CORRECTION_SUBJECT.get(lang, 'Correction')}: {heading}"
            subject = subject or heading
            sender = localized(facts.sender, lang, "en") or ""
            body = "\n\n".join(part for part in (text, promise_long, sender) if part)
            if titled:
                title = subject
            else:
                body = f"{subject}\n\n{body}"
        else:
            body = f"{text} {promise_short}".strip()
        measured = title if channel.kind is ChannelKind.EMAIL else body
        measurement = measure_for_channel(measured or "", channel)
        truncated = False
        if not measurement.fits and channel.kind is not ChannelKind.EMAIL:
            body = fit_text(body, channel, keep=promise_short or None)
            truncated = True
            measurement = measure_for_channel(body, channel)
        return Composed(
            channel=channel.name,
            kind=channel.kind,
            format=fmt,
            lang=lang,
            title=title,
            body=body,
            measurement=measurement,
            truncated=truncated,
        )

    def _lint(
        self, project: Project, composed: Composed, phase: Phase
    ) -> list[tuple[str, Finding]]:
        """The tone rules on one customer text; each distinct text is checked once."""
        key = (composed.format.value, composed.lang, composed.text)
        if key in self._linted:
            return []
        self._linted.add(key)
        where = f"{composed.format.value}/{composed.lang}"
        report = lint_text(composed.text, composed.lang, phase=phase, project_root=project.root)
        return [(where, f) for f in report.findings if f.rule != "lexicon"]


def correction_words(reason: str, given: Words | None = None) -> OwnWords:
    """The correction of the last message: the on-call's words if given, else the built-in
    short default in each language it exists in."""
    words: Words = given or {lang: {Format.CHAT: text} for lang, text in CORRECTION_DEFAULT.items()}
    return OwnWords(words, reason, origin=CORRECTION)
