"""``outagecomms lint``: every check on every runbook file, and on free-written text.

A broken file (bad YAML, schema errors, template errors) becomes ``schema`` findings with
``file:line`` instead of stopping the run, so one run lists every problem of every file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from outagecomms import validated_cache
from outagecomms.errors import ConfigError, OutagecommsError, UsageError
from outagecomms.lint.blanks import blank_findings
from outagecomms.lint.findings import RULES, Allowed, Finding, Level, Report, finding, template_line
from outagecomms.lint.lexicon import Lexicon, load_lexicon
from outagecomms.lint.proofs import message_variables, prove_runbook
from outagecomms.lint.rules import (
    NEXT_UPDATE_PHASES,
    OPENING_PHASES,
    MessageContext,
    check_text,
)
from outagecomms.lint.tense import present_tense_findings
from outagecomms.models import (
    Audience,
    Channel,
    Exception_,
    Format,
    LongMessage,
    Phase,
    Runbook,
    TextMessage,
    VariableKind,
)
from outagecomms.preview import example_values
from outagecomms.project import (
    LoadedRunbook,
    Project,
    keep_runbook,
    kept_runbook,
    runbook_problems,
    validation_problems,
    yaml_files,
)
from outagecomms.render_budget import RenderBudget
from outagecomms.settings import Settings, load_settings
from outagecomms.templates import (
    adopt_trees,
    default_facts,
    iter_templates,
    render_message,
    resolve_values,
    trees_of,
)
from outagecomms.templates import context as template_context
from outagecomms.templates import environment as template_environment
from outagecomms.yamlfile import YamlDocument, display_path, load_yaml

MIN_CADENCE = timedelta(minutes=5)
IMPACT_VARIABLE = "impact"
NEXT_UPDATE_VARIABLE = "next_update_at"
_PROBLEM = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<message>.*)$", re.DOTALL)
_ETA_NAME = re.compile(r"(?:^|_)(?:eta|estimate|estimated)(?:_|$)")

MessageKey = tuple[Phase, Format, str]
CHECKED_TEXTS = 4096
"""How many rendered texts' tone findings a linter keeps (see ``_tone_findings``)."""


def schema_finding(problem: str, *, runbook: str | None = None) -> Finding:
    """A ``file:line: what`` problem (from the loaders) as a ``schema`` finding."""
    match = _PROBLEM.match(problem)
    if match is None:
        return finding("schema", problem).at(file=problem.split(":", 1)[0], runbook=runbook)
    return finding("schema", match["message"]).at(
        file=match["file"], line=int(match["line"]), runbook=runbook
    )


@dataclass
class RunbookLint:
    """The findings of one runbook file."""

    file: str
    runbook: str | None
    findings: list[Finding] = field(default_factory=list)
    allowed: list[Allowed] = field(default_factory=list)
    loaded: LoadedRunbook | None = None


def message_allows(runbook: Runbook) -> dict[MessageKey, list[tuple[int, Exception_]]]:
    """Each message's ``allow:`` entries with their index."""
    allows: dict[MessageKey, list[tuple[int, Exception_]]] = {}
    for phase, formats in runbook.messages.items():
        for lang, long in formats.long.items():
            allows[(phase, Format.LONG, lang)] = list(enumerate(long.allow))
        for fmt, mapping in ((Format.CHAT, formats.chat), (Format.SHORT, formats.short)):
            for lang, message in mapping.items():
                if isinstance(message, TextMessage):
                    allows[(phase, fmt, lang)] = list(enumerate(message.allow))
    return allows


def message_loc(phase: Phase, fmt: Format, lang: str) -> tuple[str, ...]:
    return ("messages", phase.value, fmt.value, lang)


def _sources(runbook: Runbook, key: MessageKey) -> list[tuple[str, str]]:
    """``(part, template source)`` of one message."""
    phase, fmt, lang = key
    formats = runbook.messages[phase]
    if fmt is Format.LONG:
        long: LongMessage = formats.long[lang]
        return [("subject", long.subject), ("body", long.body)]
    message = (formats.chat if fmt is Format.CHAT else formats.short)[lang]
    return [("text", message.text if isinstance(message, TextMessage) else message)]


