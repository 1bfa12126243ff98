"""Reading a scenario document: every key checked, and named when it fails.

A scenario file is checked completely before anything is built: a syntax
error, an unknown key, a value of the wrong type or a fileset whose target
names no directory at home is reported as one `ScenarioError` naming the
file, the key (or line) and what is expected. `ScenarioReader.scenario` gives
the fields of the `Scenario` (core/scenario.py) the document describes.
"""

from __future__ import annotations

import re
from typing import Any

from . import clock
from .characters import is_number, one_spelling
from .gateway import LinkSettings
from .limits import DEFAULT_LIMITS, read_limits
from .model import AfmMode, Target
from .records import record
from .world import home_directory


class ScenarioError(Exception):
    """A scenario that cannot be loaded; str() says where and why."""


@record
class FaultSpec:
    at_us: int
    link_up: bool


@record
class FilesetSpec:
    name: str
    id: int
    mode: AfmMode
    target: Target
    state: str
    async_delay_us: int
    files: dict[str, str]


@record
class ExportSpec:
    path: str
    afm_enabled: bool
    fileset: bool = False  # an independent fileset at home: psnap home halves are fileset snapshots


def _shown(value: object, limit: int = 60) -> str:
    """A value as an error message shows it: repr, cut short (a file may hold anything)."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"a deeply nested {type(value).__name__}"
    return text if len(text) <= limit else text[:limit] + "..."


class ScenarioReader:
    """Checks a parsed TOML document key by key, naming the key when it fails."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, expected: str, got: object = None) -> ScenarioError:
        tail = "" if got is None else f", got {_shown(got)}"
        return ScenarioError(f"{self.source}: key '{key}': expected {expected}{tail}")

    def table(self, data: dict[str, Any], key: str, allowed: set[str], required: bool = True) -> dict[str, Any]:
        value = data.get(key.rsplit(".", 1)[-1]) if "." in key else data.get(key)
        if value is None:
            if required:
                raise ScenarioError(f"{self.source}: missing table [{key}]")
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, "a table", value)
        self.known(value, key, allowed)
        return value

    def known(self, value: dict[str, Any], where: str, allowed: set[str]) -> None:
        for key in value:
            if key not in allowed:
                full = f"{where}.{key}" if where else key
                raise ScenarioError(f"{self.source}: unknown key '{full}' (expected one of: {', '.join(sorted(allowed))})")

    def get(self, data: dict[str, Any], where: str, key: str, kind: type, default: Any = ..., check=None, expected: str = "") -> Any:
        full = f"{where}.{key}" if where else key
        if key not in data:
            if default is ...:
                raise ScenarioError(f"{self.source}: missing key '{full}'")
            return default
        value = data[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(full, expected or f"a {kind.__name__}", value)
        if check is not None:
            try:
                return check(value)
            except (ValueError, KeyError) as exc:
                raise self.fail(full, expected or str(exc), value) from None
        return value

    def duration(self, data: dict[str, Any], where: str, key: str, default: int) -> int:
        return self.get(data, where, key, str, None, clock.parse_duration, "a duration like '15s' or '2m'") if key in data else default

    def scenario(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        """The fields of the `Scenario` that document `data` describes (core/scenario.py builds it)."""
        self.known(data, "", {"title", "description", "cache", "home", "filesystem", "link", "fileset", "export", "fault",
                          "limits"})
        title = self.get(data, "", "title", str, name)
        description = self.get(data, "", "description", str, "")
        cache = self.table(data, "cache", {"name", "cluster_id", "clock", "gateway", "gateway_ip", "export_maps"})
        home = self.table(data, "home", {"name", "cluster_id", "host", "skew_seconds", "directories"})
        fs = self.table(data, "filesystem", {"name", "uid", "mount", "next_snapshot_id"})
        link = self.table(data, "link", {"bandwidth", "latency", "disconnect_timeout", "up"}, required=False)
        mount = self.get(fs, "filesystem", "mount", str, "/gpfs/fs1", _check_mount, "an absolute path like '/gpfs/fs1'")
        bandwidth = self.get(link, "link", "bandwidth", int, 100 * 1024 * 1024, _positive, "bytes per second (a positive integer)")
        settings = LinkSettings(
            bandwidth,
            self.duration(link, "link", "latency", 500),
            self.duration(link, "link", "disconnect_timeout", 60 * clock.SECOND),
        )
        home_dirs = self.get(home, "home", "directories", list, [], None)
        for i, d in enumerate(home_dirs):
            if not isinstance(d, str) or not d or "/" in d:
                raise self.fail(f"home.directories[{i}]", "a directory name directly under the mount", d)
        filesets = tuple(self.fileset(spec, i, mount) for i, spec in enumerate(self.array(data, "fileset")))
        names = [f.name for f in filesets]
        if len(set(names)) != len(names):
            raise ScenarioError(f"{self.source}: two [[fileset]] tables have the same name")
        exports = tuple(self.export(spec, i, mount) for i, spec in enumerate(self.array(data, "export")))
        known_dirs = {f.target.path for f in filesets} | {f"{mount}/{d}" for d in home_dirs}
        for i, e in enumerate(exports):
            if e.path not in known_dirs:
                raise self.fail(f"export[{i}].path", "the home directory of a fileset's target or of home.directories", e.path)
        faults = tuple(self.fault(spec, i) for i, spec in enumerate(self.array(data, "fault")))
        export_maps = self.export_maps(cache)
        return {
            "name": name,
            "title": title,
            "description": description,
            "source": self.source,
            "cache_id": self.get(cache, "cache", "cluster_id", str, None, _check_digits, "a cluster id of digits"),
            "cache_name": self.get(cache, "cache", "name", str, "cache1"),
            "cache_epoch_s": self.get(cache, "cache", "clock", str, None, clock.parse_epoch, "a time like '2016-10-27 02:27:28'"),
            "gateway": self.get(cache, "cache", "gateway", str, "gw1"),
            "gateway_ip": self.get(cache, "cache", "gateway_ip", str, "192.168.14.133"),
            "home_id": self.get(home, "home", "cluster_id", str, "9384757365718127466", _check_digits, "a cluster id of digits"),
            "home_name": self.get(home, "home", "name", str, "home1"),
            "home_host": self.get(home, "home", "host", str, "home1"),
            "home_skew_s": self.get(home, "home", "skew_seconds", int, 0, _bounded(-86400 * 365, 86400 * 365), "seconds within a year"),
            "fs_name": self.get(fs, "filesystem", "name", str, "fs1", _check_fs_name, "'fs1' (peersnap models one file system, fs1)"),
            "fs_uid": self.get(fs, "filesystem", "uid", str, "C0A80E85:4F44B305"),
            "mount": mount,
            "next_snapshot_id": self.get(fs, "filesystem", "next_snapshot_id", int, 1, _bounded(1, 1_000_000), "an integer from 1 to 1000000"),
            "link": settings,
            "link_up": self.get(link, "link", "up", bool, True),
            "filesets": filesets,
            "exports": exports,
            "home_dirs": tuple(home_dirs),
            "faults": faults,
            "export_maps": export_maps,
            "limits": read_limits(data["limits"], self.fail) if "limits" in data else DEFAULT_LIMITS,
        }

    def array(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"an array of tables ([[{key}]])", value)
        return value

    def fileset(self, spec: dict[str, Any], i: int, mount: str) -> FilesetSpec:
        where = f"fileset[{i}]"
        self.known(spec, where, {"name", "id", "mode", "target", "state", "async_delay", "files"})
        name = self.get(spec, where, "name", str, ..., _check_name, "a fileset name (letters, digits, _ and -)")
        target = self.get(spec, where, "target", str, ..., Target.parse, "an AFM target like 'nfs://home1/gpfs/fs1/sw'")
        if not home_directory(mount, target.path):
            raise self.fail(f"{where}.target", f"a target whose path is a directory directly under {mount} at home", str(target))
        files = self.get(spec, where, "files", dict, {})
        for path, content in files.items():
            parts = path.split("/")
            if not isinstance(content, str) or not path or any(p in ("", ".", "..") for p in parts):
                raise self.fail(f"{where}.files.{path}", "a relative path mapped to the file's text", content)
            for depth in range(1, len(parts)):
                parent = "/".join(parts[:depth])
                if parent in files:
                    raise self.fail(f"{where}.files.{path}", f"a path whose parent '{parent}' is a directory, "
                                    f"but files.{parent} makes it a file", content)
        return FilesetSpec(
            name=name,
            id=self.get(spec, where, "id", int, ..., _bounded(1, 1_000_000), "an integer fileset id"),
            mode=self.get(spec, where, "mode", str, ..., lambda v: AfmMode(v.lower()), "one of sw, ro, iw, lu"),
            target=target,
            state=self.get(spec, where, "state", str, "Active", _check_state, "one of Active, Inactive, Stopped"),
            async_delay_us=self.duration(spec, where, "async_delay", 15 * clock.SECOND),
            files=dict(files),
        )

    def export(self, spec: dict[str, Any], i: int, mount: str) -> ExportSpec:
        where = f"export[{i}]"
        self.known(spec, where, {"path", "mmafmconfig", "fileset"})
        path = self.get(spec, where, "path", str, ..., _check_mount, "an absolute path at home")
        return ExportSpec(
            one_spelling(path),
            self.get(spec, where, "mmafmconfig", bool, True, expected="true or false"),
            self.get(spec, where, "fileset", bool, False,
                     expected="true (the export is an independent fileset at home) or false (a plain directory)"),
        )

    def export_maps(self, cache: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        maps = self.get(cache, "cache", "export_maps", dict, {}, expected="a table of map name = 'ExportServer/GatewayNode,...'")
        for name, value in maps.items():
            if not _check_name_ok(name) or not isinstance(value, str) or not _EXPORT_MAP.match(value):
                raise self.fail(f"cache.export_maps.{name}", "'ExportServer/GatewayNode[,ExportServer/GatewayNode...]'", value)
        return tuple(maps.items())

    def fault(self, spec: dict[str, Any], i: int) -> FaultSpec:
        where = f"fault[{i}]"
        self.known(spec, where, {"at", "link"})
        at = self.get(spec, where, "at", str, ..., clock.parse_duration, "a time since the start like '2m'")
        link = self.get(spec, where, "link", str, ..., _check_updown, "'up' or 'down'")
        return FaultSpec(at, link == "up")


_EXPORT_MAP = re.compile(r"^[A-Za-z0-9.:-]+/[A-Za-z0-9.-]+(,[A-Za-z0-9.:-]+/[A-Za-z0-9.-]+)*$")


def _check_name_ok(value: str) -> bool:
    try:
        _check_name(value)
    except ValueError:
        return False
    return True


def _check_mount(value: str) -> str:
    if not value.startswith("/") or value.endswith("/") or "//" in value:
        raise ValueError("an absolute path")
    return value


def _check_digits(value: str) -> str:
    if not is_number(value) or len(value) > 40:
        raise ValueError("digits")
    return value


def _check_name(value: str) -> str:
    if not value or len(value) > 64 or not all(c.isalnum() or c in "_-" for c in value) or not value.isascii():
        raise ValueError("a name")
    return value


def _check_fs_name(value: str) -> str:
    if value != "fs1":
        raise ValueError("fs1")
    return value


def _check_state(value: str) -> str:
    if value not in ("Active", "Inactive", "Stopped"):
        raise ValueError("state")
    return value


def _check_updown(value: str) -> str:
    if value not in ("up", "down"):
        raise ValueError("up/down")
    return value


def _positive(value: int) -> int:
    if value <= 0 or value > 1 << 40:
        raise ValueError("positive")
    return value


def _bounded(low: int, high: int):
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError("range")
        return value

    return check
