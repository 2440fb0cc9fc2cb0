"""Runbook, channel and settings files kept validated between processes, keyed by content.

A fresh ``declare`` or ``lint`` otherwise parses each file's YAML, validates it with
pydantic and parses every template of a runbook (~96 in a shipped one) before doing any
work. A file that loaded without a problem is kept here as the pickle of what it loaded
to, under a key made of its bytes, its path, the limits it was checked under, and what
decides the result besides them: the files of the modules that check it (:data:`CODE`),
the versions of the libraries they use (:data:`LIBRARIES`) and Python's. A changed file,
limit, checking module or library is therefore checked anew; a file with problems is never
kept (its problems are found again, each time).

The entries live in a directory of this user's own under the temporary directory, which is
refused (nothing kept, nothing read) unless this user owns it and nobody else may enter
it: a pickle is code, so only its owner may put one there (and a channel's URL may hold a
secret, so only its owner may read one). An entry that cannot be read or
is not what was expected is ignored, and the file is checked as if none were kept.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from contextlib import suppress
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from outagecomms.limits import Limits

T = TypeVar("T")

FORMAT = "2"
"""Bumped when what is kept changes shape."""

CODE = (
    "__init__.py",
    "approvals.py",
    "components/__init__.py",
    "components/statuses.py",
    "durations.py",
    "errors.py",
    "jinja_cache.py",
    "lazy.py",
    "limits.py",
    "localdates.py",
    "models.py",
    "moments.py",
    "project.py",
    "project_root.py",
    "ranges.py",
    "render_budget.py",
    "runbook_content.py",
    "settings.py",
    "templates.py",
    "validated_cache.py",
    "vocabulary.py",
    "yaml_parse.py",
    "yamlfile.py",
)
"""The modules (paths under the package) that load and check the files kept here import;
a test keeps this list complete."""

LIBRARIES = ("pydantic", "pydantic_core", "yaml", "jinja2")
"""Libraries whose code takes part in the check: their installed files key the entries."""

PACKAGE = Path(__file__).resolve().parent


@cache
def directory() -> Path | None:
    """This user's directory of entries, or None when there is none we may trust."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # pragma: no cover - not POSIX: no way to tell who owns it
        return None
    return trusted(Path(tempfile.gettempdir()) / f"outagecomms-{getuid()}-validated")


def trusted(folder: Path) -> Path | None:
    """``folder`` (made when missing) if it is a directory of this user's that nobody else
    may enter, else None."""
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        found = folder.lstat()
    except OSError:
        return None
    mine = found.st_uid == os.getuid()
    if not stat.S_ISDIR(found.st_mode) or not mine or found.st_mode & 0o077:
        return None
    return folder


