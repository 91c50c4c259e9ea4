"""Tab completion, driven in the real shells: bash's completion function and fish's
``complete -C`` call the real ``warroom`` (argcomplete answering from the parser), and
incident ids come from a temporary file store."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# Feeds a command line to the function `complete -F` registered, as bash does on TAB,
# and prints one completion a line.
_BASH_DRIVER = r"""
source "$1"
COMP_LINE="$2"
COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_TYPE=9
function=$(complete -p warroom | sed -E 's/.* -F ([^ ]+) .*/\1/')
"$function" warroom "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""

# Types a command line and TAB into an interactive zsh (compinit, the script on $fpath as a
# user installs it) and returns once the completed text appears on its terminal.
_ZSH_DRIVER = r"""
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u"
zpty -w -n z "$2"$'\t'
zpty -r z out "*$3*"
zpty -d z
"""


@pytest.fixture
def shell_env(tmp_path: Path, store_dir: Path) -> dict[str, str]:
    """``warroom`` on PATH runs this worktree's code; the store is ``store_dir``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "warroom"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m warroom "$@"\n')
    launcher.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["WARROOM_STORE"] = str(store_dir)
    return env


def _script(shell: str, env: dict[str, str], tmp_path: Path) -> Path:
    result = subprocess.run(["warroom", "completion", shell], capture_output=True, text=True, env=env, timeout=60, check=True)
    path = tmp_path / f"warroom.{shell}"
    path.write_text(result.stdout)
    return path


def _bash_completions(line: str, script: Path, env: dict[str, str]) -> list[str]:
    result = subprocess.run(
        ["bash", "--norc", "-c", _BASH_DRIVER, "driver", str(script), line],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )
    return [word.strip() for word in result.stdout.splitlines() if word.strip()]


def _require(shell: str) -> None:
    """A shell the machine lacks skips its test, loudly; in CI (where .ci/run installs it) it fails."""
    if shutil.which(shell) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {shell} is not installed: .ci/run installs it with apt-get")
        pytest.skip(f"{shell} is not installed here (apt-get install {shell})")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_printed_script_is_valid_for_its_shell(shell, shell_env, tmp_path):
    _require(shell)
    script = _script(shell, shell_env, tmp_path)
    check = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    assert "warroom" in script.read_text()


def test_bash_completes_commands_choices_and_the_stores_incident_ids(cli, shell_env, tmp_path):
    cli("declare", "INC-42", "--title", "checkout is down")
    cli("declare", "INC-7", "--title", "search is slow")
    script = _script("bash", shell_env, tmp_path)

    assert _bash_completions("warroom jo", script, shell_env) == ["join"]
    assert _bash_completions("warroom show ", script, shell_env) == ["INC-42", "INC-7"]
    assert _bash_completions("warroom show inc-4", script, shell_env) == ["inc-42"]  # the CLI takes any case
    assert _bash_completions("warroom ws claim INC-", script, shell_env) == ["INC-42", "INC-7"]
    assert _bash_completions("warroom sev INC-42 ", script, shell_env) == ["1", "2", "3", "4"]
    assert "completion" in _bash_completions("warroom ", script, shell_env)
    assert "--title" in _bash_completions("warroom declare --", script, shell_env)


def test_ids_come_from_the_folder_named_on_the_command_line(cli, shell_env, tmp_path):
    other = tmp_path / "other-store"
    other.mkdir()
    cli("declare", "INC-9", "--title", "elsewhere", "--store", str(other))
    cli("declare", "INC-1", "--title", "here")
    script = _script("bash", shell_env, tmp_path)

    assert _bash_completions(f"warroom show --store {other} INC", script, shell_env) == ["INC-9"]
    assert _bash_completions(f"warroom --store {other} show INC", script, shell_env) == ["INC-9"]
    assert _bash_completions("warroom show INC", script, shell_env) == ["INC-1"]


def test_fish_completes_a_command_and_an_incident_id(cli, shell_env, tmp_path):
    _require("fish")
    cli("declare", "INC-42", "--title", "checkout is down")
    script = _script("fish", shell_env, tmp_path)
    code = f"source {script}; complete -C 'warroom jo'; complete -C 'warroom show IN'"
    result = subprocess.run(["fish", "--no-config", "-c", code], capture_output=True, text=True, env=shell_env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["join", "INC-42"]


@pytest.mark.parametrize(("typed", "shown"), [("warroom jo", "join"), ("warroom show IN", "INC-42")])
def test_zsh_completes_a_command_and_an_incident_id(typed, shown, cli, shell_env, tmp_path):
    _require("zsh")
    cli("declare", "INC-42", "--title", "checkout is down")
    functions = tmp_path / "zfunc"
    functions.mkdir()
    _script("zsh", shell_env, tmp_path).rename(functions / "_warroom")
    driver = subprocess.Popen(
        ["zsh", "-f", "-c", _ZSH_DRIVER, "driver", str(functions), typed, shown],
        env=shell_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        _, errors = driver.communicate(timeout=30)  # returns once the completion is on the screen
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
            driver.wait()
    assert driver.returncode == 0, errors


def test_only_incident_files_complete_and_a_server_is_never_asked(store_dir):
    from warroom.cli.completion import incident_ids

    for name in ("INC-3.jsonl", "OPS-12.jsonl", ".INC-3.checkpoint", "notes.txt", "inc-5.jsonl", "bad..id.jsonl"):
        (store_dir / name).write_text("")
    assert incident_ids("", Namespace(store=str(store_dir))) == ["INC-3", "OPS-12"]
    assert incident_ids("o", Namespace(store=str(store_dir))) == ["oPS-12"]
    assert incident_ids("", Namespace(store=str(store_dir / "missing"))) == []
    assert incident_ids("", Namespace(server="http://127.0.0.1:9")) == []


def test_a_command_that_is_not_completing_never_imports_argcomplete():
    """Start-up cost: argcomplete loads only on TAB or for `warroom completion`."""
    code = "import sys, warroom.cli; warroom.cli.build_parser(); print('argcomplete' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert result.stdout.strip() == "False"


def test_an_unknown_shell_is_one_usage_error(cli):
    result = cli("completion", "tcsh", actor=None, check=False)
    assert result.returncode == 2
    assert "invalid choice: 'tcsh'" in result.stderr
    assert "Traceback" not in result.stderr
