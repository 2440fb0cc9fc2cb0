"""Runbook templates: a sandboxed Jinja2 environment with strict undefined variables.

Values the on-call passes (``--var impact=...``) are data: they are inserted into the
rendered text and never parsed as template code.
"""

from __future__ import annotations

import copy
import difflib
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from types import CodeType
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from jinja2 import StrictUndefined, meta, nodes

from outagecomms import render_budget
from outagecomms.errors import UsageError
from outagecomms.jinja_cache import cached_code, generator_fingerprint
from outagecomms.localdates import LocalMoment, format_elapsed
from outagecomms.models import (
    Format,
    LocalizedText,
    LongMessage,
    Phase,
    Runbook,
    Severity,
    TextMessage,
    localized,
)
from outagecomms.moments import parse_iso_moment
from outagecomms.ranges import format_range, parse_range
from outagecomms.render_budget import (
    DEFAULT_BUDGET,
    BudgetedEnvironment,
    RenderBudget,
    RenderBudgetExceeded,
    render_within,
)
from outagecomms.vocabulary import MAINTENANCE_PHASES
from outagecomms.yamlfile import YamlDocument, dotted

BUILTINS: tuple[str, ...] = (
    "incident_id",
    "title",
    "severity",
    "started_at",
    "now",
    "next_update_at",
    "status_url",
    "elapsed",
    "sender",
)
CLOSING_PHASES = frozenset({Phase.RESOLVED, Phase.POSTMORTEM})
"""After these no further update is promised, so ``next_update_at`` is not available."""
UNPROMISED_PHASES = CLOSING_PHASES | frozenset(MAINTENANCE_PHASES)
"""Phases without ``next_update_at``: the closing ones, and a maintenance window's notices
before it starts (nothing is promised until it is under way)."""


def _finalize(value: Any) -> Any:
    return "" if value is None else value


@cache
def environment() -> BudgetedEnvironment:
    return BudgetedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        finalize=_finalize,
    )


@dataclass(frozen=True)
class TemplateRef:
    """Where one template lives in a runbook."""

    phase: Phase
    format: Format
    lang: str
    part: str  # "subject", "body" or "text"
    source: str

    @property
    def loc(self) -> tuple[str, ...]:
        base = ("messages", self.phase.value, self.format.value, self.lang)
        return (*base, self.part) if self.format is Format.LONG else base


def iter_templates(runbook: Runbook) -> Iterator[TemplateRef]:
    for phase, formats in runbook.messages.items():
        for lang, long in formats.long.items():
            yield TemplateRef(phase, Format.LONG, lang, "subject", long.subject)
            yield TemplateRef(phase, Format.LONG, lang, "body", long.body)
        for fmt, mapping in ((Format.CHAT, formats.chat), (Format.SHORT, formats.short)):
            for lang, message in mapping.items():
                text = message.text if isinstance(message, TextMessage) else message
                yield TemplateRef(phase, fmt, lang, "text", text)


def source_line(document: YamlDocument, ref: TemplateRef, template_line: int) -> int:
    """The file line of line ``template_line`` of a template (block scalars start below)."""
    key_line = document.line_of(ref.loc)
    if "\n" in ref.source.rstrip("\n"):
        return key_line + template_line
    return key_line


def template_problems(runbook: Runbook, document: YamlDocument) -> list[str]:
    """Syntax errors and unknown variables, each ``file:line: field: what to fix``."""
    problems: list[str] = []
    declared = set(runbook.variables)
    for ref in iter_templates(runbook):
        field = dotted(ref.loc)
        try:
            parsed(ref.source)  # a syntax error is reported here
        except jinja2.TemplateSyntaxError as exc:
            line = source_line(document, ref, exc.lineno or 1)
            problems.append(
                f"{document.path}:{line}: {field}: template syntax error: {exc.message}"
            )
            continue
        available = declared | set(BUILTINS)
        if ref.phase in UNPROMISED_PHASES:
            available.discard("next_update_at")
        for name in sorted(variables_in(ref.source) - available):
            if name == "next_update_at" and ref.phase in CLOSING_PHASES:
                hint = "no update is promised after resolution; remove it"
            elif name == "next_update_at" and ref.phase in UNPROMISED_PHASES:
                hint = "no update is promised before a maintenance window starts; remove it"
            else:
                close = difflib.get_close_matches(name, sorted(available), n=1)
                hint = (
                    f"did you mean {close[0]!r}? " if close else ""
                ) + "declare it under variables: or fix the spelling"
            problems.append(
                f"{document.where(ref.loc)}: {field}: unknown variable {name!r}; {hint}"
            )
    return [_relative(p, document) for p in problems]


def _relative(problem: str, document: YamlDocument) -> str:
    where = document.where()
    prefix = where.rsplit(":", 1)[0]
    return problem.replace(str(document.path), prefix, 1)