@cache
def fingerprint() -> str:
    """What the result of a check depends on besides the file and the limits."""
    parts = [FORMAT, sys.version, str(PACKAGE)]
    for relative in CODE:
        parts.append(f"{relative}:{stamp(PACKAGE / relative)}")
    for library in LIBRARIES:
        try:
            spec = find_spec(library)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        parts.append(f"{library}:{origin}:{stamp(Path(origin)) if origin else '?'}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def stamp(path: Path) -> str:
    """A file's size and modification time (what keys an entry on a module's code)."""
    try:
        found = path.stat()
    except OSError:
        return "?"
    return f"{found.st_size}:{found.st_mtime_ns}"


def entry_key(kind: str, path: Path, raw: bytes, limits: Limits) -> str:
    """The key of a ``kind`` file at ``path`` holding ``raw``, checked under ``limits``."""
    digest = hashlib.sha256()
    for part in (fingerprint(), kind, str(path), repr(limits)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(raw)
    return digest.hexdigest()


def content_key(kind: str, content: bytes) -> str:
    """The key of a ``kind`` entry made from ``content`` alone (with the fingerprint): for
    what is not one file, such as a language's lexicon compiled from several."""
    digest = hashlib.sha256()
    for part in (fingerprint(), kind):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(content)
    return digest.hexdigest()


def kept_by_key(
    key: str, expected: type[T], shared: Mapping[str, object] | None = None
) -> T | None:
    """What :func:`keep_by_key` kept under ``key``, or None (see :func:`kept`)."""
    folder = directory()
    if folder is None:
        return None
    try:
        data = (folder / key).read_bytes()
        value = _Unpickler(io.BytesIO(data), shared or {}).load()
    except Exception:  # a missing, truncated or foreign entry: checked anew
        return None
    return value if isinstance(value, expected) else None


def keep_by_key(key: str, value: object, shared: Mapping[str, object] | None = None) -> None:
    """Keep ``value`` under ``key`` for the next process (see :func:`keep`)."""
    folder = directory()
    if folder is None:
        return
    target = folder / key
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as out:
            _Pickler(out, shared or {}).dump(value)
        partial.replace(target)
    except Exception:  # a full disk, or a value that does not pickle: nothing kept
        with suppress(OSError):
            partial.unlink(missing_ok=True)


def kept(
    kind: str,
    path: Path,
    raw: bytes,
    limits: Limits,
    expected: type[T],
    shared: Mapping[str, object] | None = None,
) -> T | None:
    """What the file loaded to when it was last checked, or None (never checked, or the
    entry is unreadable, damaged or of another type). ``shared``: the objects of this
    process that :func:`keep` was given by name (see there)."""
    if directory() is None:
        return None
    return kept_by_key(entry_key(kind, path, raw, limits), expected, shared)


def keep(
    kind: str,
    path: Path,
    raw: bytes,
    limits: Limits,
    value: object,
    shared: Mapping[str, object] | None = None,
) -> None:
    """Keep ``value`` (what the file loaded to) for the next process; a full or read-only
    disk keeps nothing. ``shared``: objects ``value`` refers to that are kept by name, not
    copied (a template tree's Jinja environment): :func:`kept` puts its own in their place."""
    if directory() is None:
        return
    keep_by_key(entry_key(kind, path, raw, limits), value, shared)


def kept_or_checked(
    kind: str, path: Path, raw: bytes, limits: Limits, expected: type[T], check: Callable[[], T]
) -> T:
    """What the file was kept as, else what ``check()`` loads it to (then kept; a problem
    it raises keeps nothing)."""
    found = kept(kind, path, raw, limits, expected)
    if found is None:
        found = check()
        keep(kind, path, raw, limits, found)
    return found


def _shared(name: str) -> object:
    """Stands for a shared object in a kept entry; :class:`_Unpickler` puts its own in."""
    raise pickle.UnpicklingError(f"no shared object {name!r} in this process")


class _Pickler(pickle.Pickler):
    """Pickles a shared object as a reference by name. It is found through the dispatch
    table by its type (a lookup in C for each object of a class), not by a
    ``persistent_id`` call for every object pickled (millions for a runbook's template
    trees: a third of the time of keeping them)."""

    def __init__(self, out: BinaryIO, shared: Mapping[str, object]) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.names = {id(obj): name for name, obj in shared.items()}
        if shared:
            table: dict[type, Callable[[Any], Any]] = dict(copyreg.dispatch_table)
            table.update({type(obj): self._reduce_shared for obj in shared.values()})
            self.dispatch_table = table

    def _reduce_shared(self, obj: object) -> Any:
        name = self.names.get(id(obj))
        if name is None:  # another object of a shared one's class: pickled as usual
            return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        return _shared, (name,)


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: BinaryIO, shared: Mapping[str, object]) -> None:
        super().__init__(data)
        self.shared = shared

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _shared.__name__:
            return self._shared
        return super().find_class(module, name)

    def _shared(self, name: str) -> object:
        if name not in self.shared:
            raise pickle.UnpicklingError(f"no shared object {name!r} in this process")
        return self.shared[name]
