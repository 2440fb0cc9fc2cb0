"""Approvals bound to runbook content (``runbooks/approvals.lock``).

An approval records the SHA-256 of the runbook's *validated model* as canonical JSON
(sorted keys, defaults filled in), not of the file bytes: comments, key order, quoting and
other formatting that does not change meaning keep the approval; any change of a text, a
variable or a setting breaks it. ``approve`` refuses a runbook with lint errors and records
the ``allow:`` exceptions the approver accepted. ``ensure_sendable`` is what ``declare``
asks before sending.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from outagecomms import validated_cache
from outagecomms.errors import ConfigError, RefusedError, UsageError
from outagecomms.limits import DEFAULT_LIMITS
from outagecomms.models import Runbook
from outagecomms.project import LoadedRunbook, Project
from outagecomms.runbook_content import canonical_json
from outagecomms.yamlfile import display_path, load_yaml, parse_yaml

if TYPE_CHECKING:
    from outagecomms.lint.findings import Finding

ApprovalState = Literal["approved", "changed", "never"]

LOCK_FILE = "approvals.lock"
LOCK_VERSION = 1
HASH_PREFIX = "sha256:"
LOCK_HEADER = """\
# Approvals of the runbooks in this directory, written by `outagecomms approve`.
# Each entry binds a runbook id to the SHA-256 of its validated content: editing any text
# of the runbook makes it "changed", and `declare` refuses it until it is approved again.
# Review changes to this file like code (CODEOWNERS: the communications team).
"""
CODEOWNERS_PLACES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def content_hash(runbook: Runbook) -> str:
    """``sha256:<hex>`` of the runbook's canonical JSON (validated model, sorted keys)."""
    text = canonical_json(runbook)
    return HASH_PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Approval:
    """One runbook's entry in ``approvals.lock``."""

    runbook: str
    sha256: str
    approved_by: str
    approved_at: str
    note: str | None = None
    exceptions: tuple[dict[str, str], ...] = ()
    history: tuple[dict[str, str], ...] = ()
    """Earlier approvals of this runbook, oldest first: sha256, approved_by, approved_at and
    note of each (kept when the runbook is approved again, changed or not)."""

    def as_lock(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "sha256": self.sha256,
            "approved_by": self.approved_by,
            "approved_at": self.approved_at,
        }
        if self.note:
            entry["note"] = self.note
        entry["exceptions"] = [dict(e) for e in self.exceptions]
        if self.history:  # absent until a second approval, so older locks stay as they are
            entry["history"] = [dict(h) for h in self.history]
        return entry

    def earlier(self) -> dict[str, str]:
        """This approval as an entry of a later approval's ``history``."""
        entry = {
            "sha256": self.sha256,
            "approved_by": self.approved_by,
            "approved_at": self.approved_at,
        }
        if self.note:
            entry["note"] = self.note
        return entry

    def as_json(self) -> dict[str, Any]:
        return {"runbook": self.runbook, **self.as_lock()}


def lock_path(project: Project) -> Path:
    return project.runbooks_dir / LOCK_FILE


def read_lock(project: Project) -> dict[str, Approval]:
    """Every approval in ``runbooks/approvals.lock`` (none when the file does not exist).
    The file is read every time; its text is parsed once (the worker checks the approval
    before every automatic update)."""
    path = lock_path(project)
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        load_yaml(path)  # raises the one-line error that says how to fix it
        raise
    return dict(_parse_lock(text, path))


@functools.lru_cache(maxsize=8)
def _parse_lock(text: str, path: Path) -> dict[str, Approval]:
    """The approvals in ``text``; as an earlier process read them from the same text when it
    did (:mod:`.validated_cache`: ``declare`` then needs no YAML parser)."""
    raw = text.encode("utf-8", "surrogatepass")
    return validated_cache.kept_or_checked(
        "approvals", path, raw, DEFAULT_LIMITS, dict, lambda: _read_approvals(text, path)
    )


def _read_approvals(text: str, path: Path) -> dict[str, Approval]:
    document = parse_yaml(text, path)
    data = document.data or {}
    entries = data.get("approvals") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise ConfigError(
            f"{document.where()}: expected 'approvals:' mapping runbook ids to approvals; "
            "restore the file from version control or approve again"
        )
    approvals: dict[str, Approval] = {}
    for runbook_id, entry in entries.items():
        try:
            approvals[str(runbook_id)] = Approval(
                runbook=str(runbook_id),
                sha256=str(entry["sha256"]),
                approved_by=str(entry["approved_by"]),
                approved_at=str(entry["approved_at"]),
                note=entry.get("note"),
                exceptions=tuple(entry.get("exceptions") or ()),
                history=tuple(dict(h) for h in entry.get("history") or ()),
            )
        except (KeyError, TypeError, AttributeError):
            raise ConfigError(
                f"{document.where(('approvals', str(runbook_id)))}: approval of "
                f"{runbook_id!r} needs sha256, approved_by and approved_at; approve it again"
            ) from None
    return approvals


LOCK_MODE = 0o644
"""approvals.lock is committed and read by other accounts (CI, the worker's user)."""


def write_lock(project: Project, approvals: dict[str, Approval]) -> Path:
    """Write the lock file atomically, sorted by runbook id (stable, diff-friendly)."""
    path = lock_path(project)
    document = {
        "version": LOCK_VERSION,
        "approvals": {rid: approvals[rid].as_lock() for rid in sorted(approvals)},
    }
    import yaml  # here: reading the lock (every declare) needs no YAML writer

    body = yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".approvals.", suffix=".tmp")
    os.fchmod(handle, LOCK_MODE)  # mkstemp makes 0600; the lock is read by every account
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(LOCK_HEADER + body)
    Path(temporary).replace(path)
    return path