def locate(loaded: LoadedRunbook, key: MessageKey, excerpt: str | None) -> int:
    """The file line of ``excerpt`` in the message's template, else of the message."""
    document = loaded.document
    phase, fmt, lang = key
    base = message_loc(*key)
    refs = {
        (ref.phase, ref.format, ref.lang, ref.part): ref for ref in iter_templates(loaded.runbook)
    }
    for part, source in _sources(loaded.runbook, key):
        ref = refs.get((phase, fmt, lang, part))
        if ref is None or not excerpt:
            continue
        offset = source.find(excerpt.rstrip("…"))
        if offset >= 0:
            return template_line(document, ref, source[:offset].count("\n") + 1)
    first_part = ("subject",) if fmt is Format.LONG else ()
    return document.line_of((*base, *first_part))


def _example_values(runbook: Runbook, lang: str) -> dict[str, str]:
    given = example_values(runbook, {})
    for name, spec in runbook.variables.items():
        if spec.required and name not in given and f"{name}.{lang}" not in given:
            given[name] = f"[{name}]"
    return resolve_values(runbook, given, lang)


def eta_findings(loaded: LoadedRunbook) -> list[Finding]:
    """An estimate variable that is free text and not confirmed invites an exact time."""
    found: list[Finding] = []
    for name, spec in loaded.runbook.variables.items():
        looks_like_eta = _ETA_NAME.search(name) or "estimate" in (spec.description or "").lower()
        if looks_like_eta and spec.kind is VariableKind.TEXT and not spec.confirmed:
            found.append(
                finding(
                    "over-promise",
                    f"variable {name!r} is an estimate but free text; make it kind: range "
                    "('2-4 hours'), or mark it confirmed: true if only confirmed times go in",
                ).at(line=loaded.document.line_of(("variables", name)))
            )
    return found


def structure_findings(
    runbook: Runbook, key: MessageKey, used: set[str], excerpt: str
) -> list[Finding]:
    """The template of an open-incident message must use the impact and next-update values."""
    phase = key[0]
    found: list[Finding] = []
    if phase in OPENING_PHASES and IMPACT_VARIABLE not in used:
        fix = (
            "use {{ impact }} in it"
            if IMPACT_VARIABLE in runbook.variables
            else "declare an impact variable (what customers experience) and use {{ impact }}"
        )
        found.append(
            finding("missing-impact", f"the message does not carry the impact; {fix}", excerpt)
        )
    if phase in NEXT_UPDATE_PHASES and NEXT_UPDATE_VARIABLE not in used:
        found.append(
            finding(
                "missing-next-update",
                "the message does not say when the next update comes; use "
                "{{ next_update_at }} ('Next update by {{ next_update_at }}')",
                excerpt,
            )
        )
    return found


