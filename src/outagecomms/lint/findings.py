"""What the linter reports: one :class:`Finding` per problem, and the rules it knows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outagecomms.templates import TemplateRef
    from outagecomms.yamlfile import YamlDocument


class Level(StrEnum):
    """``error`` blocks approval and makes ``lint`` exit 1; ``warning`` is shown only."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Level
    checks: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("cliche-apology", Level.ERROR, "generic apology phrases"),
        Rule("blame-shift", Level.ERROR, "blaming suppliers or third parties, 'not our fault'"),
        Rule("jargon", Level.ERROR, "internal technical terms and raw error codes (customers)"),
        Rule("over-promise", Level.ERROR, "exact short ETAs, 'guarantee', unconfirmed exact ETA"),
        Rule("shouting", Level.WARNING, "repeated ! or ?, words in capitals"),
        Rule("apology-count", Level.WARNING, "more than one apology in one message"),
        Rule("missing-ack", Level.ERROR, "an opening or update message that does not say so"),
        Rule("missing-impact", Level.ERROR, "an opening or update message without the impact"),
        Rule("missing-next-update", Level.ERROR, "an open-incident message without next update"),
        Rule("missing-resolution", Level.ERROR, "a resolved message not saying it is resolved"),
        Rule("flat-no", Level.WARNING, "a refusal with no alternative in the same message"),
        Rule("length", Level.ERROR, "too long for a channel with worst-case variable values"),
        Rule("present-tense", Level.WARNING, "a resolved/postmortem text quotes a present clause"),
    )
}
"""The tone and length rules of the communication guide; ``allow:`` names these ids."""

FILE_RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("schema", Level.ERROR, "invalid YAML or a runbook that does not validate"),
        Rule("allow", Level.ERROR, "an allow: entry naming an unknown rule (unused: warning)"),
        Rule("cadence", Level.WARNING, "an update cadence below 5 minutes"),
        Rule("lexicon", Level.WARNING, "a language without a lexicon: tone rules limited"),
        Rule(
            "channel-language", Level.WARNING, "an enabled channel in a language the runbook lacks"
        ),
        Rule("approval", Level.ERROR, "--require-approval: runbook not approved as it is"),
        Rule("unguarded-optional", Level.ERROR, "an optional variable with no default, unguarded"),
        Rule("routes", Level.ERROR, "routes.yaml: an unknown runbook, variable or channel"),
        Rule("components", Level.ERROR, "a component not in components.yaml, or a bad file"),
    )
}
"""Checks on whole files, which a message's ``allow:`` cannot silence."""


@dataclass(frozen=True)
class Finding:
    """One problem, with where it is (location fields stay ``None`` for ``--text``)."""

    rule: str
    severity: Level
    message: str
    excerpt: str | None = None
    file: str | None = None
    line: int | None = None
    runbook: str | None = None
    phase: str | None = None
    format: str | None = None
    lang: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Level.ERROR

    def at(self, **where: Any) -> Finding:
        return replace(self, **where)

    @property
    def where(self) -> str | None:
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
        }
        if self.file is not None:
            document.update(
                file=self.file,
                line=self.line,
                runbook=self.runbook,
                phase=self.phase,
                format=self.format,
            )
        document["lang"] = self.lang
        document["excerpt"] = self.excerpt
        return document


def finding(rule: str, message: str, excerpt: str | None = None) -> Finding:
    """A finding of ``rule`` at the rule's own severity."""
    known = RULES.get(rule) or FILE_RULES[rule]
    return Finding(rule, known.severity, message, excerpt)


@dataclass(frozen=True)
class Allowed:
    """A finding silenced by an ``allow:`` entry, with the reason the runbook gives."""

    finding: Finding
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {**self.finding.as_json(), "reason": self.reason}


@dataclass
class Report:
    """Everything one ``lint`` run found."""

    findings: list[Finding]
    allowed: list[Allowed]
    files: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "findings": [f.as_json() for f in self.findings],
            "allowed": [a.as_json() for a in self.allowed],
        }


def template_line(document: YamlDocument, ref: TemplateRef, line: int) -> int:
    """The file line of ``line`` of a template, also for ``{text: ..., allow: ...}``."""
    loc: tuple[str | int, ...] = ref.loc
    if ref.part == "text" and (*loc, "text") in document.lines:
        loc = (*loc, "text")
    key_line = document.line_of(loc)
    return key_line + line if "\n" in ref.source.rstrip("\n") else key_line
