"""The documentation stays true and whole: the docs site builds with ``mkdocs build --strict`` (a
broken link, a missing anchor or a page left out of the nav fails it), the pages generated from
the code (the CLI reference, the board picture) match what ``scripts/docs.py`` writes today, and
the README stays a short front page whose links all lead somewhere."""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import REPO_ROOT
from warroom.cli.parser import build_parser

README = REPO_ROOT / "README.md"


def docs_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("warroom_docs_script", REPO_ROOT / "scripts" / "docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(REPO_ROOT / "mkdocs.yml"), "--site-dir", str(site)],
        capture_output=True, text=True, cwd=REPO_ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (site / "cli" / "index.html").is_file()
    assert (site / "images" / "board.svg").is_file()
    # configuration.md includes the example config verbatim (pymdownx.snippets), not a copy
    example_line = "[[notify]]"
    assert example_line in (REPO_ROOT / "warroom.toml.example").read_text()
    assert example_line in (site / "configuration" / "index.html").read_text()


def test_the_generated_pages_are_current() -> None:
    stale = docs_script().stale()
    assert not stale, f"{[str(p.relative_to(REPO_ROOT)) for p in stale]} out of date: run python scripts/docs.py"


def test_the_cli_reference_names_every_command_and_option() -> None:
    reference = docs_script().cli_reference()

    def walk(path: str, parser: argparse.ArgumentParser) -> None:
        assert f"`{path}`" in reference, f"{path} missing from the CLI reference"
        for action in parser._actions:
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
                continue
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(f"{path} {name}", sub)
                continue
            for flag in action.option_strings:
                assert flag in reference, f"{path} {flag} missing from the CLI reference"

    walk("warroom", build_parser())


def test_the_readme_is_a_short_front_page_with_the_board() -> None:
    readme = README.read_text()
    assert len(readme.splitlines()) <= 200
    assert "![" in readme and "(docs/images/board.svg)" in readme
    assert "```sh\nbash .ci/run\n```" in readme


def test_every_relative_link_in_the_readme_and_the_contributor_docs_exists() -> None:
    for name in ("README.md", "ARCHITECTURE.md", "CONTRIBUTING.md"):
        text = (REPO_ROOT / name).read_text()
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            assert (REPO_ROOT / target.split("#")[0]).exists(), f"{name} links to {target}, which does not exist"
