"""deploy/: the systemd unit passes ``systemd-analyze verify``, and the command the unit and the
container file run is one the real parser accepts (a renamed flag breaks this test, not a
production restart). No container runtime is assumed: the container file is read, not built."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tomllib
from argparse import Namespace

import pytest

from tests.conftest import REPO_ROOT
from warroom.cli.parser import build_parser, parse
from warroom.cli.serving import cmd_serve

DEPLOY = REPO_ROOT / "deploy"
UNIT = DEPLOY / "warroom.service"
CONTAINERFILE = DEPLOY / "Containerfile"


def _parsed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Namespace:
    try:
        return parse(build_parser(), argv)
    except SystemExit:
        pytest.fail(f"warroom {' '.join(argv)}: the parser refuses it: {capsys.readouterr().err.strip()}")


def _service_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line and not line.startswith("#") and section == "Service":
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def _final_stage() -> list[tuple[str, str]]:
    """The last stage's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            if word.upper() == "FROM":
                instructions = []
            instructions.append((word.upper(), rest.strip()))
    return instructions


def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (Debian: apt-get install systemd)")
    # verify insists that ExecStart's program exists: stand in for /opt/warroom/bin/warroom
    stand_in = tmp_path / "warroom"
    stand_in.write_text("#!/bin/sh\n")
    stand_in.chmod(0o755)
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/warroom/bin/warroom", str(stand_in)))
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    said = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, said
    assert said == "", said  # an unknown key or a bad value is only a warning: none is allowed


def test_the_unit_runs_warroom_serve_unprivileged_and_hardened(capsys):
    settings = _service_settings()
    (exec_start,) = settings["ExecStart"]
    program, *argv = shlex.split(exec_start)
    assert program == "/opt/warroom/bin/warroom"
    assert _parsed(argv, capsys).run is cmd_serve
    assert settings["User"] not in (["root"], ["0"])
    for setting, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
        "StateDirectory": "warroom",
        "ReadWritePaths": "/var/lib/warroom",
    }.items():
        assert settings.get(setting) == [value], setting
    assert any(value.startswith("WARROOM_DB=postgresql://") for value in (DEPLOY / "warroom.env").read_text().splitlines())


def test_the_container_runs_warroom_serve_with_flags_the_parser_accepts(capsys):
    stage = _final_stage()
    last = {word: rest for word, rest in stage}  # the last of each instruction is the one in force
    entrypoint, cmd = json.loads(last["ENTRYPOINT"]), json.loads(last["CMD"])  # exec form: signals reach warroom
    assert entrypoint == ["warroom"]
    args = _parsed(cmd, capsys)
    assert args.run is cmd_serve
    assert last["EXPOSE"] == str(args.port)
    assert f"127.0.0.1:{args.port}/healthz" in last["HEALTHCHECK"]
    assert last["USER"].split(":")[0] not in ("root", "0")


def test_the_container_builds_from_files_that_exist_and_extras_that_exist():
    text = re.sub(r"\\\n\s*", " ", CONTAINERFILE.read_text())
    for line in text.splitlines():
        words = line.split()
        if words and words[0] == "COPY" and not any(word.startswith("--from") for word in words):
            for source in words[1:-1]:
                assert (REPO_ROOT / source).exists(), source
    extras = set(tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    wanted = re.findall(r"\.whl\)\[([a-z,]+)\]", text)
    assert wanted and set(",".join(wanted).split(",")) <= extras
