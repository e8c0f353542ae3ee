"""The test suite's own layout: every test module stands on its own.

A test module never imports another test module (pytest would also collect the imported module's tests
into the importer, and moving or renaming one breaks the other), and no module imports a fixture: shared
fixtures live in a conftest.py, where pytest finds them for every module beneath it, and shared helpers in
helper modules (tests/helpers.py, tests/interop.py, tests/fixture_timeline.py, …).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_file(importer: Path, root: Path, level: int, module: str | None) -> Path | None:
    """The file of ours an import names (a module, or a package's __init__.py), else None."""
    if level:
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
    elif module and module.split(".")[0] == root.name:
        base, module = root.parent, module
    else:
        return None
    target = base.joinpath(*module.split(".")) if module else base
    if target.with_suffix(".py").is_file():
        return target.with_suffix(".py")
    if (target / "__init__.py").is_file():
        return target / "__init__.py"
    return None


def _is_fixture(decorator: ast.expr) -> bool:
    called = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(called, ast.Attribute) and called.attr == "fixture") or (
        isinstance(called, ast.Name) and called.id == "fixture"
    )


def _fixtures_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and any(_is_fixture(d) for d in node.decorator_list)
    }


def _imports(path: Path) -> list[tuple[int, int, str | None, list[str]]]:
    """(line, level, module, names) of each import in the file; ``import a.b`` as (line, 0, "a.b", [])."""
    found: list[tuple[int, int, str | None, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.level, node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, 0, alias.name, []) for alias in node.names]
    return found


def problems(root: Path) -> list[str]:
    """Every import under ``root`` that breaks the rules above, as "file:line: what"."""
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root.parent)
        for line, level, module, names in _imports(path):
            targets = [(_imported_file(path, root, level, module), names)]
            # `from . import test_other` names modules, not things in the package.
            targets += [
                (_imported_file(path, root, level, f"{module}.{name}" if module else name), [])
                for name in names
            ]
            for target, imported in targets:
                if target is None:
                    continue
                if path.name.startswith("test_") and target.name.startswith("test_"):
                    found.append(f"{where}:{line}: imports the test module {target.relative_to(root.parent)}")
                for fixture in sorted(set(imported) & _fixtures_of(target)):
                    shared = target.relative_to(root.parent)
                    found.append(f"{where}:{line}: imports the fixture {fixture} from {shared}")
    return found


def test_no_test_module_imports_another_or_a_fixture():
    assert problems(TESTS) == []


def test_the_check_finds_a_test_module_or_a_fixture_imported(tmp_path):
    """The check itself, on a small suite that breaks both rules (so that it is seen to fail)."""
    suite = tmp_path / "tests"
    (suite / "admin").mkdir(parents=True)
    for package in (suite, suite / "admin"):
        (package / "__init__.py").write_text("")
    (suite / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture\ndef server():\n    return 1\n\n\ndef make_app():\n    return 2\n"
    )
    (suite / "helpers.py").write_text("def make_event():\n    return 3\n")
    (suite / "test_imports.py").write_text("SHEET = 'sheet.csv'\n")
    (suite / "admin" / "test_fine.py").write_text(
        "from ..conftest import make_app\nfrom ..helpers import make_event\nimport tests.helpers\n"
    )
    (suite / "admin" / "test_uploads.py").write_text(
        "from ..test_imports import SHEET\nfrom .. import test_imports\nimport tests.test_imports\n"
        "from ..conftest import server\n"
    )
    assert problems(suite) == [
        "tests/admin/test_uploads.py:1: imports the test module tests/test_imports.py",
        "tests/admin/test_uploads.py:2: imports the test module tests/test_imports.py",
        "tests/admin/test_uploads.py:3: imports the test module tests/test_imports.py",
        "tests/admin/test_uploads.py:4: imports the fixture server from tests/conftest.py",
    ]
