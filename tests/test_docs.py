"""docs/ is tested against the product: its generated pages match their sources, its
pictures are what `peersnap shot` draws from the scripts beside them, its transcripts are
what `peersnap run` prints, and its example files load."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from peersnap.core.commands import REGISTRY
from peersnap.core.lessons import CHECKS, bundled
from peersnap.tui.doccheck import page_problems, shot_scripts, stale_shots
from peersnap.tui.docgen import generated_pages, write_generated

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))


def test_generated_pages_are_up_to_date():
    out = io.StringIO()
    assert write_generated(str(DOCS), check=True, out=out) == 0, out.getvalue()


def test_every_command_and_lesson_has_its_page():
    reference = generated_pages()["commands.md"]
    assert all(f"### `{name}`" in reference for name in REGISTRY)
    assert {f"lessons/{name}.md" for name in bundled()} <= set(generated_pages())


def test_every_picture_is_a_shot_of_its_script():
    assert len(shot_scripts(DOCS)) >= 4
    assert stale_shots(DOCS) == [], "run 'peersnap docs' and look at the new pictures"


def test_every_picture_a_page_shows_has_its_script():
    shown = {line.split("](", 1)[1].split(")", 1)[0] for page in PAGES for line in page.read_text().splitlines()
             if line.lstrip().startswith("![")}
    assert shown and all(name.startswith("shots/") and (DOCS / name).with_suffix(".script").is_file()
                         for name in shown), shown


@pytest.mark.parametrize("page", [*PAGES, ROOT / "README.md"], ids=lambda p: str(p.relative_to(ROOT)))
def test_transcripts_and_example_files_are_what_peersnap_does(page):
    assert page_problems(page) == []


def test_a_transcript_that_drifted_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```\n[cache]# sim link down\nLink to home is up.\n```\n", encoding="utf-8")
    problems = page_problems(page)
    assert len(problems) == 1 and problems[0].startswith(f"{page}:1: the transcript is not what peersnap prints")
    assert problems[0].endswith("[cache]# sim link down\nLink to home is down.")


def test_a_broken_example_file_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("<!-- lesson file -->\n```toml\ntitle = 3\n```\n<!-- scenario file -->\n```toml\nx = 1\n```\n",
                    encoding="utf-8")
    problems = page_problems(page)
    assert len(problems) == 3, problems
    assert "key 'title': expected a string" in problems[0] and "unknown key 'x'" in problems[2]


def test_the_formats_page_documents_every_check_kind():
    formats = (DOCS / "formats.md").read_text(encoding="utf-8")
    assert all(f"| `{kind}` |" in formats for kind in CHECKS)


def test_a_picture_that_drifted_is_caught(tmp_path):
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "x.script").write_text("#: size 60x16\nsim link down\n", encoding="utf-8")
    (tmp_path / "shots" / "x.svg").write_text("<svg>an old picture</svg>", encoding="utf-8")
    assert stale_shots(tmp_path) == [str(tmp_path / "shots" / "x.svg")]
