"""What keeps docs/ true: its pictures are `peersnap shot`s of the scripts beside them,
its transcripts are what `peersnap run` prints, and its example files load.

- `docs/shots/NAME.script` -> `docs/shots/NAME.svg`, shot with the script's own `#:`
  settings; `reshoot` writes them, `stale_shots` names those that drifted.
- A fenced block holding `[cache]# ...` / `[home]# ...` lines is a transcript: its commands
  run on a fresh session (the seed, or `<!-- scenario: NAME -->` on the line before the
  fence; `<!-- continues -->` goes on with the previous transcript's session) and the block
  must be exactly what they print. Lines before the first prompt that start with `$ `
  (the shell command) are not compared.
- A ```toml block after `<!-- scenario file -->` must load as a scenario, one after
  `<!-- lesson file -->` must pass `peersnap lesson check`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from peersnap.core.lesson_check import check_lesson_text
from peersnap.core.records import record
from peersnap.core.scenario import ScenarioError, parse
from peersnap.core.scenario import load as load_scenario
from peersnap.core.session import Session

from .output import write_output
from .script import read_script
from .shot import shot_svg, stage_for

PROMPT = re.compile(r"^\[(cache|home)\]# (.*)$")
MARK = re.compile(r"^<!--\s*(scenario:\s*(\S+)|continues|scenario file|lesson file)\s*-->$")


@record
class Block:
    """A fenced block of a Markdown page."""

    line: int  # the 1-based line of its opening fence
    info: str  # the fence's info string (`toml`, `sh`, ...)
    mark: str  # the `<!-- ... -->` on the line before the fence, if any
    lines: tuple[str, ...]


def blocks(text: str) -> Iterator[Block]:
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        if fence.startswith("```"):
            info = fence[3:].strip()
            mark = lines[i - 1].strip() if i and MARK.match(lines[i - 1].strip()) else ""
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith("```"):
                end += 1
            yield Block(i + 1, info, mark, tuple(lines[i + 1:end]))
            i = end
        i += 1


def replay_transcript(block: Block, session: Session) -> list[str]:
    """What the block's commands print when run on `session`, shell line kept as written."""
    first = next(n for n, line in enumerate(block.lines) if PROMPT.match(line))
    out = list(block.lines[:first])
    for line in block.lines[first:]:
        match = PROMPT.match(line)
        if match:
            cluster, command = match.groups()
            out += session.transcript(session.run(f"@home {command}" if cluster == "home" else command))
    return out


def page_problems(path: Path) -> list[str]:
    """Every transcript and example file of one page that is not what the product does."""
    problems: list[str] = []
    session: Session | None = None
    for block in blocks(path.read_text(encoding="utf-8")):
        where = f"{path}:{block.line}"
        if any(PROMPT.match(line) for line in block.lines):
            mark = MARK.match(block.mark)
            if session is None or not (mark and mark.group(1) == "continues"):
                name = mark.group(2) if mark and mark.group(2) else None
                try:
                    session = Session(load_scenario(name), allow_files=False)
                except ScenarioError as exc:
                    problems.append(f"{where}: {exc}")
                    continue
            got = replay_transcript(block, session)
            if got != list(block.lines):
                problems.append(f"{where}: the transcript is not what peersnap prints; it prints:\n" + "\n".join(got))
        elif block.mark == "<!-- scenario file -->":
            try:
                parse("\n".join(block.lines), where)
            except ScenarioError as exc:
                problems.append(str(exc))
        elif block.mark == "<!-- lesson file -->":
            verdict = check_lesson_text("\n".join(block.lines), where)
            problems.extend(verdict.lines() if not verdict.ok else [])
    return problems


def shot_scripts(folder: Path) -> list[Path]:
    return sorted((folder / "shots").glob("*.script"))


def fresh_shot(script: Path) -> str:
    parsed = read_script(str(script))
    return shot_svg(parsed, stage_for(parsed))


def stale_shots(folder: Path) -> list[str]:
    stale = []
    for script in shot_scripts(folder):
        picture = script.with_suffix(".svg")
        if not picture.is_file() or picture.read_text(encoding="utf-8") != fresh_shot(script):
            stale.append(str(picture))
    return stale


def reshoot(folder: Path) -> list[str]:
    """Shoot every docs picture again; the ones that changed."""
    changed = []
    for script in shot_scripts(folder):
        picture = script.with_suffix(".svg")
        svg = fresh_shot(script)
        if not picture.is_file() or picture.read_text(encoding="utf-8") != svg:
            write_output(str(picture), svg)
            changed.append(str(picture))
    return changed
