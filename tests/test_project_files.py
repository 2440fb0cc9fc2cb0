"""Loading runbooks and channels: every problem names file:line and the field to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from outagecomms.errors import ConfigError, NotFoundError
from outagecomms.project import Project, find_project_root, load_channel, load_runbook
from tests.factories import runbook_data, write_channel, write_runbook


def problems_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_runbook(path)
    return str(caught.value)


def test_a_valid_runbook_loads(empty_project: Path) -> None:
    loaded = load_runbook(write_runbook(empty_project, runbook_data()))
    assert loaded.runbook.id == "sample"


def test_broken_yaml_names_file_and_line(empty_project: Path) -> None:
    path = write_runbook(empty_project, "id: sample\ntitle: [unclosed\nsummary: x\n")
    message = problems_of(path)
    assert "runbooks/sample.yaml:3: invalid YAML" in message


def test_duplicate_key_is_an_error_with_its_line(empty_project: Path) -> None:
    path = write_runbook(empty_project, "id: sample\ntitle: a\ntitle: b\n")
    assert "sample.yaml:3: duplicate key 'title'" in problems_of(path)


def test_unknown_key_is_rejected_with_its_line(empty_project: Path) -> None:
    data = runbook_data()
    data["colour"] = "red"
    message = problems_of(write_runbook(empty_project, data))
    assert "colour: unknown key" in message
    assert "sample.yaml:" in message


def test_missing_message_language_names_the_field(empty_project: Path) -> None:
    data = runbook_data(languages=("en", "fa"))
    del data["messages"]["resolved"]["short"]["fa"]
    message = problems_of(write_runbook(empty_project, data))
    assert "messages.resolved.short.fa: missing (languages lists fa)" in message


def test_missing_message_points_at_the_format_line(empty_project: Path) -> None:
    data = runbook_data(languages=("en", "fa"))
    del data["messages"]["resolved"]["short"]["fa"]
    path = write_runbook(empty_project, data)
    lines = path.read_text(encoding="utf-8").splitlines()
    message = problems_of(path)
    line = int(message.split(":")[1])
    assert lines[line - 1].strip() == "short:"
    assert lines[line - 2].strip().startswith("fa:") or "resolved" in "".join(lines[:line])


def test_message_in_unlisted_language_is_an_error(empty_project: Path) -> None:
    data = runbook_data(languages=("en",))
    data["messages"]["update"]["chat"]["de"] = "Hallo"
    assert "messages.update.chat.de: de is not in languages" in problems_of(
        write_runbook(empty_project, data)
    )


def test_missing_required_phase_is_an_error(empty_project: Path) -> None:
    data = runbook_data()
    del data["messages"]["monitoring"]
    assert "messages.monitoring: missing" in problems_of(write_runbook(empty_project, data))


def test_postmortem_phase_is_optional(empty_project: Path) -> None:
    data = runbook_data()
    del data["messages"]["postmortem"]
    assert load_runbook(write_runbook(empty_project, data)).runbook.id == "sample"


def test_id_must_match_file_name(empty_project: Path) -> None:
    path = write_runbook(empty_project, runbook_data("sample"), name="other")
    assert "rename the file to sample.yaml" in problems_of(path)


def test_id_must_be_kebab_case(empty_project: Path) -> None:
    path = write_runbook(empty_project, runbook_data("Bad_Id"), name="Bad_Id")
    assert "id: 'Bad_Id' is not kebab-case" in problems_of(path)


def test_cadence_needs_a_unit(empty_project: Path) -> None:
    data = runbook_data()
    data["cadence"] = {"major": 30}
    assert "cadence.major: 30 has no unit" in problems_of(write_runbook(empty_project, data))


def test_cadence_accepts_seconds_minutes_hours(empty_project: Path) -> None:
    data = runbook_data()
    data["cadence"] = {"critical": "90s", "major": "15m", "minor": "2h"}
    runbook = load_runbook(write_runbook(empty_project, data)).runbook
    assert [int(v.total_seconds()) for v in runbook.cadence.values()] == [90, 900, 7200]


def test_unknown_template_variable_suggests_the_declared_one(empty_project: Path) -> None:
    data = runbook_data()
    data["messages"]["update"]["chat"]["en"] = "Still {{ impcat }}."
    message = problems_of(write_runbook(empty_project, data))
    assert "messages.update.chat.en: unknown variable 'impcat'; did you mean 'impact'?" in message


def test_template_syntax_error_names_the_line_inside_a_block(empty_project: Path) -> None:
    data = runbook_data()
    data["messages"]["update"]["long"]["en"]["body"] = "PLACEHOLDER"
    text = yaml.safe_dump(data, sort_keys=False).replace(
        "body: PLACEHOLDER",
        "body: |\n          Line one\n          Line two {% endfor %}\n          three",
    )
    path = write_runbook(empty_project, text)
    message = problems_of(path)
    assert "messages.update.long.en.body: template syntax error" in message
    line = int(message.split(":")[1])
    assert "{% endfor %}" in path.read_text(encoding="utf-8").splitlines()[line - 1]


def test_next_update_is_not_promised_after_resolution(empty_project: Path) -> None:
    data = runbook_data()
    data["messages"]["resolved"]["chat"]["en"] = "Resolved. Next update {{ next_update_at }}"
    assert "no update is promised after resolution" in problems_of(
        write_runbook(empty_project, data)
    )


def test_variable_example_longer_than_max_length_is_an_error(empty_project: Path) -> None:
    data = runbook_data()
    data["variables"]["impact"]["example"] = "x" * 81
    assert "longer than max_length 80" in problems_of(write_runbook(empty_project, data))


def test_required_variable_cannot_have_a_default(empty_project: Path) -> None:
    data = runbook_data()
    data["variables"]["impact"]["default"] = "something"
    assert "a required variable has no default" in problems_of(write_runbook(empty_project, data))


def test_all_problems_of_a_file_are_counted(empty_project: Path) -> None:
    data = runbook_data(languages=("en", "fa"))
    del data["messages"]["resolved"]["short"]["fa"]
    del data["messages"]["update"]["chat"]["fa"]
    assert "(and 1 more; `outagecomms lint` lists them all)" in problems_of(
        write_runbook(empty_project, data)
    )


def test_a_file_that_is_not_a_mapping_is_an_error(empty_project: Path) -> None:
    assert "expected a mapping" in problems_of(write_runbook(empty_project, "- a\n- b\n"))


def test_channel_with_unknown_kind_names_the_field(empty_project: Path) -> None:
    path = write_channel(empty_project, name="pager", kind="pager")
    with pytest.raises(ConfigError, match=r"pager\.yaml:1: kind: Input should be 'email'"):
        load_channel(path)


def test_channel_time_zone_must_exist(empty_project: Path) -> None:
    path = write_channel(empty_project, name="hook", timezone="Europe/Atlantis")
    with pytest.raises(ConfigError, match="not an IANA time zone"):
        load_channel(path)


def test_max_segments_is_for_sms_only(empty_project: Path) -> None:
    path = write_channel(empty_project, name="hook", max_segments=2)
    with pytest.raises(ConfigError, match="max_segments applies to sms channels only"):
        load_channel(path)


def test_channel_format_defaults_by_kind(empty_project: Path) -> None:
    formats = {
        kind: load_channel(
            write_channel(empty_project, name=f"c-{kind}", kind=kind)
        ).channel.effective_format.value
        for kind in ("email", "telegram", "x", "sms", "bluesky")
    }
    assert formats == {
        "email": "long",
        "telegram": "chat",
        "x": "short",
        "sms": "short",
        "bluesky": "short",
    }


def test_project_is_found_from_a_subdirectory(empty_project: Path) -> None:
    nested = empty_project / "a" / "b"
    nested.mkdir(parents=True)
    assert find_project_root(start=nested) == empty_project.resolve()


def test_no_project_is_a_not_found_error_naming_the_fix(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="pass --project DIR or set OUTAGECOMMS_PROJECT"):
        find_project_root(start=tmp_path)


def test_project_env_variable_is_used(empty_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTAGECOMMS_PROJECT", str(empty_project))
    assert find_project_root() == empty_project


def test_unknown_runbook_lists_the_known_ones(empty_project: Path) -> None:
    write_runbook(empty_project, runbook_data("sample"))
    with pytest.raises(NotFoundError, match=r"no runbook 'nope'.*known: sample"):
        Project(empty_project).runbook("nope")


def test_a_project_reads_each_runbook_file_once(empty_project: Path) -> None:
    write_runbook(empty_project, runbook_data("db-down"))
    project = Project(empty_project)
    first = project.runbook("db-down")
    (empty_project / "runbooks" / "db-down.yaml").write_text("broken: [", encoding="utf-8")
    assert project.runbook("db-down") is first


def test_a_new_project_sees_a_runbook_edited_on_disk(empty_project: Path) -> None:
    write_runbook(empty_project, runbook_data("db-down"))
    Project(empty_project).runbook("db-down")
    (empty_project / "runbooks" / "db-down.yaml").write_text("broken: [", encoding="utf-8")
    with pytest.raises(ConfigError):
        Project(empty_project).runbook("db-down")
