"""The wheel carries what an installed warroom needs at run time: the themes, the stylesheet and the export templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from tests.conftest import REPO_ROOT


def test_the_wheel_ships_the_built_in_themes_and_stylesheet(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("warroom-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for theme in ("warroom-dark", "warroom-light", "warroom-high-contrast"):
        assert f"warroom/themes/{theme}.toml" in names
    assert "warroom/tui/app.tcss" in names
    assert {"warroom/export/templates/postmortem.md.j2", "warroom/export/templates/postmortem.html.j2"} <= names
    assert not any(name.startswith("tests/") for name in names)
