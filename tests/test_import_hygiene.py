"""The domain stays pure and start-up stays fast: importing it pulls in no UI, HTTP or server code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def _python(code: str) -> str:
    """What a fresh interpreter prints running ``code`` in the repository."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True).stdout


@pytest.mark.parametrize("module", ["warroom.incident", "warroom.room", "warroom.store", "warroom.cli", "warroom.safetext"])
def test_import_pulls_in_no_textual_httpx_or_server(module):
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'httpx', 'fastapi', 'uvicorn', 'starlette')))"
    )
    assert _python(code).strip() == "[]"


def test_the_boards_view_logic_imports_no_textual():
    """``warroom.tui.model`` is the board's pure view logic: every module of it loads without Textual."""
    from pathlib import Path

    modules = sorted(f"warroom.tui.model.{p.stem}" for p in Path(REPO_ROOT, "warroom", "tui", "model").glob("*.py") if p.stem != "__init__")
    assert len(modules) >= 8
    code = f"import sys, {', '.join(modules)}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    assert _python(code).strip() == "[]"


def test_the_board_and_the_cli_import_no_private_name_of_another_module():
    """A name another module uses is public: no ``from x import _name`` in ``warroom/tui`` or ``warroom/cli``."""
    import ast

    offenders = []
    for package in ("tui", "cli"):
        for path in sorted((REPO_ROOT / "warroom" / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                    offenders += [f"{path.relative_to(REPO_ROOT)}: {alias.name}" for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert offenders == []


def test_the_domain_imports_nothing_of_ours_outside_it():
    """Save ``warroom.limits``: the text limits as plain constants, a leaf that imports nothing,
    so the board's first frame can size its forms without loading pydantic and the domain."""
    code = "import sys, warroom.incident; print(sorted(m for m in sys.modules if m.startswith('warroom.') and not m.startswith('warroom.incident')))"
    assert _python(code).strip() == "['warroom.limits']"
    assert _python("import sys, warroom.limits; print(sorted(m for m in sys.modules if m.startswith('warroom')))").strip() == "['warroom', 'warroom.limits']"


def test_the_server_imports_neither_the_file_store_nor_the_cli_config():
    """``warroom.store.base`` is the interface; loading it must not load the file store (fcntl) or config."""
    code = (
        "import sys, warroom.server.app; "
        "print(sorted(m for m in sys.modules if m in ('warroom.config', 'warroom.store.file', 'warroom.store.http')))"
    )
    assert _python(code).strip() == "[]"


def test_the_http_store_does_not_load_the_file_store():
    code = "import sys, warroom.store.http; print('warroom.store.file' in sys.modules)"
    assert _python(code).strip() == "False"


def test_the_board_never_imports_the_cli_not_even_for_types():
    """Arrows point one way: the CLI opens the board; the board takes a ``warroom.session.Session``."""
    import ast

    offenders = []
    for path in sorted((REPO_ROOT / "warroom" / "tui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[:2] == ["warroom", "cli"]:
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []


def test_importing_the_cli_builds_no_pydantic_model():
    """Start-up: models are built on first use (``defer_build``), so the import chain of
    ``warroom join`` builds none, and parsing a stored event builds only what it needs."""
    code = (
        "import sys, warroom.cli, warroom.config; from pydantic import BaseModel\n"
        "from warroom.incident import events as ev\n"
        "def built():\n"
        "    return sorted({c.__name__ for name, m in list(sys.modules.items()) if name.startswith('warroom')\n"
        "                  for c in vars(m).values() if isinstance(c, type) and issubclass(c, BaseModel)\n"
        "                   and c is not BaseModel and c.__pydantic_complete__})\n"
        "print(built())\n"
        "ev.parse_stored(ev.dump_stored(ev.StoredEvent(seq=1, id=ev.uuid4(), at=ev.utcnow(), actor='a',\n"
        "    body=ev.IncidentDeclared.model_construct(incident_id='INC-1', title='t'))))\n"
        "print(built())\n"
    )
    assert _python(code).splitlines() == ["[]", "['StoredEvent']"]


def test_importing_the_http_store_builds_no_second_validator_of_stored_events():
    """A ``TypeAdapter(list[StoredEvent])`` at module level built the whole event schema again (~28 ms)
    on an HTTP board's way to its first frame; a page is parsed by ``events.parse_stored_array``,
    whose validator is made on first use over ``StoredEvent``'s own."""
    code = (
        "import sys, warroom.store.http; from pydantic import TypeAdapter\n"
        "print(sorted(f'{name}.{key}' for name, m in list(sys.modules.items()) if name.startswith('warroom')\n"
        "             for key, value in vars(m).items() if isinstance(value, TypeAdapter) and 'StoredEvent' in str(value._type)))\n"
    )
    assert _python(code).strip() == "[]"
