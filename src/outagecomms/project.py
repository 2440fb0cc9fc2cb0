"""The project directory: finding it, and loading its runbooks and channels with errors
that name ``file:line`` and the field (README "The project directory")."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from outagecomms import runbook_content, validated_cache
from outagecomms.errors import ConfigError, NotFoundError, UsageError
from outagecomms.limits import DEFAULT_LIMITS, Limits
from outagecomms.models import KEBAB_CASE, REQUIRED_PHASES, Channel, Format, Runbook
from outagecomms.project_root import (  # re-exported: where they always were
    CHANNELS_DIR as CHANNELS_DIR,
)
from outagecomms.project_root import PROJECT_ENV as PROJECT_ENV
from outagecomms.project_root import RUNBOOKS_DIR as RUNBOOKS_DIR
from outagecomms.project_root import find_project_root as find_project_root
from outagecomms.settings import Settings, load_settings
from outagecomms.yamlfile import YamlDocument, display_path, dotted, load_yaml

M = TypeVar("M", bound=BaseModel)


class FileProblems(ConfigError):
    """One file with one or more problems, each ``file:line: field: what``."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        message = self.problems[0]
        if len(self.problems) > 1:
            message += f" (and {len(self.problems) - 1} more; `outagecomms lint` lists them all)"
        super().__init__(message)


@dataclass(frozen=True)
class LoadedRunbook:
    """A validated runbook with the document it came from (for ``file:line``)."""

    runbook: Runbook
    document: YamlDocument
    canonical: str | None = field(default=None, compare=False, repr=False)
    """The runbook's canonical JSON, when it was kept with it (:func:`keep_runbook`)."""

    @property
    def id(self) -> str:
        return self.runbook.id

    @property
    def path(self) -> Path:
        return self.document.path


@dataclass(frozen=True)
class LoadedChannel:
    channel: Channel
    document: YamlDocument

    @property
    def name(self) -> str:
        return self.channel.name


def _clean_loc(data: Any, loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """Drop pydantic's union-member tags from ``loc``, keeping the path into ``data``."""
    out: list[str | int] = []
    node: Any = data
    for index, part in enumerate(loc):
        if isinstance(node, Mapping) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, Mapping) and index == len(loc) - 1:
            out.append(part)  # a missing key
        elif isinstance(node, Mapping) and isinstance(part, str) and not _is_tag(part):
            out.append(part)
            node = None
    return tuple(out)


def _is_tag(part: str) -> bool:
    return part[:1].isupper() or "[" in part or part in {"str", "int", "dict", "list"}


def validation_problems(exc: ValidationError, document: YamlDocument) -> list[str]:
    """One line per distinct problem, ``file:line: field: message``."""
    seen: set[tuple[str | int, ...]] = set()
    problems: list[str] = []
    for error in exc.errors():
        loc = _clean_loc(document.data, error["loc"])
        if loc in seen:
            continue
        seen.add(loc)
        message = error["msg"]
        if error["type"] == "missing":
            message = "missing"
        elif error["type"] == "extra_forbidden":
            message = "unknown key; check the spelling (`outagecomms schema` lists the keys)"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        where = document.where(loc)
        problems.append(f"{where}: {dotted(loc)}: {message}" if loc else f"{where}: {message}")
    return problems


def validate_document(model: type[M], document: YamlDocument, limits: Limits = DEFAULT_LIMITS) -> M:
    if not isinstance(document.data, Mapping):
        raise FileProblems(
            [f"{document.where()}: expected a mapping of keys (see `outagecomms schema`)"]
        )
    try:
        return model.model_validate(document.data, context={"limits": limits})
    except ValidationError as exc:
        raise FileProblems(validation_problems(exc, document)) from None


def runbook_problems(runbook: Runbook, document: YamlDocument) -> list[str]:
    """Cross-field checks pydantic cannot express with a location: file name, phases,
    every format in every listed language, and templates that compile and only use
    variables the runbook declares."""
    from outagecomms.templates import template_problems

    problems: list[str] = []
    expected_name = f"{runbook.id}.yaml"
    if document.path.name != expected_name:
        problems.append(
            f"{document.where(('id',))}: id: {runbook.id!r} must match the file name; "
            f"rename the file to {expected_name} or change the id"
        )
    for phase in REQUIRED_PHASES:
        if phase not in runbook.messages:
            problems.append(
                f"{document.where(('messages',))}: messages.{phase}: missing "
                "(every runbook needs investigating, identified, monitoring, update, resolved)"
            )
    listed = set(runbook.languages)
    for phase, formats in runbook.messages.items():
        for fmt in Format:
            have = formats.languages(fmt)
            loc = ("messages", phase.value, fmt.value)
            for lang in runbook.languages:
                if lang not in have:
                    problems.append(
                        f"{document.where(loc)}: {dotted((*loc, lang))}: missing "
                        f"(languages lists {lang})"
                    )
            for lang in sorted(have - listed):
                problems.append(
                    f"{document.where((*loc, lang))}: {dotted((*loc, lang))}: {lang} is not in "
                    f"languages; add it to languages or remove this message"
                )
    problems.extend(template_problems(runbook, document))
    return problems


