"""Writing files only where they belong, for the status page (and anything else that
publishes into a directory other processes, or other people, can write to).

A web root is shared: a planted symbolic link must never make outagecomms write outside
it. So every file is written to a fresh temporary file (``mkstemp``, which never follows
or reuses a name) in its target directory and renamed over its old version (atomic; a
rename replaces a link, it does not follow it); a directory below the root that is a
symbolic link is refused, and the lock file is opened with ``O_NOFOLLOW``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from outagecomms.errors import ConfigError


def real_directory(root: Path, relative: PurePosixPath | str) -> Path:
    """``root / relative``, each directory below ``root`` created when missing; a part
    that is a symbolic link (or not a directory) is refused."""
    current = root
    for part in PurePosixPath(relative).parts:
        if part in ("", ".", "..") or "/" in part:
            raise ConfigError(f"refusing to write to {root / relative}: not a plain path")
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            with contextlib.suppress(FileExistsError):
                current.mkdir(0o755)
            mode = os.lstat(current).st_mode
        if stat.S_ISLNK(mode):
            raise ConfigError(
                f"{current} is a symbolic link; outagecomms writes only inside {root}, "
                "never through a link: remove it"
            )
        if not stat.S_ISDIR(mode):
            raise ConfigError(f"{current} is not a directory; remove it or move it away")
    return current


def write_file(root: Path, relative: str, content: bytes, mode: int = 0o644) -> Path:
    """Write ``content`` to ``root / relative`` atomically: a temporary file in the same
    directory, renamed over the old version (or over a link, which it replaces)."""
    path = PurePosixPath(relative)
    directory = real_directory(root, path.parent) if str(path.parent) != "." else root
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        temporary.chmod(mode)
        return temporary.replace(directory / path.name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def holds(root: Path, relative: str, content: bytes) -> bool:
    """Whether ``root / relative`` is a plain file (not a link) holding ``content``
    already: a build then leaves it as it is (its modification time too, which a web
    server's caching goes by). Its directories are checked as :func:`write_file` checks
    them (a link among them is refused)."""
    path = PurePosixPath(relative)
    directory = real_directory(root, path.parent) if str(path.parent) != "." else root
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(directory / path.name, flags)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        found = os.fstat(handle.fileno())
        if not stat.S_ISREG(found.st_mode) or found.st_size != len(content):
            return False
        return handle.read(len(content) + 1) == content


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an advisory lock on ``path`` (created when missing, never through a link)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: writers simply do not take turns
        yield
        return
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if path.is_symlink():
            raise ConfigError(
                f"{path} is a symbolic link; outagecomms does not lock (or create) files "
                "through a link: remove it"
            ) from None
        raise exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
