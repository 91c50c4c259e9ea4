"""`warroom.toml.example` is what people copy: every key in it loads, every binding id it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from warroom.config import load_config
from warroom.tui.keys import KEY_IDS

EXAMPLE = Path(__file__).resolve().parents[2] / "warroom.toml.example"


def _keymap_section_lines() -> list[str]:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    start = lines.index("[ui.keymap]") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("[")), len(lines))
    return lines[start:end]


def test_the_example_loads_as_a_config(tmp_path: Path) -> None:
    copy = tmp_path / "warroom.toml"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    load_config(copy)


def test_every_binding_id_the_example_names_exists_even_in_comments() -> None:
    assignment = re.compile(r"^#?\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=")
    named = [m.group(1) for line in _keymap_section_lines() if (m := assignment.match(line))]
    assert named, "the example shows at least one remapping"
    assert [name for name in named if name not in KEY_IDS] == []