def load_runbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedRunbook:
    """Load and check one runbook file. A file whose bytes were loaded before is not parsed
    again (the worker looks at the runbooks of open incidents at every step), nor, when an
    earlier process checked them, checked again (:mod:`.validated_cache`)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return _load_runbook(path, limits)
    return _load_runbook_once(path, raw, limits)


@functools.lru_cache(maxsize=64)
def _load_runbook_once(path: Path, raw: bytes, limits: Limits) -> LoadedRunbook:
    """Kept from an earlier process when it checked these bytes (:mod:`.validated_cache`)."""
    found = kept_runbook(path, raw, limits)
    if found is None:
        found = _load_runbook(path, limits)
        keep_runbook(path, raw, limits, found)
    return found


def kept_runbook(path: Path, raw: bytes, limits: Limits) -> LoadedRunbook | None:
    """The runbook an earlier process checked from these bytes without a problem (its
    canonical JSON adopted: :mod:`.runbook_content`), or None."""
    found = validated_cache.kept("runbook", path, raw, limits, LoadedRunbook)
    if found is not None and found.canonical is not None:
        runbook_content.adopt(found.runbook, found.canonical)
    return found


def keep_runbook(path: Path, raw: bytes, limits: Limits, loaded: LoadedRunbook) -> None:
    """Keep ``loaded`` (checked without a problem) with its canonical JSON."""
    text = runbook_content.canonical_json(loaded.runbook)
    validated_cache.keep("runbook", path, raw, limits, replace(loaded, canonical=text))


def _load_runbook(path: Path, limits: Limits) -> LoadedRunbook:
    document = load_yaml(path, limits)
    runbook = validate_document(Runbook, document, limits)
    problems = runbook_problems(runbook, document)
    if problems:
        raise FileProblems(problems)
    return LoadedRunbook(runbook, document)


def load_channel(path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedChannel:
    """Load and check one channel file (kept from an earlier process when it checked these
    bytes: :mod:`.validated_cache`)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return _load_channel(path, limits)
    return validated_cache.kept_or_checked(
        "channel", path, raw, limits, LoadedChannel, lambda: _load_channel(path, limits)
    )


def _load_channel(path: Path, limits: Limits) -> LoadedChannel:
    document = load_yaml(path, limits)
    channel = validate_document(Channel, document, limits)
    if path.name != f"{channel.name}.yaml":
        raise FileProblems(
            [
                f"{document.where(('name',))}: name: {channel.name!r} must match the file "
                f"name; rename the file to {channel.name}.yaml or change the name"
            ]
        )
    return LoadedChannel(channel, document)


def yaml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


