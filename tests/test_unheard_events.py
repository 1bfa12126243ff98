"""An event no listener receives is counted, not built (`EventBus.unheard`): a command's CommandRan
in a session no one follows (`peersnap run`, a benchmark) cost a record a command for nothing."""

from __future__ import annotations

from peersnap.core import session as session_module
from peersnap.core.events import CommandRan, EventBus, OpQueued
from peersnap.core.session import Session

SW = "/gpfs/fs1/sw"


def test_unheard_counts_an_event_only_when_no_listener_receives_it():
    bus = EventBus()
    got = []
    bus.subscribe(got.append, only=(OpQueued,))
    assert bus.unheard(CommandRan) and bus.emitted == 1
    assert not bus.unheard(OpQueued) and bus.emitted == 1  # the caller emits it: counted then
    bus.subscribe(got.append)
    assert not bus.unheard(CommandRan) and bus.emitted == 1  # the routes follow the listeners


def test_a_command_builds_its_command_ran_only_for_a_listener(monkeypatch):
    built = []

    class Counted(CommandRan):
        __slots__ = ()

        def __init__(self, *args):  # type: ignore[no-untyped-def]
            built.append(args)
            super().__init__(*args)

    monkeypatch.setattr(session_module, "CommandRan", Counted)
    quiet, followed = Session(allow_files=False), Session(allow_files=False)
    heard = []
    followed.subscribe(heard.append)
    for i in range(3):
        line = f"echo v{i} > {SW}/f{i}"
        assert quiet.run(line).rc == followed.run(line).rc == 0
    assert len(built) == 3 and [e.line for e in heard if isinstance(e, CommandRan)] == [
        f"echo v{i} > {SW}/f{i}" for i in range(3)]
    # the count of events, what the session asks to know whether anything happened, is the same
    assert quiet.engine.bus.emitted == followed.engine.bus.emitted
