"""Scenarios: the starting world, read from TOML (bundled or the user's own).

A `Scenario` is what its file says (checked key by key by core/scenario_reader.py:
one `ScenarioError` naming the file and the key when it is wrong); `build` makes
the world it describes, at time zero.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Any

from .engine import Engine, LinkTimer
from .gateway import LinkSettings
from .limits import DEFAULT_LIMITS, Limits
from .model import AfmFileset, Cluster, FileSystem, HomeExport
from .records import record
from .scenario_reader import ExportSpec, FaultSpec, FilesetSpec, ScenarioError, ScenarioReader
from .textfile import TextFileError, parse_toml, read_text
from .tree import DIR, VersionedTree
from .world import World, home_directory

DEFAULT = "seed"
# the package's own folder (installed as files: importlib.resources would cost ~3 ms of imports at start)
SCENARIOS_DIR = Path(__file__).parent / "scenarios"
__all__ = ["DEFAULT", "ExportSpec", "FaultSpec", "FilesetSpec", "Scenario", "ScenarioError", "bundled", "from_document",
           "load", "parse"]


@record
class Scenario:
    name: str
    title: str
    description: str
    source: str  # the file it came from
    cache_id: str
    cache_name: str
    cache_epoch_s: int
    gateway: str
    gateway_ip: str
    home_id: str
    home_name: str
    home_host: str
    home_skew_s: int
    fs_name: str
    fs_uid: str
    mount: str
    next_snapshot_id: int
    link: LinkSettings
    link_up: bool
    filesets: tuple[FilesetSpec, ...]
    exports: tuple[ExportSpec, ...]
    home_dirs: tuple[str, ...]
    faults: tuple[FaultSpec, ...] = field(default=())
    export_maps: tuple[tuple[str, str], ...] = field(default=())
    limits: Limits = DEFAULT_LIMITS
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def build(self) -> Engine:
        """A fresh engine holding this scenario's world at time zero."""
        cache_fs = FileSystem(self.fs_name, self.fs_uid, self.mount, next_snap_id=self.next_snapshot_id)
        home_fs = FileSystem(self.fs_name, self.fs_uid, self.mount, next_snap_id=self.next_snapshot_id)
        cache = Cluster("cache", self.cache_name, self.cache_id, self.cache_epoch_s, cache_fs)
        home = Cluster("home", self.home_name, self.home_id, self.cache_epoch_s + self.home_skew_s, home_fs)
        for directory in self.home_dirs:
            home_fs.trees.setdefault(directory, VersionedTree())
        filesets: dict[str, AfmFileset] = {}
        for spec in self.filesets:
            tree = cache_fs.trees[spec.name] = VersionedTree()
            home_tree = home_fs.trees.setdefault(home_directory(self.mount, spec.target.path), VersionedTree())
            for path, content in sorted(spec.files.items()):
                _plant(tree, path, content)
                _plant(home_tree, path, content)
            filesets[spec.name] = AfmFileset(
                spec.name,
                spec.id,
                spec.mode,
                spec.target,
                self.gateway,
                activated=spec.state != "Inactive",
                stopped=spec.state == "Stopped",
                async_delay_us=spec.async_delay_us,
            )
        exports = {e.path: HomeExport(e.path, e.afm_enabled, e.fileset) for e in self.exports}
        for fileset in filesets.values():
            # linked at the start: it saw home's AFM controls if the export had them then
            export = exports.get(fileset.target.path)
            fileset.home_afm_seen = export is not None and export.afm_enabled
        link = LinkSettings(self.link.bandwidth, self.link.latency_us, self.link.disconnect_timeout_us)
        world = World(cache, home, filesets, exports, link, self.home_host, self.gateway_ip,
                      export_maps=dict(self.export_maps), limits=self.limits)
        engine = Engine(world)
        if not self.link_up:
            engine.set_link(False)
        for fault in self.faults:
            engine.schedule(fault.at_us, LinkTimer(fault.link_up))
        return engine


def _plant(tree: VersionedTree, path: str, content: str) -> None:
    parts = path.split("/")
    for i in range(1, len(parts)):
        parent = "/".join(parts[:i])
        if tree.get(parent) is None:
            tree.set(parent, DIR)
    if content.endswith("/"):
        tree.set(path, DIR)
    else:
        tree.set(path, content)


# -- finding scenarios -----------------------------------------------------------------
def bundled() -> dict[str, Path]:
    """The scenarios shipped with peersnap, by name."""
    return {p.stem: p for p in SCENARIOS_DIR.iterdir() if p.suffix == ".toml"}


def load(name_or_path: str | None = None) -> Scenario:
    """Load a bundled scenario by name, or a scenario file by path."""
    name_or_path = name_or_path or DEFAULT
    shipped = bundled()
    if name_or_path in shipped:
        path = shipped[name_or_path]
    else:
        path = Path(name_or_path)
        if not path.exists():
            names = ", ".join(sorted(shipped))
            raise ScenarioError(f"{name_or_path}: no such scenario file or bundled scenario (bundled: {names})")
    try:
        text = read_text(path)
    except TextFileError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    return parse(text, str(path), path.stem)


def parse(text: str, source: str = "<scenario>", name: str = "custom") -> Scenario:
    """The scenario a TOML text describes; ScenarioError names `source` and what is wrong."""
    try:
        data = parse_toml(text)
    except TextFileError as exc:
        raise ScenarioError(f"{source}: {exc}") from None
    return from_document(data, source, name)


def from_document(data: dict[str, Any], source: str, name: str) -> Scenario:
    """The scenario a parsed TOML document describes (a session file holds one as a table)."""
    return Scenario(**ScenarioReader(source).scenario(data, name), raw=data)
