"""What the command-level tests share: running a line that must succeed, or fail and
change nothing, and the texts they compare against. A plain module (imported as
`from command_runs import ...`, like `differential`), not tests/conftest.py: every
conftest is imported as the module `conftest`, so tests/tui's would shadow it."""

from __future__ import annotations

from peersnap.core.session import Session

FAILED = "Command failed. Examine previous error messages to determine cause."
# the seed's psnap taken at the very start (its date part from the simulated clock)
FIRST_PSNAP = "psnap-13882361812785649740-C0A80E85:4F44B305-59-16-10-27-02-27-28"


def ok(session: Session, line: str) -> list[str]:
    """Run `line`, which must succeed (rc 0); its output."""
    result = session.run(line)
    assert result.rc == 0, (line, result.lines)
    return result.lines


def fails(session: Session, line: str) -> list[str]:
    """Run `line`, which must fail (rc 1) and change nothing; its output."""
    before = session.engine.fingerprint()
    result = session.run(line)
    assert result.rc == 1, (line, result.lines)
    assert session.engine.fingerprint() == before, f"{line} failed but changed the world"
    return result.lines
