"""What `mmlsfileset` prints: the plain table, `-L`, the `--afm -L` attribute
block and `-Y`, each laid out as IBM's captures show (see the tests)."""

from __future__ import annotations

from collections.abc import Callable

from .. import clock
from ..model import AfmFileset
from .listing import FilesetFacts, y_lines, y_value

TITLE = "Filesets in file system '{fs}':"


def plain_table(fs: str, facts: list[FilesetFacts], afm: bool) -> list[str]:
    """`Name` at 0, `Status` at 25, `Path` at 35 (`--afm` adds afmTarget after a 40-wide Path)."""
    def row(name: str, status: str, path: str, target: str) -> str:
        if afm:
            return f"{name:<24} {status:<9} {path:<40} {target}".rstrip()
        return f"{name:<24} {status:<9} {path}".rstrip()

    lines = [TITLE.format(fs=fs), row("Name", "Status", "Path", "afmTarget")]
    for f in facts:
        target = str(f.afm.target) if f.afm is not None else "-"
        lines.append(row(f.name, "Linked" if f.linked else "Unlinked", f.path, target))
    return lines


def long_table(fs: str, facts: list[FilesetFacts], created: Callable[[FilesetFacts], str]) -> list[str]:
    """`-L`: Status and Path give way to Id, RootInode, ParentId, Created, InodeSpace,
    MaxInodes, AllocInodes and Comment; numbers right-aligned under their labels."""
    header = (f"{'Name':<32}{'Id':<8}{'RootInode':<11}{'ParentId':<9}{'Created':<29}{'InodeSpace':<16}"
              f"{'MaxInodes':<13}{'AllocInodes':<12}Comment")
    lines = [TITLE.format(fs=fs), header]
    for f in facts:
        lines.append((f"{f.name:<31} {f.id:>2}{f.root_inode:>15}{f.parent_id:>10} {created(f):<24}{f.inode_space:>9}"
                      f"{f.max_inodes:>21}{f.alloc_inodes:>15} {f.comment}").rstrip())
    return lines


def _default(value: int, default: int) -> str:
    return f"{value} (default)" if value == default else str(value)


