"""Layers point one way, tui -> core: the engine imports no textual, rich or tui.

The layers are declared as import-linter contracts in pyproject.toml
(`[tool.importlinter]`); `test_import_contracts_are_kept` runs them.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
FORBIDDEN = ("textual", "rich", "peersnap.tui")
CORE_FILES = sorted([*CORE.glob("*.py"), *CORE.glob("commands/*.py")])


def imported_modules(path: Path) -> list[str]:
    """Every module an `import` or `from ... import` in the file names (absolute ones)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module", "__import__"
        ):
            names += [arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return names


def is_forbidden(name: str) -> bool:
    return any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)


def test_there_is_a_core_to_check():
    names = {path.name for path in CORE_FILES}
    assert {"engine.py", "session.py", "rules.py", "snapshot_cmds.py"} <= names


@pytest.mark.parametrize("path", CORE_FILES, ids=[str(p.relative_to(CORE)) for p in CORE_FILES])
def test_core_module_imports_no_ui(path):
    bad = [name for name in imported_modules(path) if is_forbidden(name)]
    assert not bad, f"{path.relative_to(CORE.parent)} imports {bad}"


def test_importing_all_of_core_loads_no_ui_package():
    code = (
        "import importlib, pkgutil, sys\n"
        "import peersnap.core as core\n"
        "for info in pkgutil.walk_packages(core.__path__, 'peersnap.core.'):\n"
        "    importlib.import_module(info.name)\n"
        "from peersnap.core.session import Session\n"
        "Session(allow_files=False).run('mmpsnap fs1 create -j sw --wait')\n"
        f"bad = sorted(m for m in sys.modules if any(m == b or m.startswith(b + '.') for b in {FORBIDDEN!r}))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=CORE.parent.parent, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"core pulled in: {done.stdout.strip()}"


def lint_imports(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter's contracts on this working tree's source.

    The folders install as peersnap.core, peersnap.tui and peersnap.themes
    (package-dir), which an editable install serves through an import hook
    that import-linter's graph builder cannot walk; so the test lays out the
    `peersnap` package with symlinks to the working tree and points at that."""
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        found = shutil.which("lint-imports")
        assert found, "lint-imports is missing: pip install -e '.[test]' installs import-linter"
        exe = Path(found)
    package = tmp_path / "peersnap"
    package.mkdir()
    for name in ("__init__.py", "__main__.py"):
        (package / name).symlink_to(ROOT / "package" / name)
    for folder in ("core", "tui", "themes"):
        (package / folder).symlink_to(ROOT / folder, target_is_directory=True)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run([str(exe), str(ROOT / "pyproject.toml")], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env=env, check=False)


def test_import_contracts_are_kept(tmp_path):
    done = lint_imports(tmp_path)
    assert "Analyzed" in done.stdout, done.stdout + done.stderr  # it read our source, not nothing
    assert done.returncode == 0, done.stdout + done.stderr
    assert " KEPT" in done.stdout and "BROKEN" not in done.stdout


def test_no_folder_at_the_root_shadows_the_installed_package():
    """`python -m pytest` and `python -m peersnap` put the checkout's root on sys.path; a
    `peersnap/` folder there would hide the installed package's core, tui and themes (CI
    installs the wheel, not an editable copy). The top package lives in `package/`."""
    assert not (CORE.parent / "peersnap").exists()
    assert (CORE.parent / "package" / "__init__.py").is_file()
