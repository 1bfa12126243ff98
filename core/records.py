"""Records: slotted dataclasses that are quick to define and quick to make.

`@record` is `@dataclass(frozen=True, slots=True)` (and `@record(frozen=False)` is
`@dataclass(slots=True)`), built without compiling anything per class. dataclasses
writes each class's `__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__` and
`__delattr__` as source text and compiles it: about 0.6 ms a class, and peersnap
defines about ninety, all before its first frame (half of its own import time).
Here an `__init__` is compiled once per number of fields, from a template whose
placeholder names are then renamed to the class's fields (`CodeType.replace`: a
microsecond); equality and hash compare the fields' tuple (an `attrgetter`), and
repr and the frozen refusals are shared functions. dataclasses' bookkeeping (the
`Field`s that `fields`, `replace` and `asdict` read, `__match_args__`, the slots) is
made here too, as its `_process_class` would for what the templates cover, and
everything goes into the class's namespace before the slotted class is made: about
40 µs a record, against about 90 through dataclasses' bookkeeping.

The records behave as dataclasses' would (tests/test_records.py compares them on
every record class of the package and on generated ones): the same signature,
defaults and default factories, `__post_init__`, equality, hash, repr, frozen
errors, copying and pickling. One thing is quicker than dataclasses': a frozen
record's `__init__` sets each field through its slot's descriptor directly instead
of `object.__setattr__` (about a fifth of a microsecond a field; a command makes
about forty).

What the templates do not cover is handed to dataclasses as it is, unchanged:
`field(init=False, repr=False, compare=False, kw_only=True)`, `InitVar`,
`order=True`, a method of its own among the generated ones, a field called `self`
or `other`, a base that dataclasses built.
"""

from __future__ import annotations

import abc
import builtins
import copy
import dataclasses
import functools
import inspect
import itertools
import reprlib
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar, overload

T = TypeVar("T")

GENERATED = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__",
             "__getstate__", "__setstate__")
_NOT_PLAIN = ("self", "other")  # the templates' own argument names
_PLACEHOLDER = "_record_field_"


def _placeholders(count: int) -> list[str]:
    return [f"{_PLACEHOLDER}{i}" for i in range(count)]


def _template_source(kind: str, count: int) -> str:
    """An `__init__` for `count` fields, each set through its slot's descriptor (`_set_i`: a frozen
    record refuses setattr; a mutable one has nothing but its slots), then `_then` if asked."""
    names = _placeholders(count)
    args = "".join(f", {name}" for name in names)
    body = "".join(f"    _set_{i}(self, {name})\n" for i, name in enumerate(names))
    if kind == "init_then":  # default factories, then __post_init__
        body += "    _then(self)\n"
    return f"def __init__(self{args}):\n{body or '    pass'}\n"


_TEMPLATES: dict[tuple[str, int], types.CodeType] = {}


def _init(kind: str, names: list[str], namespace: dict[str, Any], qualname: str,
          defaults: tuple[Any, ...] | None) -> types.FunctionType:
    """The `__init__` template for len(names) fields, its placeholders renamed to `names`."""
    code = _TEMPLATES.get((kind, len(names)))
    if code is None:
        module = compile(_template_source(kind, len(names)), f"<record {kind} of {len(names)}>", "exec")
        code = _TEMPLATES[kind, len(names)] = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    renamed = dict(zip(_placeholders(len(names)), names, strict=True))
    code = code.replace(co_varnames=tuple(renamed.get(n, n) for n in code.co_varnames),
                        co_qualname=f"{qualname}.__init__")
    return types.FunctionType(code, namespace, "__init__", defaults)


def _key(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of a record's fields (what dataclasses' `__eq__` compares and its `__hash__` hashes)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda record: (one(record),)
    return lambda record: ()


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__record_key__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_key__(self))


def _signature(found: tuple[Field[Any], ...]) -> str | None:
    """`(x: 'int', y: 'str' = '')`, as inspect.signature writes an `__init__` whose annotations are
    strings (peersnap's modules postpone them); None for anything else."""
    parts = []
    for f in found:
        if not isinstance(f.type, str):
            return None
        default = "<factory>" if f.default_factory is not MISSING else repr(f.default)
        parts.append(f"{f.name}: {f.type!r}" + ("" if f.default is MISSING and f.default_factory is MISSING
                                                 else f" = {default}"))
    return f"({', '.join(parts)})"


class _Factory:
    """The default an `__init__` shows for a field with a default factory (as dataclasses' does)."""

    def __repr__(self) -> str:
        return "<factory>"


FACTORY = _Factory()


