"""The modules the first frame does not run are loaded at their first use (core/lazy.py; issue 16,
first frame): the commands, the line reader, completion, the explanations, the command line's
parser, a classroom seat's link. The dashboard's first frame loads none of them, and the first
command, Tab or `why` loads what it needs and works as before."""

from __future__ import annotations

import sys
import textwrap

import pytest
from peersnap.core import lazy
from peersnap.tui import classroom, dashboard
from probes import probe

DEFERRED = ["peersnap.core.commands", "peersnap.core.commands.base", "peersnap.core.language", "shlex",
            "peersnap.core.completion", "peersnap.core.why", "peersnap.core.why_chain", "peersnap.core.compare",
            "peersnap.core.pair_diff", "peersnap.core.psnap_wait", "peersnap.core.requeue", "peersnap.tui.seat_link",
            "peersnap.tui.arguments", "argparse"]


def test_the_first_frame_runs_none_of_them_and_the_first_commands_load_them():
    code = textwrap.dedent(f"""
        import asyncio
        from peersnap.core.lazy import loaded
        from peersnap.tui.app import make_app

        DEFERRED = {DEFERRED!r}

        async def main():
            app = make_app()
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                print(sorted(m for m in DEFERRED if loaded(m)))
                app.dashboard.run_line("echo hello > /gpfs/fs1/sw/a")
                await pilot.press("m", "m", "p", "s", "tab")
                await pilot.pause()
                print(app.dashboard.session.log[-1].line, app.dashboard.query_one("#console-input").value)
                print(sorted(m for m in DEFERRED if loaded(m)))

        asyncio.run(main())
        """)
    first, ran, after = probe(code).splitlines()
    assert first == "[]"
    assert ran == "echo hello > /gpfs/fs1/sw/a mmpsnap "
    assert set(eval(after)) >= {"peersnap.core.commands", "peersnap.core.language", "peersnap.core.completion"}


def test_a_handle_loads_its_module_at_the_first_attribute_read():
    code = textwrap.dedent("""
        import sys
        from peersnap.core.lazy import later, loaded
        handle = later("peersnap.core.pair_diff")
        print("peersnap.core.pair_diff" in sys.modules, loaded("peersnap.core.pair_diff"))
        handle.__name__
        print(loaded("peersnap.core.pair_diff"), type(handle).__name__, later("peersnap.core.pair_diff") is handle)
        import peersnap.core.pair_diff as named
        print(named is handle)
        """)
    assert probe(code).splitlines() == ["True False", "True module True", "True"]


def test_an_import_by_name_loads_it_as_usual():
    code = textwrap.dedent("""
        from peersnap.core.lazy import later, loaded
        later("peersnap.core.psnap_wait")
        from peersnap.core.psnap_wait import __name__ as name
        print(loaded("peersnap.core.psnap_wait"), name)
        """)
    assert probe(code) == "True peersnap.core.psnap_wait"


def test_an_already_loaded_module_is_its_own_handle_and_a_missing_one_is_an_error():
    assert lazy.later("peersnap.core.lazy") is lazy and lazy.loaded("peersnap.core.lazy")
    assert not lazy.loaded("peersnap.core.no_such_module")
    with pytest.raises(ModuleNotFoundError, match="no_such_module"):
        lazy.later("peersnap.core.no_such_module")
    assert "peersnap.core.no_such_module" not in sys.modules


def test_the_dashboard_looks_for_a_seats_socket_where_the_classroom_puts_it():
    assert dashboard.SEAT_FD == classroom.LINK_ENV


def test_each_handle_keeps_to_the_layers():
    """import-linter (tests/test_layers.py) reads import statements, not `later("...")`: the handles
    are held to the same rule here, core never reaching the UI."""
    import re
    from pathlib import Path

    import peersnap.core
    import peersnap.tui

    named = {}
    for package in (peersnap.core, peersnap.tui):
        for path in Path(package.__path__[0]).rglob("*.py"):
            for name in re.findall(r"""(?<![\w.])later\(["']([\w.]+)["']\)""", path.read_text(encoding="utf-8")):
                named.setdefault(package.__name__, set()).add(name)
    assert named["peersnap.core"] and named["peersnap.tui"]
    assert all(not name.startswith(("peersnap.tui", "textual", "rich")) for name in named["peersnap.core"])
    for name in set().union(*named.values()):
        lazy.later(name)  # (each names a module that exists)
