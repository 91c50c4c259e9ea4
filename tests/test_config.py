"""Config: the example file is valid and complete, flags beat env beat file, bad files are clear."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.conftest import REPO_ROOT
from warroom.config import Config, ConfigError, load_config, resolve_handle, resolve_store, save_config
from warroom.words import validation_problem

EXAMPLE = REPO_ROOT / "warroom.toml.example"


def _keys(model, prefix=""):
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if hasattr(type(value), "model_fields"):
            yield from _keys(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def test_the_example_parses_and_documents_every_key():
    config = load_config(EXAMPLE)
    assert config == Config(ui=config.ui)  # the example's values are the defaults
    text = EXAMPLE.read_text()
    missing = [k for k in _keys(Config()) if f"{k.split('.')[-1]} =" not in text and f"[{k}]" not in text]
    assert missing == []


def test_policy_overrides_are_read(tmp_path):
    path = tmp_path / "w.toml"
    path.write_text("[policy]\nupdate_minutes_sev1 = 10\nfatigue_warn_hours = 3\n")
    config = load_config(path)
    assert config.policy.update_minutes_sev1 == 10 and config.policy.fatigue_warn_hours == 3


def test_unknown_keys_and_bad_values_are_named(tmp_path):
    path = tmp_path / "w.toml"
    path.write_text("[policy]\nfatige_warn_hours = 3\n")
    with pytest.raises(ConfigError, match="policy.fatige_warn_hours"):
        load_config(path)
    path.write_text("[server]\nport = 'eighty'\n")
    with pytest.raises(ConfigError, match="server.port"):
        load_config(path)


def test_save_round_trips_only_what_differs(tmp_path):
    path = tmp_path / "w.toml"
    config = Config()
    config.user.handle = "alice"
    save_config(config, path)
    assert tomllib.loads(path.read_text()) == {"user": {"handle": "alice"}}
    assert load_config(path).user.handle == "alice"


def test_handle_precedence(monkeypatch):
    config = Config()
    config.user.handle = "from-file"
    assert resolve_handle("flag", config) == "flag"
    monkeypatch.setenv("WARROOM_HANDLE", "from-env")
    assert resolve_handle(None, config) == "from-env"
    monkeypatch.delenv("WARROOM_HANDLE")
    assert resolve_handle(None, config) == "from-file"
    assert resolve_handle(None, Config())  # the login name, made valid


def test_store_precedence(monkeypatch, tmp_path):
    config = Config()
    config.store.folder = str(tmp_path / "file")
    assert resolve_store(config).folder == tmp_path / "file"
    monkeypatch.setenv("WARROOM_STORE", str(tmp_path / "env"))
    assert resolve_store(config).folder == tmp_path / "env"
    assert resolve_store(config, folder_flag=str(tmp_path / "flag")).folder == tmp_path / "flag"
    located = resolve_store(config, server_flag="http://127.0.0.1:1", token_flag="t")
    assert located.url == "http://127.0.0.1:1" and located.token == "t"
    monkeypatch.delenv("WARROOM_STORE")
    assert resolve_store(Config()).folder.name == "incidents"
    assert isinstance(resolve_store(Config()).folder, Path)


def test_a_folder_and_a_server_at_the_same_level_is_refused(monkeypatch, tmp_path):
    with pytest.raises(ConfigError, match=r"both --store and --server are set"):
        resolve_store(Config(), folder_flag=str(tmp_path), server_flag="http://127.0.0.1:1")
    monkeypatch.setenv("WARROOM_STORE", str(tmp_path))
    monkeypatch.setenv("WARROOM_SERVER", "http://127.0.0.1:1")
    with pytest.raises(ConfigError, match=r"both WARROOM_STORE and WARROOM_SERVER are set.*--store DIR or --server URL"):
        resolve_store(Config())
    monkeypatch.delenv("WARROOM_STORE")
    monkeypatch.delenv("WARROOM_SERVER")
    config = Config()
    config.store.folder = str(tmp_path)
    config.server.url = "http://127.0.0.1:1"
    with pytest.raises(ConfigError, match=r"both \[store\] folder in .* and \[server\] url are set"):
        resolve_store(config)


def test_a_higher_level_still_decides_alone(monkeypatch, tmp_path):
    both = Config()
    both.store.folder = str(tmp_path / "file")
    both.server.url = "http://file.example:1"
    monkeypatch.setenv("WARROOM_STORE", str(tmp_path / "env"))
    assert resolve_store(both).folder == tmp_path / "env"  # env beats an ambiguous file
    monkeypatch.setenv("WARROOM_SERVER", "http://env.example:1")
    assert resolve_store(both, server_flag="http://flag.example:1").url == "http://flag.example:1"  # flag beats env
    assert resolve_store(both, folder_flag=str(tmp_path / "flag")).folder == tmp_path / "flag"
    monkeypatch.delenv("WARROOM_STORE")
    assert resolve_store(both).url == "http://env.example:1"


def test_responder_time_zones_are_checked_and_keyed_by_handle(tmp_path):
    path = tmp_path / "w.toml"
    path.write_text('[responders.Alice]\ntz = "Europe/Berlin"\n[responders.bob]\n')
    assert load_config(path).time_zones() == {"alice": "Europe/Berlin"}
    path.write_text('[responders.alice]\ntz = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        load_config(path)


def test_a_file_of_a_few_sections_is_read_without_building_the_whole_models_validator(tmp_path):
    """Building ``Config``'s validator cost ~15 ms of a join's start: the sections a file names
    are validated on their own, and the result is what validating the whole file gives."""
    path = tmp_path / "w.toml"
    path.write_text('[user]\nhandle = "alice"\n[ui]\ntheme = "warroom-light"\nkeymap = { claim = "C" }\n[policy]\nupdate_minutes_sev1 = 10\n')
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from warroom.config import Config, load_config\n"
        "config = load_config(Path(sys.argv[1]))\n"
        "print(Config.__pydantic_complete__, config.user.handle, config.ui.keymap, config.policy.update_minutes_sev1)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split(maxsplit=1) == ["False", "alice {'claim': 'C'} 10\n"]
    whole = Config.model_validate(tomllib.loads(path.read_text()))
    assert load_config(path) == whole
    assert load_config(path).model_fields_set == whole.model_fields_set
    assert load_config(tmp_path / "none.toml") == Config()


def test_a_bad_section_is_refused_in_the_words_of_the_whole_file(tmp_path):
    path = tmp_path / "w.toml"
    for text, words in (
        ('[user]\nhandle = "alice"\n[server]\nport = 0\n', "server.port"),
        ("[user]\nhandel = 'alice'\n", "user.handel"),
        ("[uesr]\nhandle = 'alice'\n", "uesr"),
        ("user = 3\n", "user"),
        ("[[notify]]\nurl = ''\n", "notify.0.url"),
        ("[responders.alice]\ntz = 'Mars/Olympus'\n", "unknown time zone 'Mars/Olympus'"),
    ):
        path.write_text(text)
        with pytest.raises(ConfigError) as refused:
            load_config(path)
        with pytest.raises(ValidationError) as whole:
            Config.model_validate(tomllib.loads(text))
        assert str(refused.value).startswith(f"config {path}: ") and words in str(refused.value), str(refused.value)
        assert str(refused.value) == f"config {path}: {validation_problem(whole.value, default='', drop_indexes=False)}"
