"""GPFS listing conventions shared by the mm commands: the `-Y` machine-readable
form and the fileset facts that `mmlsfileset` and `mmdelsnapshot` print.

`-Y` (IBM's captures of `mmlsfileset -Y` and `mmlssnapshot -Y`): a HEADER
line `cmd:section:HEADER:version:reserved:reserved:field:...:`, then one line
per item `cmd:section:0:1:::value:...:`; every line ends with `:`; a value's
`:` and `%` are percent-encoded (`10%3A41%3A35`), a path's `/` too
(`%2Ffs%2Fproject`, and the unlinked path `--` as `%2D%2D`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import AfmFileset
from ..records import record

INODE_SPACE_STRIDE = 131072  # an independent fileset's root inode: space * stride + 3 (as in IBM's captures)
ROOT_MAX_INODES = 65792
FILESET_MAX_INODES = 200000
FILESET_ALLOC_INODES = 65920


def y_value(value: object, path: bool = False) -> str:
    text = str(value).replace("%", "%25").replace(":", "%3A")
    if path:
        text = "%2D%2D" if text == "--" else text.replace("/", "%2F")
    return text


def y_lines(command: str, fields: Sequence[str], rows: Iterable[Sequence[str]], section: str = "") -> list[str]:
    """The HEADER line and one line per row; `rows` hold values already encoded."""
    head = f"{command}:{section}:"
    return [f"{head}HEADER:version:reserved:reserved:{':'.join(fields)}:"] + [
        f"{head}0:1:::{':'.join(row)}:" for row in rows
    ]


@record
class FilesetFacts:
    """What `mmlsfileset` says about one fileset besides its AFM attributes."""

    name: str
    id: int
    root_inode: int
    parent_id: str  # "--" for root and for an unlinked fileset
    linked: bool
    path: str
    inode_space: int
    max_inodes: int
    alloc_inodes: int
    comment: str
    afm: AfmFileset | None = None


def root_facts(mount: str) -> FilesetFacts:
    return FilesetFacts("root", 0, 3, "--", True, mount, 0, ROOT_MAX_INODES, ROOT_MAX_INODES, "root fileset")


def afm_facts(mount: str, filesets: Iterable[AfmFileset]) -> list[FilesetFacts]:
    """AFM filesets are independent: each owns the next inode space, in the order they were defined."""
    facts = []
    for space, fileset in enumerate(filesets, start=1):
        linked = fileset.linked
        facts.append(FilesetFacts(
            fileset.name, fileset.id, space * INODE_SPACE_STRIDE + 3, "0" if linked else "--", linked,
            f"{mount}/{fileset.name}" if linked else "--", space, FILESET_MAX_INODES, FILESET_ALLOC_INODES, "",
            fileset,
        ))
    return facts
