"""No blank reaches a customer (README "When things go wrong"): where a template prints a
variable that may be empty without a guard.

A use of ``{{ eta }}`` is guarded inside ``{% if eta %}...{% endif %}`` (or an ``elif``
testing it), in the ``then`` part of ``{{ x if eta else y }}``, as the left side of
``{{ eta or '...' }}``, and under ``|default('...', true)``. ``lint`` flags an optional
variable without a default used anywhere else; sending refuses a message whose variable is
empty where it is printed unguarded (:func:`check_no_blanks`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import nodes

from outagecomms.errors import UsageError
from outagecomms.models import Format, LongMessage, Phase, Runbook, TextMessage
from outagecomms.templates import parsed


@dataclass(frozen=True)
class BlankUse:
    """One unguarded use of a variable in a template: its name and template line."""

    name: str
    line: int


def unguarded_uses(source: str, names: Collection[str]) -> list[BlankUse]:
    """Where ``source`` prints one of ``names`` outside a guard, in template order (a
    template that does not parse has none: lint reports its syntax error elsewhere)."""
    if not names:
        return []
    return list(_unguarded_uses(source, frozenset(names)))


@lru_cache(maxsize=4096)
def _unguarded_uses(source: str, wanted: frozenset[str]) -> tuple[BlankUse, ...]:
    try:
        tree = parsed(source)
    except Exception:  # syntax errors are the schema check's job
        return ()
    found: list[BlankUse] = []
    for node in tree.body:
        found.extend(_statement(node, frozenset(), wanted))
    return tuple(found)


def _tested(test: nodes.Node) -> frozenset[str]:
    """The variables a condition looks at (``test`` itself included)."""
    names = {n.name for n in test.find_all(nodes.Name)}
    if isinstance(test, nodes.Name):
        names.add(test.name)
    return frozenset(names)


def _statement(
    node: nodes.Node, guarded: frozenset[str], wanted: frozenset[str]
) -> Iterator[BlankUse]:
    if isinstance(node, nodes.If):
        inside = guarded | _tested(node.test)
        for child in node.body:
            yield from _statement(child, inside, wanted)
        for branch in node.elif_:
            yield from _statement(branch, guarded, wanted)
        for child in node.else_:
            yield from _statement(child, guarded, wanted)
    elif isinstance(node, nodes.Output):
        for child in node.nodes:
            yield from _expression(child, guarded, wanted)
    else:
        for child in node.iter_child_nodes():
            yield from _statement(child, guarded, wanted)


def _expression(
    node: nodes.Node, guarded: frozenset[str], wanted: frozenset[str]
) -> Iterator[BlankUse]:
    if isinstance(node, nodes.Name):
        if node.name in wanted and node.name not in guarded:
            yield BlankUse(node.name, node.lineno)
    elif isinstance(node, nodes.CondExpr):
        yield from _expression(node.expr1, guarded | _tested(node.test), wanted)
        if node.expr2 is not None:
            yield from _expression(node.expr2, guarded, wanted)
    elif isinstance(node, nodes.Or):
        yield from _expression(node.left, guarded | _tested(node.left), wanted)
        yield from _expression(node.right, guarded, wanted)
    elif isinstance(node, nodes.Filter) and node.name == "default" and _boolean_default(node):
        if node.node is not None:
            yield from _expression(node.node, guarded | _tested(node.node), wanted)
    elif isinstance(node, nodes.Test | nodes.Compare | nodes.Not):
        return  # a condition: it prints nothing
    else:
        for child in node.iter_child_nodes():
            yield from _expression(child, guarded, wanted)


def _boolean_default(node: nodes.Filter) -> bool:
    """``|default(x, true)`` (or ``boolean=true``) also replaces an empty value."""
    flags = [a for a in node.args[1:2]] + [k.value for k in node.kwargs if k.key == "boolean"]
    return any(isinstance(flag, nodes.Const) and flag.value is True for flag in flags)


def may_be_blank(runbook: Runbook) -> list[str]:
    """The optional variables without a default: empty unless the on-call passes them."""
    return [
        name
        for name, spec in runbook.variables.items()
        if not spec.required and spec.default is None
    ]


def message_sources(runbook: Runbook, phase: Phase, fmt: Format, lang: str) -> list[str]:
    """The template sources of one message (subject and body, or its one text)."""
    formats = runbook.messages.get(phase)
    if formats is None:
        return []
    if fmt is Format.LONG:
        long: LongMessage | None = formats.long.get(lang)
        return [] if long is None else [long.subject, long.body]
    message = (formats.chat if fmt is Format.CHAT else formats.short).get(lang)
    if message is None:
        return []
    return [message.text if isinstance(message, TextMessage) else message]


def check_no_blanks(
    runbook: Runbook, phase: Phase, fmt: Format, lang: str, values: Mapping[str, str]
) -> None:
    """Refuse (usage error, exit 2) a message that would print an empty variable where
    its text needs it, naming the variable and how to pass it."""
    empty = [name for name in runbook.variables if not values.get(name, "").strip()]
    for source in message_sources(runbook, phase, fmt, lang):
        uses = unguarded_uses(source, empty)
        if uses:
            name = uses[0].name
            raise UsageError(
                f"variable {name!r} is empty but the {phase.value} message of runbook "
                f"{runbook.id!r} ({fmt.value}, {lang}) prints it unguarded, so customers "
                f"would read a blank; pass --var {name}='...' (or guard it in the runbook "
                f"with {{% if {name} %}} and approve it again)"
            )
