"""The ``present-tense`` check: after the fix, no message quotes a clause that is true only
while the incident is open.

A variable declared ``tense: present`` ("sign-in fails after entering the password") reads
wrong in a ``resolved`` or ``postmortem`` message ("earlier: sign-in fails ..."). Those
phases quote a ``tense: past`` variable (``impact_past``) or say it without the clause.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import jinja2
from jinja2 import nodes

from outagecomms.lint.findings import Finding, finding
from outagecomms.models import Format, Phase, Runbook, Tense
from outagecomms.templates import CLOSING_PHASES, TemplateRef, iter_templates, parsed

MessageKey = tuple[Phase, Format, str]
LineOf = Callable[[TemplateRef, int], int]
"""The file line of a template's line (the runner knows how the YAML lays it out)."""


def _quoted(source: str) -> Iterator[tuple[str, int]]:
    """Each variable the template reads, with its template line (once per name)."""
    try:
        ast = parsed(source)
    except jinja2.TemplateSyntaxError:
        return  # reported as a schema finding
    seen: set[str] = set()
    for node in ast.find_all(nodes.Name):
        if node.ctx == "load" and node.name not in seen:
            seen.add(node.name)
            yield node.name, node.lineno


def present_tense_findings(runbook: Runbook, line_of: LineOf) -> list[tuple[MessageKey, Finding]]:
    """A warning per closing-phase message part that quotes a ``tense: present`` variable."""
    present = {name for name, spec in runbook.variables.items() if spec.tense is Tense.PRESENT}
    past = sorted(name for name, spec in runbook.variables.items() if spec.tense is Tense.PAST)
    found: list[tuple[MessageKey, Finding]] = []
    if not present:
        return found
    for ref in iter_templates(runbook):
        if ref.phase not in CLOSING_PHASES:
            continue
        for name, line in _quoted(ref.source):
            if name not in present:
                continue
            instead = (
                f"quote {', '.join(past)} (tense: past) instead"
                if past
                else f"declare a past form ({name}_past, tense: past, guarded with "
                f"{{% if {name}_past %}}) and quote it"
            )
            message = (
                f"the {ref.phase.value} message quotes {{{{ {name} }}}}, a present-tense clause "
                f"that is no longer true after the fix; {instead}, or say it without the clause"
            )
            key = (ref.phase, ref.format, ref.lang)
            item = finding("present-tense", message, f"{{{{ {name} }}}}")
            found.append((key, item.at(line=line_of(ref, line))))
    return found