def _then(plan: list[tuple[str, Callable[[Any, Any], None], Callable[[], Any]]],
          post_init: bool) -> Callable[[Any], None]:
    """What an `__init__` does after setting the fields: each default factory asked for, then `__post_init__`."""
    def then(self: Any) -> None:
        for name, setter, factory in plan:
            if getattr(self, name) is FACTORY:
                setter(self, factory())
        if post_init:
            self.__post_init__()
    return then


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_fields__)
    return f"{self.__class__.__qualname__}({shown})"


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    cls = self.__record_class__
    if type(self) is cls or name in self.__record_fields__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    super(cls, self).__setattr__(name, value)


def _frozen_delattr(self: Any, name: str) -> None:
    cls = self.__record_class__
    if type(self) is cls or name in self.__record_fields__:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
    super(cls, self).__delattr__(name)


def _getstate(self: Any) -> list[Any]:  # (as dataclasses' for a frozen, slotted class: copy and pickle)
    return [getattr(self, f.name) for f in fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(fields(self), state, strict=False):
        object.__setattr__(self, f.name, value)


def _plain(cls: type, frozen: bool, eq: bool, order: bool) -> bool:
    """Whether the templates build what dataclasses would (else dataclasses builds it): asked of the
    class as written, before dataclasses has seen it."""
    if order or (frozen and not eq):
        return False
    if any(name in cls.__dict__ for name in GENERATED):
        return False
    for base in cls.__mro__[1:-1]:
        if "__dataclass_fields__" in base.__dict__ and "__record_class__" not in base.__dict__:
            return False  # a base dataclasses built (its fields may be anything)
        if "__record_class__" in base.__dict__ and base.__dataclass_params__.frozen != frozen:
            return False  # dataclasses' own error says what is wrong
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # (inspect.get_annotations, less its checks)
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if name in _NOT_PLAIN or name.startswith(_PLACEHOLDER) or "InitVar" in text or "KW_ONLY" in text:
            return False
        value = cls.__dict__.get(name)
        if isinstance(value, Field) and (not value.init or not value.repr or not value.compare
                                         or value.hash is not None or value.kw_only is True):
            return False
    return True


# What `@dataclass(init=False, repr=False, eq=False, slots=True)` records of a class it was asked about
# (`_says` copies it), and dataclasses' private marks for a field and a ClassVar
_ASKED = dataclass(init=False, repr=False, eq=False, slots=True)(type("_Asked", (), {})).__dataclass_params__
_FIELD, _CLASSVAR = dataclasses._FIELD, dataclasses._FIELD_CLASSVAR  # type: ignore[attr-defined]


@functools.cache
def _says(eq: bool, frozen: bool) -> Any:
    """What dataclasses would say of a class it built with `eq` and `frozen` (one for each pair:
    nobody changes a class's `__dataclass_params__`)."""
    params = copy.copy(_ASKED)
    params.init = params.repr = True
    params.eq, params.frozen = eq, frozen
    return params


def _is_classvar(cls: type, annotation: Any) -> bool:
    """dataclasses' own test (a postponed annotation's first name looked up in the class's module),
    asked only of what names ClassVar (its regexes over every annotation were most of its cost)."""
    if isinstance(annotation, str):
        return "ClassVar" in annotation and dataclasses._is_type(  # type: ignore[attr-defined]
            annotation, cls, typing, typing.ClassVar, dataclasses._is_classvar)  # type: ignore[attr-defined]
    return dataclasses._is_classvar(annotation, typing)  # type: ignore[attr-defined]


def _own_field(cls: type, name: str, annotation: Any) -> Field[Any]:
    """dataclasses' field for `name: annotation` as written in `cls` (its `_get_field`, for what
    `_plain` lets through)."""
    default = cls.__dict__.get(name, MISSING)
    found = default if isinstance(default, Field) else dataclasses.field(default=default)
    found.name, found.type = name, annotation
    if _is_classvar(cls, annotation):
        found._field_type = _CLASSVAR  # type: ignore[attr-defined]
        return found
    found._field_type = _FIELD  # type: ignore[attr-defined]
    if found.kw_only is MISSING:
        found.kw_only = False
    if found.default is not MISSING and found.default.__class__.__hash__ is None:
        raise ValueError(f"mutable default {type(found.default)} for field {name} is not allowed: use default_factory")
    return found


def _inherited_slots(cls: type) -> set[str]:
    slots: set[str] = set()
    for base in cls.__mro__[1:-1]:
        named = base.__dict__.get("__slots__")
        if named is not None:
            slots.update((named,) if isinstance(named, str) else named)
    return slots


def _fields_of(cls: type) -> dict[str, Field[Any]]:
    """What `@dataclass(init=False, repr=False, eq=False, slots=True)` would record as `cls`'s
    fields (`__dataclass_fields__`: the bases' first, ClassVars among them); done here because
    dataclasses' way (~75 µs a class, regexes over every annotation) was a fifth of peersnap's
    import time. tests/test_records.py holds every record class to what dataclasses would build."""
    found: dict[str, Field[Any]] = {}
    for base in cls.__mro__[-1:0:-1]:
        found.update(getattr(base, "__dataclass_fields__", None) or {})
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        found[name] = _own_field(cls, name, annotation)
    return found


def _slotted(cls: type[T], found: dict[str, Field[Any]], names: list[str], methods: dict[str, Any]) -> type[T]:
    """`cls` made again with slots for its fields, dataclasses' bookkeeping and `methods` in its
    namespace from the start (each set on a made class would update its type slots: ~1 µs apiece)."""
    namespace = dict(cls.__dict__)
    for name in names:
        namespace.pop(name, None)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    inherited = _inherited_slots(cls)
    namespace["__slots__"] = tuple(name for name in names if name not in inherited)
    namespace["__dataclass_fields__"] = found
    namespace.setdefault("__match_args__", tuple(name for name in names if found[name].init))
    namespace.update(methods)
    built = type(cls)(cls.__name__, cls.__bases__, namespace)
    built.__qualname__ = cls.__qualname__
    return abc.update_abstractmethods(built)


def _has_default(f: Field[Any]) -> bool:
    return f.default is not MISSING or f.default_factory is not MISSING


def _build(cls: type[T], frozen: bool, eq: bool, order: bool) -> type[T]:
    if not _plain(cls, frozen, eq, order):
        return dataclass(cls, frozen=frozen, eq=eq, order=order, slots=True)
    everything = _fields_of(cls)
    found = tuple(f for f in everything.values() if f._field_type is _FIELD)  # type: ignore[attr-defined]
    names = [f.name for f in found]
    for before, after in itertools.pairwise(found):
        if _has_default(before) and not _has_default(after):
            raise TypeError(f"non-default argument {after.name!r} follows default argument")
    defaults = [FACTORY if f.default_factory is not MISSING else f.default for f in found if _has_default(f)]
    # the __init__'s globals: its slot setters (`_set_i`) and `_then` are put in once the class is made
    namespace: dict[str, Any] = {"__builtins__": builtins, "__name__": cls.__module__}
    factories = any(f.default_factory is not MISSING for f in found)
    post_init = hasattr(cls, "__post_init__")
    kind = "init_then" if factories or post_init else "init"
    init = _init(kind, names, namespace, cls.__qualname__, tuple(defaults) or None)
    init.__annotations__ = {f.name: f.type for f in found} | {"return": None}
    methods: dict[str, Any] = {"__init__": init, "__repr__": _repr, "__record_fields__": tuple(names),
                               "__dataclass_params__": _says(eq, frozen)}
    if eq:
        methods.update(__record_key__=staticmethod(_key(names)), __eq__=_eq, __hash__=_hash if frozen else None)
    if frozen:
        methods.update(__setattr__=_frozen_setattr, __delattr__=_frozen_delattr, __getstate__=_getstate,
                       __setstate__=_setstate)
    undocumented = not cls.__dict__.get("__doc__")
    signature = _signature(found) if undocumented else None
    if signature is not None:
        methods["__doc__"] = cls.__name__ + signature
    built = _slotted(cls, everything, names, methods)
    built.__record_class__ = built  # type: ignore[attr-defined]
    setters = [next(klass.__dict__[name] for klass in built.__mro__ if name in klass.__dict__).__set__
               for name in names]
    namespace.update((f"_set_{i}", setter) for i, setter in enumerate(setters))
    if kind == "init_then":
        namespace["_then"] = _then([(f.name, setter, f.default_factory) for f, setter in zip(found, setters, strict=True)
                                    if f.default_factory is not MISSING], post_init)
    if undocumented and signature is None:
        built.__doc__ = built.__name__ + str(inspect.signature(built)).replace(" -> None", "")
    return built


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, frozen: bool = True, eq: bool = True, order: bool = False) -> Callable[[type[T]], type[T]]: ...
def record(cls: type[T] | None = None, /, *, frozen: bool = True, eq: bool = True,
           order: bool = False) -> type[T] | Callable[[type[T]], type[T]]:
    """`@record` = `@dataclass(frozen=True, slots=True)`; `@record(frozen=False, eq=False)` =
    `@dataclass(slots=True, eq=False)`; `order=True` is dataclasses' own."""
    if cls is None:
        return lambda klass: _build(klass, frozen, eq, order)
    return _build(cls, frozen, eq, order)
