"""The engine's timers: typed, immutable, kept in one heap and fired in time order."""

from __future__ import annotations

from .records import record


@record
class LinkTimer:
    """A scheduled link change (a scenario's `[[fault]]`)."""

    up: bool


@record
class DisconnectTimeout:
    """The link has been down for the disconnect timeout. It does nothing of its
    own: the states are refreshed after every step, and NFS caches then read
    Disconnected. Cancelled when the link comes back first."""


@record
class RecoveryScanDone:
    """A recovery's policy scan ends: the states are refreshed (the fileset may be Active
    again at once when recovery found nothing to requeue)."""


Timer = LinkTimer | DisconnectTimeout | RecoveryScanDone
