"""The lint check that no blank reaches a customer (README "When things go wrong"): an
optional variable without a ``default`` printed outside ``{% if name %}`` is an error at its
``file:line``."""

from __future__ import annotations

from outagecomms.blanks import may_be_blank, unguarded_uses
from outagecomms.lint.findings import Finding, finding, template_line
from outagecomms.project import LoadedRunbook
from outagecomms.templates import iter_templates

RULE = "unguarded-optional"


def blank_findings(loaded: LoadedRunbook) -> list[Finding]:
    """One error per unguarded use of an optional variable that has no default."""
    runbook = loaded.runbook
    candidates = may_be_blank(runbook)
    found: list[Finding] = []
    for ref in iter_templates(runbook):
        for use in unguarded_uses(ref.source, candidates):
            found.append(
                finding(
                    RULE,
                    f"optional variable {use.name!r} has no default, so it is empty unless "
                    f"the on-call passes it and customers would read a blank here: guard it "
                    f"with {{% if {use.name} %}}...{{% endif %}} or give it a default",
                    "{{ " + use.name + " }}",
                ).at(
                    line=template_line(loaded.document, ref, use.line),
                    phase=ref.phase.value,
                    format=ref.format.value,
                    lang=ref.lang,
                )
            )
    return found