# The AFM attributes, once: the label `--afm -L` prints, the `-Y` field, and the value.
# Tunables peersnap does not model show their IBM defaults.
AFM_ATTRIBUTES: tuple[tuple[str, str, Callable[[AfmFileset], str]], ...] = (
    ("Target", "afmTarget", lambda f: str(f.target)),
    ("Mode", "afmMode", lambda f: f.mode.long_name),
    ("File Lookup Refresh Interval", "afmFileLookupRefreshInterval", lambda f: "30 (default)"),
    ("File Open Refresh Interval", "afmFileOpenRefreshInterval", lambda f: "30 (default)"),
    ("Dir Lookup Refresh Interval", "afmDirLookupRefreshInterval", lambda f: "60 (default)"),
    ("Dir Open Refresh Interval", "afmDirOpenRefreshInterval", lambda f: "60 (default)"),
    ("Async Delay", "afmAsyncDelay", lambda f: _default(f.async_delay_us // clock.SECOND, 15)),
    ("Last pSnapId", "afmLastPSnapId", lambda f: str(f.last_psnap_id)),
    ("Display Home Snapshots", "afmShowHomeSnapshots", lambda f: "no"),
    ("Number of Read Threads per Gateway", "afmNumReadThreads", lambda f: "1 (default)"),
    ("Number of Gateway Flush Threads", "afmNumFlushThreads", lambda f: "4 (default)"),
    ("Prefetch Threshold", "afmPrefetchThreshold", lambda f: "0 (default)"),
    ("Eviction Enabled", "afmEnableAutoEviction", lambda f: "yes (default)"),
    ("IO Flags", "afmIOFlags", lambda f: "0 (default)"),
)


def afm_block(fs: str, facts: list[FilesetFacts], created: Callable[[FilesetFacts], str]) -> list[str]:
    """`--afm -L`: per fileset an `Attributes for fileset F:` block, label in 40 columns."""
    lines = [TITLE.format(fs=fs), ""]
    for f in facts:
        title = f"Attributes for fileset {f.name}:"
        rows = [
            ("Status", "Linked" if f.linked else "Unlinked"),
            ("Path", f.path),
            ("Id", str(f.id)),
            ("Root inode", str(f.root_inode)),
            ("Parent Id", f.parent_id),
            ("Created", created(f)),
            ("Comment", f.comment),
            ("Inode space", str(f.inode_space)),
            ("Maximum number of inodes", str(f.max_inodes)),
            ("Allocated inodes", str(f.alloc_inodes)),
            ("Permission change flag", "chmodAndSetacl"),
        ]
        if f.afm is not None:
            rows.append(("afm-associated", "Yes"))
            rows += [(label, value(f.afm)) for label, _, value in AFM_ATTRIBUTES]
        else:
            rows.append(("afm-associated", "No"))
        lines += [title, "=" * len(title)] + [f"{k:<40}{v}".rstrip() for k, v in rows] + [""]
    return lines[:-1]


# IBM's `mmlsfileset -Y` HEADER, field for field (GPFS 5.0 captures).
_Y_HEADER = (
    "filesystemName:filesetName:id:rootInode:status:path:parentId:created:inodes:dataInKB:comment:filesetMode:"
    "afmTarget:afmState:afmMode:afmFileLookupRefreshInterval:afmFileOpenRefreshInterval:afmDirLookupRefreshInterval:"
    "afmDirOpenRefreshInterval:afmAsyncDelay:afmNeedsRecovery:afmExpirationTimeout:afmRPO:afmLastPSnapId:inodeSpace:"
    "isInodeSpaceOwner:maxInodes:allocInodes:inodeSpaceMask:afmShowHomeSnapshots:afmNumReadThreads:reserved:"
    "afmReadBufferSize:afmWriteBufferSize:afmReadSparseThreshold:afmParallelReadChunkSize:afmParallelReadThreshold:"
    "snapId:afmNumFlushThreads:afmPrefetchThreshold:afmEnableAutoEviction:permChangeFlag:afmParallelWriteThreshold:"
    "freeInodes:afmNeedsResync:afmParallelWriteChunkSize:afmNumWriteThreads:afmPrimaryID:afmDRState:"
    "afmAssociatedPrimaryId:afmDIO:afmGatewayNode:afmIOFlags"
)
Y_FIELDS = tuple(_Y_HEADER.split(":"))


def y_table(fs: str, facts: list[FilesetFacts], created: Callable[[FilesetFacts], str]) -> list[str]:
    """`-Y`: every column whether or not -L or --afm is given; `-` where a field does
    not apply (every AFM field of a non-AFM fileset), as IBM's captures show."""
    rows = []
    for f in facts:
        values = dict.fromkeys(Y_FIELDS, "-")
        values.update(
            filesystemName=fs, filesetName=f.name, id=str(f.id), rootInode=str(f.root_inode),
            status="Linked" if f.linked else "Unlinked", path=y_value(f.path, path=True), parentId=f.parent_id,
            created=y_value(created(f)), comment=y_value(f.comment), filesetMode="off", inodeSpace=str(f.inode_space),
            isInodeSpaceOwner="1", maxInodes=str(f.max_inodes), allocInodes=str(f.alloc_inodes), snapId="0",
            permChangeFlag="chmodAndSetacl", freeInodes=str(f.alloc_inodes - 1),
        )
        if f.afm is not None:
            for _, field, value in AFM_ATTRIBUTES:
                values[field] = y_value(value(f.afm).removesuffix(" (default)"))
            values.update(afmState=f.afm.state.value, afmGatewayNode=f.afm.gateway,
                          afmNeedsResync="yes" if f.afm.needs_resync else "no")
        rows.append([values[field] if field != "reserved" else "-" for field in Y_FIELDS])
    return y_lines("mmlsfileset", Y_FIELDS, rows)