def approval_of(project: Project, runbook_id: str) -> Approval | None:
    return read_lock(project).get(runbook_id)


def approval_state(project: Project, loaded: LoadedRunbook) -> ApprovalState:
    """``approved`` when the lock holds this exact content, ``changed`` when it holds an
    earlier content, ``never`` when the runbook was never approved."""
    approval = approval_of(project, loaded.id)
    if approval is None:
        return "never"
    return "approved" if approval.sha256 == content_hash(loaded.runbook) else "changed"


def recorded_exceptions(runbook: Runbook) -> list[dict[str, str]]:
    """The ``allow:`` entries of a runbook: where, rule and reason."""
    from outagecomms.lint.runner import message_allows, message_loc

    out: list[dict[str, str]] = []
    for key, entries in sorted(message_allows(runbook).items()):
        where = ".".join(message_loc(*key))
        out += [{"where": where, "rule": e.rule, "reason": e.reason} for _, e in entries]
    return out


def approve(
    project: Project,
    runbook_ids: Sequence[str],
    *,
    by: str,
    note: str | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Record approvals of the runbooks' current content; refuses runbooks with lint errors.

    Nothing is written unless every named runbook passes lint (no partial approvals).
    """
    from outagecomms.lint.runner import lint_paths

    if not by.strip():
        raise UsageError("--by must name the approver, e.g. --by 'Dana Kim'")
    if not runbook_ids:
        raise UsageError("name at least one runbook to approve")
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    paths = [project.runbook(rid).path for rid in runbook_ids]  # NotFoundError if unknown
    report, results = lint_paths(project, paths, now=moment)
    refused = [f for f in report.errors]
    if refused:
        shown = "; ".join(
            f"{f.where}: {f.rule}: {f.message}" if f.where else f"{f.rule}: {f.message}"
            for f in refused[:3]
        )
        more = f" (and {len(refused) - 3} more)" if len(refused) > 3 else ""
        names = " ".join(display_path(p) for p in paths)
        raise RefusedError(
            f"not approved: {len(refused)} lint error(s): {shown}{more}; fix them "
            f"(`outagecomms lint {names}` lists them all), or allow one message's rule "
            "with allow: [{rule, reason}]"
        )
    approvals = read_lock(project)
    recorded: list[dict[str, Any]] = []
    for result in results:
        assert result.loaded is not None  # no errors, so it loaded
        runbook = result.loaded.runbook
        previous = approvals.get(runbook.id)
        approval = Approval(
            runbook=runbook.id,
            sha256=content_hash(runbook),
            approved_by=by.strip(),
            approved_at=moment.isoformat().replace("+00:00", "Z"),
            note=note.strip() if note and note.strip() else None,
            exceptions=tuple(recorded_exceptions(runbook)),
            history=() if previous is None else (*previous.history, previous.earlier()),
        )
        approvals[runbook.id] = approval
        warnings = sum(1 for f in result.findings if not f.is_error)
        recorded.append({**approval.as_json(), "warnings": warnings})
    write_lock(project, approvals)
    return recorded


def comms_owners(project: Project) -> list[str]:
    """The CODEOWNERS owners of ``runbooks/`` (the last matching rule wins), if any."""
    owners: list[str] = []
    for place in CODEOWNERS_PLACES:
        path = project.root / place
        if not path.is_file():
            continue
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            pattern, *names = line.split()
            if pattern.strip("/").split("/")[0] in {"runbooks", "*", "**"}:
                owners = names
        break
    return owners


def _who(project: Project) -> str:
    owners = comms_owners(project)
    if owners:
        return f"the owners of runbooks/ ({', '.join(owners)})"
    return "a communications approver"


def ensure_sendable(
    project: Project, loaded: LoadedRunbook, *, unapproved_reason: str | None
) -> None:
    """Raise :class:`~outagecomms.errors.RefusedError` unless the runbook's current content is
    approved, or ``unapproved_reason`` is given (break-glass)."""
    if unapproved_reason is not None and unapproved_reason.strip():
        return
    state = approval_state(project, loaded)
    if state == "approved":
        return
    rid = loaded.id
    again = f"`outagecomms approve {rid} --by NAME`"
    glass = "or, in an emergency, send anyway with --unapproved --reason '...'"
    if state == "changed":
        previous = approval_of(project, rid)
        since = (
            f" since {previous.approved_by} approved it on {previous.approved_at}"
            if previous
            else ""
        )
        raise RefusedError(
            f"runbook {rid!r} has changed{since}; {_who(project)} must re-approve it: "
            f"{again}; {glass}"
        )
    raise RefusedError(
        f"runbook {rid!r} was never approved; {_who(project)} must approve it: {again}; {glass}"
    )


def break_glass_reason(
    project: Project, loaded: LoadedRunbook, unapproved_reason: str | None
) -> str | None:
    """The break-glass reason to record: ``None`` when the runbook's content is approved,
    since ``--unapproved`` on an approved runbook changes nothing and breaks no glass."""
    if unapproved_reason is None or approval_state(project, loaded) == "approved":
        return None
    return unapproved_reason


def approval_findings(project: Project, loaded: LoadedRunbook) -> list[Finding]:
    """``lint --require-approval``: an error unless the lock holds this exact content."""
    from outagecomms.lint.findings import finding

    state = approval_state(project, loaded)
    if state == "approved":
        return []
    lock = display_path(lock_path(project))
    what = "changed since its approval" if state == "changed" else "never approved"
    return [
        finding(
            "approval",
            f"runbook {loaded.id!r} is {what}; {_who(project)} must run "
            f"`outagecomms approve {loaded.id} --by NAME` and commit {lock}",
        ).at(
            file=display_path(loaded.path),
            line=loaded.document.line_of(("id",)),
            runbook=loaded.id,
        )
    ]