class RunbookLinter:
    """Lints runbooks of one project (its settings, lexicons and channels)."""

    def __init__(
        self,
        settings: Settings,
        *,
        project_root: Path | None = None,
        channels: Sequence[Channel] = (),
        now: datetime | None = None,
    ) -> None:
        self.settings = settings
        self.project_root = project_root
        self.channels = list(channels)
        self.now = now or datetime.now(UTC)
        self._lexicons: dict[str, Lexicon] = {}
        self._checked: dict[tuple[str, str, Phase], list[Finding]] = {}

    def lexicon(self, lang: str) -> Lexicon:
        found = self._lexicons.get(lang)
        if found is None:
            found = self._lexicons[lang] = load_lexicon(lang, self.project_root)
        return found

    def lint_file(self, path: Path) -> RunbookLint:
        result = RunbookLint(display_path(path), path.stem)
        try:
            raw: bytes | None = path.read_bytes()
        except OSError:
            raw = None  # load_yaml says why
        loaded = self._loaded(path, raw, result)
        if loaded is None:
            return result
        sound = raw if result.loaded is not None else None  # no problem: its trees are kept
        trees_kept = sound is not None and self._adopt_kept_trees(path, sound)
        findings, allowed = self.lint_runbook(loaded)
        if sound is not None and not trees_kept:
            self._keep_trees(path, sound, loaded.runbook)
        result.findings += findings
        result.allowed += allowed
        return result

    def _loaded(self, path: Path, raw: bytes | None, result: RunbookLint) -> LoadedRunbook | None:
        """The runbook at ``path`` with its schema and template problems in ``result``
        (None when it does not validate). One an earlier process checked without a problem
        is taken as it was kept (:mod:`outagecomms.validated_cache`), unparsed."""
        limits = self.settings.limits
        if raw is not None:
            kept = kept_runbook(path, raw, limits)
            if kept is not None:
                result.runbook = kept.id
                result.loaded = kept
                return kept
        try:
            document = load_yaml(path, limits)
        except ConfigError as exc:
            result.findings.append(schema_finding(str(exc), runbook=path.stem))
            return None
        runbook = self._validate(document, result)
        if runbook is None:
            return None
        result.runbook = runbook.id
        problems = runbook_problems(runbook, document)
        result.findings += [schema_finding(p, runbook=runbook.id) for p in problems]
        loaded = LoadedRunbook(runbook, document)
        if not problems:
            result.loaded = loaded
            if raw is not None:
                keep_runbook(path, raw, limits, loaded)
        return loaded

    def _adopt_kept_trees(self, path: Path, raw: bytes) -> bool:
        """Hand the template trees an earlier lint of these bytes parsed to the parser
        (False when none were kept)."""
        limits = self.settings.limits
        trees = validated_cache.kept("trees", path, raw, limits, dict, _shared())
        adopt_trees(trees or {})
        return trees is not None

    def _keep_trees(self, path: Path, raw: bytes, runbook: Runbook) -> None:
        """Keep the template trees this lint parsed, for the next lint of the same bytes."""
        trees = trees_of(runbook)
        validated_cache.keep("trees", path, raw, self.settings.limits, trees, _shared())

    def _validate(self, document: YamlDocument, result: RunbookLint) -> Runbook | None:
        if not isinstance(document.data, dict):
            result.findings.append(
                schema_finding(f"{document.where()}: expected a mapping of keys")
            )
            return None
        try:
            return Runbook.model_validate(document.data, context={"limits": self.settings.limits})
        except ValidationError as exc:
            result.findings += [
                schema_finding(p, runbook=result.runbook)
                for p in validation_problems(exc, document)
            ]
            return None

    def lint_runbook(self, loaded: LoadedRunbook) -> tuple[list[Finding], list[Allowed]]:
        """Every rule on one validated runbook; ``allow:`` applied."""
        runbook = loaded.runbook
        document = loaded.document
        file_findings: list[Finding] = []
        per_message: list[tuple[MessageKey, Finding]] = []
        for severity, interval in runbook.cadence.items():
            if interval < MIN_CADENCE:
                file_findings.append(
                    finding(
                        "cadence",
                        f"{severity.value} updates every {int(interval.total_seconds())}s; "
                        "below 5 minutes is for tests and demos only",
                    ).at(line=document.line_of(("cadence", severity.value)))
                )
        file_findings += eta_findings(loaded)
        file_findings += blank_findings(loaded)
        for lang in runbook.languages:
            if not self.lexicon(lang).known:
                file_findings.append(
                    finding(
                        "lexicon",
                        f"no lexicon for {lang!r}; only language-independent checks run; add "
                        f"lexicons/{lang}.yaml",
                    ).at(line=document.line_of(("languages",)), lang=lang)
                )
        used = message_variables(runbook)
        contexts: dict[tuple[str, Phase], dict[str, Any]] = {}
        for key in sorted(used):
            found = self._message_findings(loaded, key, used[key], contexts)
            per_message += [(key, f) for f in found]
        per_message += present_tense_findings(
            runbook, lambda ref, line: template_line(document, ref, line)
        )
        proofs = prove_runbook(
            runbook,
            status_url=self.settings.status_url,
            sender=self.settings.sender,
            timezone=self.settings.timezone,
            channels=self.channels,
            budget=RenderBudget.of(self.settings.limits),
        )
        for proof in proofs:
            if proof.phase is None:
                file_findings.append(proof.at(line=document.line_of(("variables",))))
            else:
                key = (Phase(proof.phase), Format(proof.format or "long"), proof.lang or "")
                per_message.append((key, proof))
        findings, allowed = self._apply_allows(loaded, per_message)
        findings = file_findings + findings
        base = {"file": display_path(document.path), "runbook": runbook.id}
        located = [f.at(**base, line=f.line or document.line_of(("messages",))) for f in findings]
        return located, [Allowed(a.finding.at(**base), a.reason) for a in allowed]

    def _example_context(self, runbook: Runbook, lang: str, phase: Phase) -> dict[str, Any]:
        """What a message of ``phase`` in ``lang`` renders with: the example values."""
        values = _example_values(runbook, lang)
        facts = default_facts(
            runbook,
            now=self.now,
            status_url=self.settings.status_url,
            sender=self.settings.sender,
        )
        return template_context(
            runbook,
            facts,
            values,
            lang=lang,
            zone=ZoneInfo(self.settings.timezone),
            phase=phase,
        )

    def _message_findings(
        self,
        loaded: LoadedRunbook,
        key: MessageKey,
        used: set[str],
        contexts: dict[tuple[str, Phase], dict[str, Any]],
    ) -> list[Finding]:
        """The tone and structure findings of one message. ``contexts``: the runbook's
        example contexts so far, per language and phase (its formats render with the same)."""
        runbook = loaded.runbook
        phase, fmt, lang = key
        if lang not in runbook.languages:
            return []
        try:
            ctx = contexts.get((lang, phase))
            if ctx is None:
                ctx = contexts[(lang, phase)] = self._example_context(runbook, lang, phase)
            rendered = render_message(
                runbook, phase, fmt, lang, ctx, RenderBudget.of(self.settings.limits)
            )
        except OutagecommsError as exc:
            return [finding("schema", f"cannot render with the example values: {exc}")]
        text = rendered.folded()
        found = list(self._tone_findings(text, lang, phase))
        beginning = " ".join(text.split())[:60]
        found += [f.at(lang=lang) for f in structure_findings(runbook, key, used, beginning)]
        return found

    def _tone_findings(self, text: str, lang: str, phase: Phase) -> list[Finding]:
        """The tone rules on one rendered text; a text this linter checked before (many
        messages of a project render the same) is not checked again."""
        key = (text, lang, phase)
        found = self._checked.get(key)
        if found is None:
            context = MessageContext(
                lang,
                Audience.CUSTOMERS,
                phase,
                lexical_structure=False,
                glossary=tuple(self.settings.glossary),
            )
            found = check_text(text, self.lexicon(lang), context)
            if len(self._checked) >= CHECKED_TEXTS:
                self._checked.clear()
            self._checked[key] = found
        return found

    def _apply_allows(
        self, loaded: LoadedRunbook, per_message: Iterable[tuple[MessageKey, Finding]]
    ) -> tuple[list[Finding], list[Allowed]]:
        allows = message_allows(loaded.runbook)
        document = loaded.document
        findings: list[Finding] = []
        allowed: list[Allowed] = []
        used_allows: set[tuple[MessageKey, int]] = set()
        for key, item in per_message:
            phase, fmt, lang = key
            line = item.line or locate(loaded, key, item.excerpt)
            placed = item.at(line=line, phase=phase.value, format=fmt.value, lang=lang)
            match = next(((i, e) for i, e in allows.get(key, []) if e.rule == item.rule), None)
            if match is None:
                findings.append(placed)
            else:
                used_allows.add((key, match[0]))
                allowed.append(Allowed(placed, match[1].reason))
        for key, entries in sorted(allows.items()):
            for index, entry in entries:
                loc: tuple[str | int, ...] = (*message_loc(*key), "allow", index)
                where = {
                    "line": document.line_of(loc),
                    "phase": key[0].value,
                    "format": key[1].value,
                    "lang": key[2],
                }
                if entry.rule not in RULES:
                    findings.append(
                        finding(
                            "allow",
                            f"allow: {entry.rule!r} is not a rule; use one of: " + ", ".join(RULES),
                        ).at(**where)
                    )
                elif (key, index) not in used_allows:
                    findings.append(
                        Finding(
                            "allow",
                            Level.WARNING,
                            f"allow: {entry.rule} silences nothing in this message; remove it",
                        ).at(**where)
                    )
        return findings, allowed


