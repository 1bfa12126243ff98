"""Virtual time: integer microseconds since the scenario started.

Nothing here reads the wall clock. Each cluster shows the one simulated clock
through its own epoch (its skew), formatted the way GPFS prints times.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .records import record

US = 1
MS = 1_000
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

#: The longest single step `sim advance` accepts (and the bound of `sim settle`).
MAX_ADVANCE = 366 * DAY

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

LAST_YEAR = 9000


@record(frozen=False)
class SimTime:
    """The one simulated clock's reading: the engine moves it, the world's
    operations stamp what they do with it."""

    now: int = 0


def until_year(epoch_seconds: int, year: int) -> int:
    """Microseconds from a clock started at `epoch_seconds` to 1 January of `year`."""
    end = datetime(year, 1, 1, tzinfo=UTC)
    return max(0, int((end - _EPOCH).total_seconds() - epoch_seconds) * SECOND)


_UNITS = {"us": US, "ms": MS, "s": SECOND, "m": MINUTE, "min": MINUTE, "h": HOUR, "d": DAY}
_DURATION = re.compile(r"^([0-9]{1,12})(us|ms|s|min|m|h|d)?$")


def to_datetime(epoch_seconds: int, offset_us: int) -> datetime:
    """The UTC datetime of a cluster whose clock started at `epoch_seconds`, `offset_us` later."""
    return _EPOCH + timedelta(seconds=epoch_seconds, microseconds=offset_us)


def ctime(moment: datetime) -> str:
    """`Thu Oct 27 02:27:29 2016`: the format of mmlssnapshot's Created column (locale-free)."""
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:2d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} {moment.year}"
    )


def stamp(moment: datetime) -> str:
    """`16-10-27-02-27-28`: the date part of a peer snapshot name."""
    return moment.strftime("%y-%m-%d-%H-%M-%S")


def hms(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"


_EPOCH_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\Z")


def parse_epoch(text: str) -> int:
    """Parse `2016-10-27 02:27:28` (UTC) into seconds since 1970."""
    given = text.strip()
    try:
        # the exact shape goes the C way (strptime's first call imports _strptime and calendar and
        # compiles its format: ~3 ms of a start); anything else strptime judges, as it always did
        moment = (datetime.fromisoformat(given) if _EPOCH_SHAPE.match(given)
                  else datetime.strptime(given, "%Y-%m-%d %H:%M:%S"))
    except ValueError as exc:
        raise ValueError(f"expected a time like '2016-10-27 02:27:28', got {text!r}") from exc
    return int((moment.replace(tzinfo=UTC) - _EPOCH).total_seconds())


def parse_duration(text: str) -> int:
    """Parse `30s`, `5m`, `1h`, `250ms`, `2d` (a bare number means seconds) into microseconds."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise ValueError(f"invalid duration '{text}' (use a whole number with us, ms, s, m, h or d: 30s, 5m)")
    value = int(match.group(1)) * _UNITS[match.group(2) or "s"]
    if value > MAX_ADVANCE:
        raise ValueError(f"duration '{text}' is too long (at most 366d)")
    return value


def format_duration(us: int) -> str:
    """A short human duration: `0s`, `15s`, `2m05s`, `1h02m`, `3d04h`; sub-second as ms."""
    us = max(us, 0)
    if us < SECOND and us:
        return f"{us // MS}ms" if us >= MS else f"{us}us"
    seconds = us // SECOND
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def format_offset(us: int) -> str:
    """Simulated time since start in fixed width for traces: `+   12.345000s`."""
    return f"+{us // SECOND:>7d}.{us % SECOND:06d}s"


def plural(count: int, word: str) -> str:
    """`1 op`, `3 ops`, `1,000,000 ops`."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