@dataclass(frozen=True)
class IncidentFacts:
    """What the built-in variables are made of, before localisation."""

    incident_id: str
    severity: Severity
    started_at: datetime
    now: datetime
    next_update_at: datetime | None
    status_url: str
    sender: LocalizedText
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class Rendered:
    """One rendered message; ``subject`` only for the long format."""

    subject: str | None
    body: str

    def folded(self) -> str:
        """Subject and body as one text, for channels without a title."""
        return f"{self.subject}\n\n{self.body}" if self.subject else self.body


def resolve_values(runbook: Runbook, given: Mapping[str, str], lang: str) -> dict[str, str]:
    """The variables' values in ``lang``: ``name.lang`` overrides ``name``, then defaults.

    Unknown names, missing required values, values over ``max_length`` and malformed
    ranges are usage errors that name the fix.
    """
    known = runbook.variables
    for key in given:
        name = key.split(".", 1)[0]
        if name not in known:
            names = ", ".join(known) or "none"
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(
                f"--var {key}: runbook {runbook.id!r} has no variable {name!r}; "
                f"{hint}its variables are: {names}"
            )
        if "." in key and key.split(".", 1)[1] not in runbook.languages:
            raise UsageError(
                f"--var {key}: {key.split('.', 1)[1]!r} is not one of the runbook's "
                f"languages ({', '.join(runbook.languages)})"
            )
    values: dict[str, str] = {}
    for name, spec in known.items():
        raw = given.get(f"{name}.{lang}", given.get(name))
        if raw is None:
            default = spec.default
            if isinstance(default, dict):
                default = default.get(lang, default.get(runbook.languages[0]))
            raw = default
        if raw is None:
            if spec.required:
                example = spec.example if isinstance(spec.example, str) else None
                shown = f"'{example}'" if example else "'...'"
                raise UsageError(
                    f"variable {name!r} is required by runbook {runbook.id!r}; "
                    f"pass --var {name}={shown}"
                )
            values[name] = ""
            continue
        raw = raw.strip()
        if spec.max_length is not None and len(raw) > spec.max_length:
            raise UsageError(
                f"--var {name}: {len(raw)} characters, more than its max_length "
                f"{spec.max_length}; shorten it so every channel can carry it"
            )
        if spec.kind.value == "time" and raw:
            try:
                values[name] = parse_iso_moment(raw).isoformat()
            except ValueError as exc:
                raise UsageError(f"--var {name}: {exc}") from None
        elif spec.kind.value == "range" and raw:
            try:
                values[name] = format_range(parse_range(raw), lang)
            except ValueError as exc:
                raise UsageError(f"--var {name}: {exc}") from None
        else:
            values[name] = raw
    return values


def context(
    runbook: Runbook,
    facts: IncidentFacts,
    values: Mapping[str, str],
    *,
    lang: str,
    zone: ZoneInfo,
    phase: Phase,
) -> dict[str, Any]:
    """Every variable a template may use, localised for one channel."""
    ctx: dict[str, Any] = dict(values)
    for name, spec in runbook.variables.items():
        if spec.kind.value == "time" and values.get(name):
            ctx[name] = LocalMoment(parse_iso_moment(values[name]), zone, lang, facts.now)
    ctx.update(
        incident_id=facts.incident_id,
        title=runbook.title_in(lang),
        severity=facts.severity.value,
        started_at=LocalMoment(facts.started_at, zone, lang, facts.now),
        now=LocalMoment(facts.now, zone, lang, facts.now),
        status_url=facts.status_url,
        elapsed=format_elapsed((facts.resolved_at or facts.now) - facts.started_at, lang),
        sender=localized(facts.sender, lang, "en") or "",
    )
    if phase not in UNPROMISED_PHASES and facts.next_update_at is not None:
        ctx["next_update_at"] = LocalMoment(facts.next_update_at, zone, lang, facts.now)
    return ctx


_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def tidy(text: str) -> str:
    """Trailing spaces and the blank lines an optional block leaves behind go."""
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


@lru_cache(maxsize=4096)
def parsed(source: str) -> nodes.Template:
    """The syntax tree of ``source``, parsed once per process (lint reads each template
    several times: its variables, its blanks, its tense...), or the one an earlier process
    parsed when it was handed over (:func:`adopt_trees`). Never mutate it: compiling
    (:func:`compiled`) parses a copy of its own, which the sandbox rewrites."""
    tree = _ADOPTED.pop(source, None)
    return tree if tree is not None else environment().parse(source)


_ADOPTED: dict[str, nodes.Template] = {}


def adopt_trees(trees: Mapping[str, nodes.Template]) -> None:
    """Trees of sources an earlier process parsed (kept by ``lint``), for :func:`parsed` to
    take instead of parsing them again."""
    _ADOPTED.update(trees)


def trees_of(runbook: Runbook) -> dict[str, nodes.Template]:
    """Every template of ``runbook`` that parses, by its source, as :func:`parsed` has it."""
    trees: dict[str, nodes.Template] = {}
    for ref in iter_templates(runbook):
        with suppress(jinja2.TemplateSyntaxError):
            trees[ref.source] = parsed(ref.source)
    return trees


