"""Bad input never ends in a traceback: broken runbook and channel YAML, odd ``--var``
values and arbitrary command lines all get one clear error line and an exit code of
product-spec §4 (Hypothesis draws the inputs)."""

from __future__ import annotations

import copy
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from outagecomms.sinks import closed_port
from tests.conftest import REPO
from tests.reliability.conftest import assert_clean, fuzz, heavy_fuzz, invoke_cli

pytestmark = pytest.mark.usefixtures("fuzz_env", "no_network_sends")

RUNBOOK = "payments-failing"
DROPPED_LANGUAGES = {"fa", "uk", "lv"}


def _english_only(node: Any) -> Any:
    """The runbook with only its English texts (a smaller document lints faster)."""
    if isinstance(node, dict):
        return {k: _english_only(v) for k, v in node.items() if k not in DROPPED_LANGUAGES}
    if isinstance(node, list):
        return [_english_only(v) for v in node if v not in DROPPED_LANGUAGES]
    return node


BASE_RUNBOOK: dict[str, Any] = _english_only(
    yaml.safe_load((REPO / "runbooks" / f"{RUNBOOK}.yaml").read_text(encoding="utf-8"))
)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def refused_port() -> Iterator[int]:
    with closed_port() as port:
        yield port


def _project(tmp: Path, port: int, runbook_text: str | bytes | None = None) -> Path:
    root = tmp / "project"
    (root / "runbooks").mkdir(parents=True)
    (root / "channels").mkdir()
    text = _dump(BASE_RUNBOOK) if runbook_text is None else runbook_text
    target = root / "runbooks" / f"{RUNBOOK}.yaml"
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    channel = {"name": "status-hook", "kind": "webhook", "url": f"json://127.0.0.1:{port}/s"}
    (root / "channels" / "status-hook.yaml").write_text(_dump(channel), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def var_project(refused_port: int) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="oc-fuzz-") as tmp:
        yield _project(Path(tmp), refused_port)


def _project_copy(base: Path, name: str) -> Path:
    """A sibling of the shared project (same database directory layout), made once."""
    root = base.parent / name
    if not root.exists():
        shutil.copytree(base, root, ignore=shutil.ignore_patterns(".outagecomms"))
    return root


def test_the_base_runbook_is_valid(refused_port: int, tmp_path: Path) -> None:
    """The fuzzers mutate a runbook that is fine to begin with."""
    root = _project(tmp_path, refused_port)
    outcome = invoke_cli(["lint", "--project", str(root)])
    assert outcome.code == 0, outcome.describe()


# --------------------------------------------------------------------------- runbook YAML

