"""Modules the first frame does not need, loaded when first used (issue 16: the start imports
only what its first frame needs).

`later("peersnap.core.commands")` is that module, not yet run: the first attribute read
through it (`commands.REGISTRY`) imports it whole, as an import statement would, and from
then on it is the plain module (importlib's `LazyLoader`). A module that holds such a
handle reads names through it instead of importing them; any module that imports the
same module by name loads it there, as usual. The command modules, the command line's
parser and the explanations (`why`) are about a tenth of peersnap's import time, which the
dashboard's first frame spent before this on modules it never ran; the first command
typed pays it instead (~5 ms, once).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def later(name: str) -> ModuleType:
    """`name` (absolute), loaded at the first attribute read through it (already loaded: itself)."""
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def loaded(name: str) -> bool:
    """Whether `name` has run (a handle `later` made that nothing has read through is not loaded)."""
    found = sys.modules.get(name)
    return found is not None and type(found) is not importlib.util._LazyModule  # type: ignore[attr-defined]
