"""The playbook loader: built-ins, user files that add or replace one, and bad files named with
their line and reason (never a stop)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.playbooks import MAX_COPY_BYTES, PlaybookError, load_playbook_file, load_playbooks


def test_the_built_ins_load_and_data_loss_has_a_required_public_customers_affected(tmp_path: Path) -> None:
    loaded = load_playbooks(tmp_path / "none")
    assert loaded.problems == [] and sorted(loaded.playbooks) == ["data-loss", "default", "outage", "security"]
    field = next(f for f in loaded.get("data-loss").fields if f.name == "customers_affected")
    assert (field.kind, field.required, field.public) == ("int", True, True)
    assert loaded.get("DATA-LOSS").name == "data-loss"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('severity = 9\n', "line 1: severity: Input should be less than or equal to 4"),
        ('description = "x"\n\n[[fields]]\nname = "a"\nlabel = "A"\n\n[[fields]]\nname = "b"\nlabel = "B"\nkind = "choice"\n',
         "line 7: fields.1: Value error, field 'b' is a choice: give its choices"),
        ('[[checklist]]\ntext = "ok"\n[[checklist]]\ntext = "   "\n', "line 4: checklist.1.text: Value error, must not be blank"),
        # the events' own test of blankness: zero-width spaces and a Hangul filler show nothing either
        ('[[checklist]]\ntext = "ok"\n[[checklist]]\ntext = "\u200b\u3164"\n', "line 4: checklist.1.text: Value error, must not be blank"),
        ('[policy]\nupdate_minutes_sev9 = 3\n', "line 2: policy.update_minutes_sev9: Extra inputs are not permitted"),
        ('[policy]\nupdate_minutes_sev1 = 0\n', "line 2: policy.update_minutes_sev1: Input should be greater than or equal to 1"),
        ('name = "other"\n', "line 1: name = 'other' differs from the file name (queue)"),
        ('colour = "red"\n', "line 1: colour: Extra inputs are not permitted"),
        ('severity = \n', "not valid TOML"),
    ],
)
def test_a_bad_file_is_named_with_its_line_and_reason(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "queue.toml").write_text(text)
    loaded = load_playbooks(tmp_path)
    assert "queue" not in loaded.playbooks and len(loaded.playbooks) == 4
    assert loaded.problems == [loaded.problems[0]] and loaded.problems[0].startswith(f"{tmp_path / 'queue.toml'}: ")
    assert problem in loaded.problems[0]
    with pytest.raises(PlaybookError, match="playbook 'queue' cannot be used"):
        loaded.get("queue")


def test_a_bad_name_or_too_big_a_playbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Bad Name.toml").write_text('description = "x"\n')
    items = "".join(f'[[checklist]]\ntext = "{"x" * 190} {n}"\n' for n in range(200))
    (tmp_path / "huge.toml").write_text(items)
    loaded = load_playbooks(tmp_path)
    assert any("Bad Name.toml: the file name must be a playbook name" in p for p in loaded.problems)
    assert any("huge.toml: too much for one declaration" in p and f"at most {MAX_COPY_BYTES:,}" in p for p in loaded.problems)


def test_a_user_file_replaces_the_built_in_of_its_name(tmp_path: Path) -> None:
    (tmp_path / "outage.toml").write_text('description = "ours"\nseverity = 4\n')
    loaded = load_playbooks(tmp_path)
    assert (loaded.get("outage").description, loaded.get("outage").severity) == ("ours", 4)
    assert loaded.sources["outage"] == str(tmp_path / "outage.toml") and loaded.sources["security"] == "built-in"
    with pytest.raises(PlaybookError, match=r"no playbook called 'nope' \(known: data-loss, default, outage, security\)"):
        loaded.get("nope")
    assert load_playbook_file(tmp_path / "outage.toml").name == "outage"


def test_a_playbook_may_override_every_policy_setting_and_only_those() -> None:
    from warroom.incident import DEFAULT_POLICY, Policy
    from warroom.incident.playbook import Playbook, PolicyOverrides

    assert set(PolicyOverrides.model_fields) == set(Policy.model_fields)
    playbook = Playbook(name="p", policy=PolicyOverrides(update_minutes_sev1=5))
    assert playbook.policy.model_dump_json() == '{"update_minutes_sev1":5}'  # the log's copy carries what was given
    assert playbook.with_policy(DEFAULT_POLICY) == DEFAULT_POLICY.model_copy(update={"update_minutes_sev1": 5})
    assert Playbook(name="q").with_policy(DEFAULT_POLICY) is DEFAULT_POLICY