PLAIN_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr,
    nodes.Getitem, nodes.Const, nodes.If, nodes.Filter, nodes.Test, nodes.Not, nodes.And,
    nodes.Or, nodes.Compare, nodes.Operand, nodes.Concat, nodes.CondExpr, nodes.Call,
    nodes.Keyword, nodes.List, nodes.Tuple,
)  # fmt: skip
"""Nodes that bind no name: in a template of only these, every name it loads is one it reads
from the context (no ``for``, ``set``, ``with``, ``macro``, ``import``, block...)."""


@lru_cache(maxsize=8192)
def variables_in(source: str) -> frozenset[str]:
    """The variables ``source`` reads, kept per source. A template that binds no name of its
    own reads every name it loads (a walk of its tree); any other is left to Jinja, which
    finds them by running its whole code generator."""
    tree = parsed(source)
    if all(isinstance(node, PLAIN_NODES) for node in _walk(tree)):
        return frozenset(n.name for n in tree.find_all(nodes.Name) if n.ctx == "load")
    return frozenset(meta.find_undeclared_variables(tree))


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


@lru_cache(maxsize=4096)
def compiled(source: str) -> jinja2.Template:
    """Templates are compiled once per process; runbooks render many times (proofs, fan-out).
    Their code is kept between processes (:mod:`outagecomms.jinja_cache`), else generated
    from a copy of the tree :func:`parsed` keeps (the sandbox and Jinja's optimizer rewrite
    the tree they compile), not from a second parse."""
    env = environment()
    code = cached_code(env, _code_kind(), source, lambda: _compile(env, source))
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def _compile(env: BudgetedEnvironment, source: str) -> CodeType:
    tree = copy.deepcopy(parsed(source), {id(env): env})
    code: CodeType = env.compile(tree)
    return code


@cache
def _code_kind() -> str:
    """The cache entries of runbook templates: the sandbox's code generator (this module's
    environment and :mod:`outagecomms.render_budget`) in its current version."""
    return "runbook:" + generator_fingerprint([render_budget, sys.modules[__name__]])


def render_source(
    source: str, ctx: Mapping[str, Any], budget: RenderBudget = DEFAULT_BUDGET
) -> str:
    """One template, rendered within ``budget`` (time and output size)."""
    try:
        return tidy(render_within(compiled(source), ctx, budget))
    except jinja2.UndefinedError as exc:
        raise UsageError(f"template uses an undefined value: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise UsageError(f"template error: {exc}") from None


def render_message(
    runbook: Runbook,
    phase: Phase,
    fmt: Format,
    lang: str,
    ctx: Mapping[str, Any],
    budget: RenderBudget = DEFAULT_BUDGET,
) -> Rendered:
    """Render one phase in one format and language, each template within ``budget``."""
    try:
        return _render_message(runbook, phase, fmt, lang, ctx, budget)
    except RenderBudgetExceeded as exc:
        where = f"messages.{phase.value}.{fmt.value}.{lang}"
        raise RenderBudgetExceeded(f"runbook {runbook.id!r}: {where}: {exc.message}") from None


def _render_message(
    runbook: Runbook,
    phase: Phase,
    fmt: Format,
    lang: str,
    ctx: Mapping[str, Any],
    budget: RenderBudget,
) -> Rendered:
    formats = runbook.messages.get(phase)
    if formats is None:
        raise UsageError(
            f"runbook {runbook.id!r} has no {phase.value!r} messages; "
            f"its phases are: {', '.join(p.value for p in runbook.messages)}"
        )
    if fmt is Format.LONG:
        long: LongMessage | None = formats.long.get(lang)
        if long is None:
            raise UsageError(f"runbook {runbook.id!r} has no {lang!r} text")
        subject = render_source(long.subject, ctx, budget).replace("\n", " ")
        return Rendered(subject, render_source(long.body, ctx, budget))
    mapping = formats.chat if fmt is Format.CHAT else formats.short
    message = mapping.get(lang)
    if message is None:
        raise UsageError(f"runbook {runbook.id!r} has no {lang!r} text")
    text = message.text if isinstance(message, TextMessage) else message
    return Rendered(None, render_source(text, ctx, budget))


def default_facts(
    runbook: Runbook,
    *,
    now: datetime,
    status_url: str,
    sender: LocalizedText,
    severity: Severity | None = None,
    incident_id: str = "INC-42",
) -> IncidentFacts:
    """Plausible facts for a preview: started 25 minutes ago, next update at the cadence."""
    chosen = severity or runbook.severity
    return IncidentFacts(
        incident_id=incident_id,
        severity=chosen,
        started_at=now - timedelta(minutes=25),
        now=now,
        next_update_at=now + runbook.cadence_for(chosen),
        status_url=status_url,
        sender=sender,
    )
