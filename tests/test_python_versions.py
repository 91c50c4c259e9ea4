"""warroom runs on every Python it claims, and learns of a removal while it is still a warning.

``importlib.abc.Traversable`` warned on 3.12 and 3.13 and was gone in 3.14, where every command
failed at import. So: pyproject's classifiers and ``requires-python`` agree, every module imports
with our DeprecationWarnings as errors, and the suite's warning filter (pyproject) fails a test
on a DeprecationWarning raised from warroom's code while a library's own stay warnings.
``.ci/run`` runs the suite on the oldest supported Python and on the newest the machine has.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from tests.conftest import REPO_ROOT

_PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
_CLASSIFIER = re.compile(r"Programming Language :: Python :: 3\.(\d+)$")


def _our_deprecations_module_pattern() -> str:
    """The module regex of the suite's ``error::DeprecationWarning:…`` filter in pyproject."""
    filters = _PYPROJECT["tool"]["pytest"]["ini_options"]["filterwarnings"]
    (pattern,) = [f.split(":")[3] for f in filters if f.startswith("error::DeprecationWarning:")]
    return pattern


def test_the_classifiers_name_every_minor_python_from_requires_python_on():
    floor = re.fullmatch(r">=3\.(\d+)", _PYPROJECT["project"]["requires-python"])
    assert floor, "requires-python is a plain lower bound"
    minors = [int(m.group(1)) for c in _PYPROJECT["project"]["classifiers"] if (m := _CLASSIFIER.match(c))]
    assert minors == list(range(int(floor.group(1)), max(minors) + 1))
    assert max(minors) >= 14, "3.14 is the current stable release"
    assert sys.version_info[:2] >= (3, int(floor.group(1)))


def test_every_module_imports_without_a_deprecation_warning_of_ours():
    """A fresh interpreter, so nothing is imported (and warned about) before the filter is set."""
    code = (
        "import importlib, pkgutil, warnings\n"
        f"warnings.filterwarnings('error', category=DeprecationWarning, module={_our_deprecations_module_pattern()!r})\n"
        "import warroom\n"
        "names = [m.name for m in pkgutil.walk_packages(warroom.__path__, 'warroom.') if m.name != 'warroom.__main__']\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 100  # every module, not an empty walk


_WARNING_TESTS = '''
def _warn_from(module_name):
    code = "import warnings\\nwarnings.warn('old API', DeprecationWarning)\\n"
    exec(compile(code, module_name.replace(".", "/") + ".py", "exec"), {"__name__": module_name})

def test_from_a_warroom_module():
    _warn_from("warroom.store.file")

def test_from_the_warroom_package():
    _warn_from("warroom")

def test_from_a_library():
    _warn_from("textual.widgets")

def test_from_a_library_whose_name_starts_with_ours():
    _warn_from("warroomish")
'''


def test_the_suite_fails_on_our_deprecation_warnings_and_not_on_a_librarys(tmp_path):
    """The suite's own configuration (``-c pyproject.toml``), run on four tests that each warn
    from a different module: the filter matches the module a warning is attributed to."""
    (tmp_path / "test_warnings.py").write_text(_WARNING_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(REPO_ROOT / "pyproject.toml"), "-p", "no:cacheprovider", "-v",
         str(tmp_path / "test_warnings.py")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    outcomes = dict(re.findall(r"::(test_\w+) (PASSED|FAILED)", result.stdout))
    assert outcomes == {
        "test_from_a_warroom_module": "FAILED",
        "test_from_the_warroom_package": "FAILED",
        "test_from_a_library": "PASSED",
        "test_from_a_library_whose_name_starts_with_ours": "PASSED",
    }, result.stdout
    assert "DeprecationWarning: old API" in result.stdout
