"""The README's one test line is CI's (``bash .ci/run``), and ``.ci/run``'s list of what the newest
Python runs stays true: a renamed test file would otherwise fail CI only after the full suite."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import REPO_ROOT

CI_RUN = REPO_ROOT / ".ci" / "run"


def test_the_readme_test_line_is_ci_run():
    readme = REPO_ROOT.joinpath("README.md").read_text()
    assert "```sh\nbash .ci/run\n```" in readme
    assert "pip install -e '.[test]' && python3 -m pytest" not in readme  # the old line skipped what was missing


def test_ci_run_installs_what_the_readme_says_and_parses():
    script = CI_RUN.read_text()
    for step in ("apt_install chromium", "apt_install postgresql", "pip install -q -e '.[test]'", 'export CI="${CI:-1}"'):
        assert step in script
    subprocess.run(["bash", "-n", str(CI_RUN)], check=True)


def test_every_path_the_newest_python_runs_exists():
    listing = re.search(r"^NEWEST_PYTHON_TESTS=\(\n(.*?)^\)", CI_RUN.read_text(), re.M | re.S)
    assert listing
    paths = listing.group(1).split()
    assert len(paths) > 5
    for path in paths:
        assert list(REPO_ROOT.glob(path)), f"{path} in .ci/run matches nothing"