def runbook_files(project: Project, paths: Sequence[Path]) -> list[Path]:
    """The runbook files ``paths`` name (directories: their ``*.yaml``), or the project's."""
    if not paths:
        return project.runbook_paths()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += yaml_files(path)
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    return files


def _channels(project: Project) -> tuple[list[Channel], list[Finding]]:
    """The channels the length proofs use, and a finding per problem of each broken
    channel file (one broken file does not hide the others, nor the valid channels)."""
    findings: list[Finding] = []
    for exc in project.broken_channels().values():
        problems = getattr(exc, "problems", None) or [str(exc)]
        findings += [schema_finding(p) for p in problems]
    return [c.channel for c in project.usable_channels().values()], findings


def add_channel_language_findings(
    results: Sequence[RunbookLint], channels: Sequence[Channel], default_language: str
) -> None:
    from outagecomms.lint.channel_languages import channel_language_findings

    for result in results:
        if result.loaded is not None:
            result.findings += channel_language_findings(result.loaded, channels, default_language)


def _shared() -> dict[str, object]:
    """What a kept template tree refers to by name: this process's Jinja environment."""
    return {"runbook-environment": template_environment()}


ApprovalCheck = Callable[[Project, LoadedRunbook], list[Finding]]
"""Findings about a runbook's approval (see ``approvals.approval_findings``)."""


