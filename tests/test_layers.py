"""Layers point one way, tui -> core: the engine imports no textual, rich or tui."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "core"
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
