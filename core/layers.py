"""Frozen layers: the part of a map that forked twins share.

A map that forks cheaply is a private dict on top of a stack of frozen dicts
(newest first) that no one writes to any more. A fork freezes the private dict
onto the stack, and both twins go on with a new, empty one: nothing is copied,
and neither twin can see what the other writes later. A lookup reads the
private dict, then the stack; a delete of a key the stack holds leaves a
tombstone (`GONE`) on top.

The stack is kept shallow LSM-style: neighbouring layers of like size are merged
(into a new dict: the old ones may still be held by older twins), and never more
than MAX_DEPTH layers stay, so a lookup reads a few dicts at most and each key is
copied O(log n) times over a map's life.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_DEPTH = 4


# A tombstone: the key is deleted, whatever the layers below it hold. A bare object, as
# core.tree's DIR is: the garbage collector does not track it, nor a dict that holds it.
GONE: Any = object()
Layers = tuple[dict, ...]


def frozen(below: Layers, layer: dict) -> Layers:
    """`below` with `layer` frozen on top (the caller never writes to `layer` again)."""
    if not layer:
        return below
    layers = [layer, *below]
    while len(layers) > 1:
        # merge two neighbours of like size (a newer one at least half the older, at most twice it:
        # a big layer is never copied to take in a small one), or when too deep, the smallest pair
        pairs = range(len(layers) - 1)
        alike = [i for i in pairs if len(layers[i + 1]) <= 2 * len(layers[i]) <= 4 * len(layers[i + 1])]
        if alike:
            i = alike[0]
        elif len(layers) > MAX_DEPTH:
            i = min(pairs, key=lambda k: len(layers[k]) + len(layers[k + 1]))
        else:
            break
        top, under = layers[i], layers[i + 1]
        merged = dict(under)  # C copies; `under` may be shared with older twins, so never updated in place
        merged.update(top)
        if i + 2 == len(layers):  # the bottom: tombstones hide nothing below it
            for key in [key for key, value in top.items() if value is GONE]:
                del merged[key]
        layers[i:i + 2] = [merged]
    return tuple(layers)


def find(below: Layers, key: object) -> Any:
    """The value the stack holds for `key` (None: none, or a tombstone)."""
    for layer in below:
        value = layer.get(key)
        if value is not None:
            return None if value is GONE else value
    return None


def disjoint(top: dict, below: Layers, keys: list) -> bool:
    """Whether no layer, the top one included, holds any of `keys` (tombstones count: the caller
    then takes its slow path). C loops."""
    return top.keys().isdisjoint(keys) and all(layer.keys().isdisjoint(keys) for layer in below)


def items(top: dict, below: Layers) -> Iterator[tuple[Any, Any]]:
    """The live (key, value) pairs of a layered map, each once, the newest value."""
    layers = (top, *below)
    for depth, layer in enumerate(layers):
        above = layers[:depth]
        for key, value in layer.items():
            if value is not GONE and not any(key in higher for higher in above):
                yield key, value


def flattened(top: dict, below: Layers) -> dict:
    """The live map as one new dict: copied and merged in C from the bottom layer up, the
    tombstones dropped (a dict built from `items` costs ten times more at a million keys)."""
    merged = dict(below[-1]) if below else top.copy()
    if below:
        for layer in reversed(below[:-1]):
            merged.update(layer)
        merged.update(top)
    if GONE in merged.values():
        for key in [key for key, value in merged.items() if value is GONE]:
            del merged[key]
    return merged


def keys(top: dict, below: Layers) -> Iterator[Any]:
    """The keys of layers that never hold tombstones (a directory's children), each once."""
    yield from top
    for layer in below:
        yield from layer


def held(below: Layers) -> int:
    """Entries in the stack (a measure of what it holds, tombstones and shadowed keys included)."""
    return sum(map(len, below))