@dataclass
class Project:
    """A team's directory of runbooks, channels and settings."""

    root: Path
    environ: Mapping[str, str] | None = None
    _runbooks: dict[str, LoadedRunbook] | None = field(default=None, repr=False)
    _channels: dict[str, LoadedChannel] | None = field(default=None, repr=False)
    _broken_channels: dict[str, ConfigError] = field(default_factory=dict, repr=False)
    _loaded: dict[str, LoadedRunbook] = field(default_factory=dict, repr=False)
    """Runbooks read one at a time by :meth:`runbook` (a project is a snapshot: each file
    is read once; make a new :class:`Project` to see later edits)."""

    @classmethod
    def discover(cls, explicit: str | Path | None = None) -> Project:
        return cls(find_project_root(explicit))

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.root, self.environ)

    @property
    def limits(self) -> Limits:
        return self.settings.limits

    @property
    def runbooks_dir(self) -> Path:
        return self.root / RUNBOOKS_DIR

    @property
    def channels_dir(self) -> Path:
        return self.root / CHANNELS_DIR

    def runbook_paths(self) -> list[Path]:
        return yaml_files(self.runbooks_dir)

    def runbooks(self) -> dict[str, LoadedRunbook]:
        if self._runbooks is None:
            loaded = [load_runbook(path, self.limits) for path in self.runbook_paths()]
            self._runbooks = {item.id: item for item in loaded}
        return self._runbooks

    def runbook(self, runbook_id: str) -> LoadedRunbook:
        if not KEBAB_CASE.match(runbook_id):
            raise UsageError(
                f"{runbook_id!r} is not a runbook id; pass the id (kebab-case, like "
                "payments-failing), not a path: `outagecomms runbooks` lists them"
            )
        path = self.runbooks_dir / f"{runbook_id}.yaml"
        if self._runbooks is not None and runbook_id in self._runbooks:
            return self._runbooks[runbook_id]
        if runbook_id in self._loaded:
            return self._loaded[runbook_id]
        if not path.is_file():
            known = ", ".join(p.stem for p in self.runbook_paths()) or "none"
            raise NotFoundError(
                f"no runbook {runbook_id!r} in {display_path(self.runbooks_dir)}/ "
                f"(known: {known}); `outagecomms runbooks` lists them"
            )
        loaded = load_runbook(path, self.limits)
        self._loaded[runbook_id] = loaded
        return loaded

    def channels(self) -> dict[str, LoadedChannel]:
        """Every channel; the first broken channel file raises its problems."""
        valid = self.usable_channels()
        for problem in self._broken_channels.values():
            raise problem
        return valid

    def usable_channels(self) -> dict[str, LoadedChannel]:
        """The channels whose files load; each broken file is left out and kept, by its
        file name's stem, in :meth:`broken_channels` (one broken file fails only itself)."""
        if self._channels is None:
            self._channels = {}
            for path in yaml_files(self.channels_dir):
                try:
                    item = load_channel(path, self.limits)
                except ConfigError as exc:  # bad YAML, a schema problem, a wrong name
                    self._broken_channels[path.stem] = exc
                    continue
                self._channels[item.name] = item
        return self._channels

    def broken_channels(self) -> dict[str, ConfigError]:
        """Channel file stem -> its problems (``file:line: field: what``), for the files of
        ``channels/`` that do not load."""
        self.usable_channels()
        return dict(self._broken_channels)

    def channel(self, name: str) -> LoadedChannel:
        return self.channel_in(self.channels(), name)

    def select_channels(self, names: Sequence[str] = ()) -> list[LoadedChannel]:
        """The named channels, or every enabled one when none are named."""
        if names:
            return [self.channel(name) for name in names]
        return [c for c in self.channels().values() if c.channel.enabled]

    def select_usable_channels(
        self, names: Sequence[str] = ()
    ) -> tuple[list[LoadedChannel], dict[str, ConfigError]]:
        """Like :meth:`select_channels`, but a broken channel file fails only itself: the
        usable channels, and the broken ones among those asked for (every broken file
        when none are named, since it may be an enabled channel)."""
        usable = self.usable_channels()
        broken = self.broken_channels()
        if not names:
            return [c for c in usable.values() if c.channel.enabled], broken
        chosen: list[LoadedChannel] = []
        failed: dict[str, ConfigError] = {}
        for name in names:
            if name in broken and name not in usable:
                failed[name] = broken[name]
            else:
                chosen.append(self.channel_in(usable, name))
        return chosen, failed

    def channel_in(self, usable: Mapping[str, LoadedChannel], name: str) -> LoadedChannel:
        if name not in usable:
            known = ", ".join(usable) or "none"
            raise NotFoundError(
                f"no channel {name!r} in {display_path(self.channels_dir)}/ (known: {known}); "
                "`outagecomms channels` lists them"
            )
        return usable[name]


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """``["impact=card payments fail", "scope.fa=..."]`` -> a dict; bad syntax is a usage error."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--var {pair!r} is not name=value; write it like --var impact='...'")
        values[name] = value
    return values


Signature = tuple[tuple[str, int, int], ...]
WATCHED = ("runbooks", "channels")
WATCHED_FILES = ("outagecomms.toml", "routes.yaml")


def files_signature(root: Path) -> Signature:
    """Name, size and modification time of every project file a command reads: a
    long-running process (the service, the worker) parses the project again only when
    this changes."""
    found: list[tuple[str, int, int]] = []
    paths = [root / name for name in WATCHED_FILES]
    for folder in WATCHED:
        with suppress(OSError):
            paths.extend(sorted((root / folder).iterdir()))
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)
