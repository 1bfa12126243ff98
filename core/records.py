"""Frozen records that are quick to make: the ones every command makes several of.

A frozen dataclass's own `__init__` sets each field through `object.__setattr__`
(its `__setattr__` refuses): a lookup and a call through the generic attribute
machinery per field, about a fifth of a microsecond each. A command makes about
forty such fields (its parsed line, the op it queues, the events it sends, its
result and log entry). `quick_init` gives the class an `__init__` that sets each
field through its slot's descriptor directly: the same signature, the same
values, still frozen to everyone else, in about two thirds of the time.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Replace a frozen, slotted dataclass's `__init__` (decorate above `@dataclass`). Only plain
    fields, with or without a default: anything else (a default factory, init=False, kw_only,
    __post_init__) is refused here, at import, rather than built differently."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"quick_init: {cls.__name__} is not a frozen, slotted dataclass without __post_init__")
    namespace: dict[str, Any] = {}
    signature: list[str] = []
    body: list[str] = []
    for f in fields(cls):
        if not f.init or f.kw_only or f.default_factory is not MISSING:
            raise TypeError(f"quick_init: {cls.__name__}.{f.name} needs dataclasses' own __init__")
        slot = next(klass.__dict__[f.name] for klass in cls.__mro__ if f.name in klass.__dict__)
        if type(slot).__name__ != "member_descriptor":
            raise TypeError(f"quick_init: {cls.__name__}.{f.name} is not a slot")
        namespace[f"_set_{f.name}"] = slot.__set__
        if f.default is MISSING:
            signature.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            signature.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(signature)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, namespace)  # noqa: S102 (the source is built from the class's own field names)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = {f.name: f.type for f in fields(cls)} | {"return": None}
    cls.__dataclass_init__ = cls.__init__  # type: ignore[attr-defined]  (kept: tests compare the two)
    cls.__init__ = init  # type: ignore[misc]
    return cls