def lint_paths(
    project: Project,
    paths: Sequence[Path] = (),
    *,
    now: datetime | None = None,
    approval: ApprovalCheck | None = None,
) -> tuple[Report, list[RunbookLint]]:
    """Lint runbook files (default: the project's ``runbooks/``).

    ``approval`` (``lint --require-approval`` passes ``approvals.approval_findings``) adds
    findings per runbook; it is injected so the linter does not import the approvals module,
    which imports the linter.
    """
    channels, channel_findings = _channels(project)
    linter = RunbookLinter(project.settings, project_root=project.root, channels=channels, now=now)
    results = [linter.lint_file(path) for path in runbook_files(project, paths)]
    add_channel_language_findings(results, channels, project.settings.default_language)
    if approval is not None:
        for result in results:
            if result.loaded is not None:
                result.findings += approval(project, result.loaded)
    findings = channel_findings + [f for r in results for f in r.findings]
    findings += component_findings(project, results)
    if not paths:
        findings += routes_findings(project)
    allowed = [a for r in results for a in r.allowed]
    return Report(findings, allowed, files=len(results)), results


def component_findings(project: Project, results: Sequence[RunbookLint]) -> list[Finding]:
    """``components.yaml``'s problems, and each component a runbook names that it lacks."""
    from outagecomms.lint.components import component_findings as found

    return found(project, [r.loaded for r in results if r.loaded is not None])


def routes_findings(project: Project) -> list[Finding]:
    """``routes.yaml`` (when the project has one; README "Alert intake: routes.yaml") as
    ``routes`` findings."""
    if not (project.root / "routes.yaml").is_file():  # service.routes_file.ROUTES_FILE
        return []  # and the service's route checker is not imported
    from outagecomms.service.route_check import check_project

    located = [schema_finding(problem) for problem in check_project(project)]
    return [finding("routes", f.message).at(file=f.file, line=f.line) for f in located]


def lint_text(
    text: str,
    lang: str,
    *,
    audience: Audience = Audience.CUSTOMERS,
    phase: Phase | None = None,
    project_root: Path | None = None,
) -> Report:
    """The tone rules on one free-written message (no location fields)."""
    if not text.strip():
        raise UsageError("the text to lint is empty; pass TEXT or pipe it with --text -")
    lexicon = load_lexicon(lang, project_root)
    glossary = tuple(load_settings(project_root).glossary) if project_root is not None else ()
    context = MessageContext(lang, audience, phase, glossary=glossary)
    findings = check_text(text, lexicon, context)
    if not lexicon.known:
        findings.insert(
            0,
            finding("lexicon", f"no lexicon for {lang!r}; only language-independent checks ran").at(
                lang=lang
            ),
        )
    return Report(findings, [], files=0)