JINJA_BITS = st.sampled_from(
    [
        "{{", "}}", "{%", "%}", "{#", "{{ impact }}", "{{ nope }}", "{{ impact.x.y }}",
        "{% if %}", "{% for x in impact %}{{ x }}{% endfor %}", "{{ 1/0 }}", "{{ impact|int }}",
        "{{ next_update_at.nope }}", "{{ impact[0:-1] }}", "{{ range(10**9)|list }}",
        "{% raw %}", "{{ 'a' * 10 }}", "{{ now|string|length }}", "|", "'", '"', ":", "\t",
        "\n", "- ", "&a", "*a", "!!binary", "%YAML", "…", "ی", "🙂", "\u200c", "\ufeff",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(JINJA_BITS, max_size=6).map("".join),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


ALL_PATHS = _paths(BASE_RUNBOOK)


@st.composite
def mutated_runbooks(draw: st.DrawFn) -> str | bytes:
    """The base runbook with a few keys replaced, dropped or added, or its text cut or
    garbled."""
    data = copy.deepcopy(BASE_RUNBOOK)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            if not isinstance(parent, dict | list):
                continue
            action = draw(st.sampled_from(["replace", "drop", "add", "template"]))
            key = path[-1]
            if action == "replace":
                parent[key] = draw(VALUES)
            elif action == "drop":
                del parent[key]
            elif action == "add" and isinstance(parent, dict):
                parent[draw(st.text(min_size=1, max_size=10))] = draw(VALUES)
            elif action == "template" and isinstance(parent[key], str):
                text = parent[key]
                at = draw(st.integers(0, len(text)))
                parent[key] = (
                    text[:at] + draw(st.lists(JINJA_BITS, max_size=4).map("".join)) + (text[at:])
                )
        except (KeyError, IndexError, TypeError):
            continue
    text = _dump(data)
    how = draw(st.sampled_from(["yaml", "yaml", "cut", "garble", "bytes"]))
    if how == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if how == "garble":
        at = draw(st.integers(0, len(text)))
        return text[:at] + _printable(draw(st.text(max_size=12))) + text[at:]
    if how == "bytes":
        raw = text.encode("utf-8")
        at = draw(st.integers(0, len(raw)))
        garbled = raw[:at] + draw(st.binary(min_size=1, max_size=6)) + raw[at:]
        try:
            return _printable(garbled.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            return garbled
    return text


def _printable(text: str) -> str:
    """Without the characters YAML forbids in a file (C0 controls and the like): those
    have their own test below."""
    return yaml.reader.Reader.NON_PRINTABLE.sub("", text)


NASTY_YAML = [
    "",
    "[]",
    "- a\n- b\n",
    "id: payments-failing\nid: payments-failing\n",
    "!!python/object/apply:os.system ['echo pwned']\n",
    "id: !!python/name:os.system\n",
    "a: &a [1, 2]\nb: &b [*a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c]\n",
    "\tid: tabs\n",
    "id: payments-failing\nlanguages: en\n",
    "? [a, b]\n: complex key\n",
    "1: 2\n",
    "id: payments-failing\ncadence: {major: 0s}\n",
    "id: payments-failing\ncadence: {major: -5m}\n",
    "id: payments-failing\nseverity: catastrophic\n",
]


@heavy_fuzz
@given(text=mutated_runbooks())
@example(text=b"\xff\xfe\x00id: x")
@example(text="\ufeff" + _dump(BASE_RUNBOOK))
def test_a_broken_runbook_file_is_a_clear_error(var_project: Path, text: str | bytes) -> None:
    root = _project_copy(var_project, "runbook-fuzz")
    target = root / "runbooks" / f"{RUNBOOK}.yaml"
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    project = ["--project", str(root)]
    for argv in (
        ["lint", *project],
        ["runbooks", *project],
        ["preview", RUNBOOK, "--var", "impact=cards fail", *project],
        ["declare", RUNBOOK, "--var", "impact=cards fail", "--unapproved", "--reason",
         "fuzz", "--timeout", "2", *project],
    ):  # fmt: skip
        assert_clean(invoke_cli(argv))


def test_a_control_character_in_a_runbook_is_a_clear_error(
    refused_port: int, tmp_path: Path
) -> None:
    root = _project(tmp_path, refused_port, "\x1f" + _dump(BASE_RUNBOOK))
    assert_clean(invoke_cli(["lint", "--project", str(root)]))


@pytest.mark.parametrize("text", NASTY_YAML)
def test_hostile_or_odd_yaml_in_a_runbook_is_a_clear_error(
    refused_port: int, tmp_path: Path, text: str
) -> None:
    root = _project(tmp_path, refused_port, text)
    for argv in (["lint", "--project", str(root)], ["runbooks", "--project", str(root)]):
        outcome = invoke_cli(argv)
        assert_clean(outcome)
        assert "pwned" not in outcome.stdout


# --------------------------------------------------------------------------- channel YAML

SAFE_URLS = st.sampled_from(
    [
        "json://127.0.0.1:{port}/hook",
        "mailto://127.0.0.1:{port}?mode=insecure&to=a@example.com",
        "json://127.0.0.1:{port}/${{UNSET_SECRET_FOR_FUZZ}}",
        "json://${{UNSET_HOST_FOR_FUZZ}}/x",
        "form://user:${{UNSET_PASSWORD_FOR_FUZZ}}@127.0.0.1:{port}/",
        "nope://127.0.0.1:{port}",
        "json://127.0.0.1:{port}/x?+Authorization=Bearer%20secret",
        "mailto://",
        "json://",
        "",
        "://",
    ]
)
NOT_A_URL = st.text(max_size=20).filter(lambda t: "://" not in t and "${" not in t)
KINDS = ["email", "sms", "x", "telegram", "slack", "discord", "teams", "mastodon", "bluesky",
         "webhook"]  # fmt: skip


@st.composite
def channel_files(draw: st.DrawFn, port: int) -> dict[str, Any]:
    def pick(valid: st.SearchStrategy[Any]) -> Any:
        return draw(st.one_of(valid, valid, VALUES))

    url = draw(st.one_of(SAFE_URLS.map(lambda u: u.format(port=port)), NOT_A_URL))
    fields: dict[str, Any] = {
        "name": "fuzzed",
        "kind": pick(st.sampled_from(KINDS)),
        "url": url,
        "audience": pick(st.sampled_from(["customers", "internal"])),
        "language": pick(st.sampled_from(["en", "fa", "xx", "EN", "en-US"])),
        "timezone": pick(st.sampled_from(["UTC", "Asia/Tehran", "Mars/Olympus", "../../etc"])),
        "format": pick(st.sampled_from(["long", "chat", "short", "tiny"])),
        "max_segments": pick(st.integers(-2, 12)),
        "limit": pick(st.integers(-5, 100_000)),
        "enabled": pick(st.booleans()),
    }
    kept = draw(st.sets(st.sampled_from(sorted(fields))))
    data = {k: v for k, v in fields.items() if k in kept or k in {"name", "url", "kind"}}
    if draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
    return data


@heavy_fuzz
@given(data=st.data())
def test_a_broken_channel_file_is_a_clear_error(
    refused_port: int, var_project: Path, data: st.DataObject
) -> None:
    channel = data.draw(channel_files(refused_port))
    root = _project_copy(var_project, "channel-fuzz")
    (root / "channels" / "fuzzed.yaml").write_text(_dump(channel), encoding="utf-8")
    project = ["--project", str(root)]
    for argv in (
        ["channels", *project],
        ["channels", "--json", *project],
        ["preview", RUNBOOK, "--channel", "fuzzed", "--var", "impact=cards fail", *project],
        ["declare", RUNBOOK, "--channel", "fuzzed", "--var", "impact=cards fail",
         "--unapproved", "--reason", "fuzz", "--timeout", "2", *project],
        ["lint", *project],
    ):  # fmt: skip
        outcome = invoke_cli(argv)
        assert_clean(outcome)
        assert "secret" not in outcome.stdout.replace("UNSET_SECRET_FOR_FUZZ", "")


# --------------------------------------------------------------------------- --var values

VAR_NAMES = st.one_of(
    st.sampled_from(list(BASE_RUNBOOK["variables"])),
    st.sampled_from(list(BASE_RUNBOOK["variables"])).map(lambda n: f"{n}.en"),
    st.sampled_from(list(BASE_RUNBOOK["variables"])).map(lambda n: f"{n}.fa"),
    st.text(max_size=12),
)
VAR_VALUES = st.one_of(
    st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",))),
    st.sampled_from(
        ["2-4h", "4-2h", "5 minutes", "0-0m", "1-99999999999999999999 days", "-", "—",
         "2–4 hours", "۲-۴ ساعت", "{{ 7*7 }}", "{{ impact.__class__ }}", "%s%n", "x" * 5000]
    ),
)  # fmt: skip


@fuzz
@given(pairs=st.lists(st.tuples(VAR_NAMES, VAR_VALUES), max_size=4), raw=st.booleans())
@example(pairs=[("impact", "{{ 7*7 }}")], raw=False)
@example(pairs=[("", "x")], raw=False)
@example(pairs=[("impact", "x")], raw=True)
def test_any_var_value_is_data_or_a_usage_error(
    var_project: Path, pairs: list[tuple[str, str]], raw: bool
) -> None:
    args: list[str] = []
    for name, value in pairs:
        args += ["--var", name if raw else f"{name}={value}"]
    project = ["--project", str(var_project)]
    for argv in (
        ["preview", RUNBOOK, *args, *project],
        ["preview", RUNBOOK, "--json", *args, *project],
        ["declare", RUNBOOK, *args, "--unapproved", "--reason", "fuzz", "--timeout", "2",
         *project],
    ):  # fmt: skip
        outcome = invoke_cli(argv)
        assert_clean(outcome)
        if outcome.code == 0 and argv[0] == "preview" and pairs == [("impact", "{{ 7*7 }}")]:
            assert "{{ 7*7 }}" in outcome.stdout


# --------------------------------------------------------------------------- command lines

COMMANDS = ["lint", "measure", "preview", "approve", "runbooks", "channels", "declare",
            "update", "resolve", "postmortem", "status", "show", "schema"]  # fmt: skip
"""Every command except the ones that start servers or run until stopped (demo, worker,
site)."""
OPTIONS = ["--json", "--kind", "--segments", "--phase", "--channel", "--lang", "--var",
           "--by", "--note", "--severity", "--dedupe-key", "--cadence", "--unapproved",
           "--reason", "--all", "--text", "--audience", "--require-approval", "--timeout",
           "--concurrency", "--help", "-h", "--log-level", "--log-format", "--", "-"]  # fmt: skip
WORDS = ["payments-failing", "INC-1", "INC-0", "INC-99999999999999999999", "inc-1", "1", "0",
         "-1", "1e309", "nan", "x", "sms", "identified", "resolved", "critical", "90s", "0s",
         "-5m", "1h30m", "impact=cards fail", "impact", "=", "status-hook", "en", "fa",
         "internal", "", " ", "runbooks/payments-failing.yaml", "missing.yaml"]  # fmt: skip
TOKENS = st.one_of(
    st.sampled_from(OPTIONS),
    st.sampled_from(WORDS),
    st.text(
        alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=10
    ).filter(lambda t: "://" not in t),
)


@fuzz
@given(
    command=st.sampled_from(COMMANDS),
    tokens=st.lists(TOKENS, max_size=6),
    stdin=st.text(max_size=40),
)
@example(command="update", tokens=["INC-99999999999999999999"], stdin="")
@example(command="show", tokens=["INC-0"], stdin="")
@example(command="measure", tokens=["--kind", "sms", "--segments", "-1", "-"], stdin="x")
@example(command="declare", tokens=["payments-failing", "--cadence", "0s"], stdin="")
def test_any_command_line_is_a_clear_error_or_works(
    var_project: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    tokens: list[str],
    stdin: str,
) -> None:
    monkeypatch.setenv("OUTAGECOMMS_PROJECT", str(var_project))
    monkeypatch.setenv("OUTAGECOMMS_SEND_TIMEOUT", "2")
    monkeypatch.chdir(var_project)
    assert_clean(invoke_cli([command, *tokens], stdin=stdin))
