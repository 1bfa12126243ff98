"""`@record` builds what `@dataclass(frozen=True, slots=True)` (or `@dataclass(slots=True)`) builds.

Each record class of the package, and classes hypothesis makes up, is compared with a twin
that dataclasses builds from the same fields: the same `__init__` signature (positional and
by keyword, defaults, the errors for too few or too many), the same repr, equality and hash,
the same frozen errors, `__match_args__`, slots, `replace`, `astuple`, copy and pickle.
What the templates do not cover is dataclasses' own, and still works.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pickle
import pkgutil
from typing import ClassVar
from dataclasses import MISSING, FrozenInstanceError, astuple, dataclass, field, fields, make_dataclass, replace

import peersnap.core
import peersnap.tui
import pytest
from hypothesis import given
from hypothesis import strategies as st
from peersnap.core.records import record
from probes import probe


def package_records() -> list[type]:
    found: dict[str, type] = {}
    for package in (peersnap.core, peersnap.tui):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, type) and value.__module__ == module.__name__ and "__record_class__" in value.__dict__:
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


RECORDS = package_records()


def twin(cls: type) -> type:
    """What dataclasses builds from `cls`'s fields (flattened: the fields of its bases first, as theirs)."""
    params = cls.__dataclass_params__
    spec = [(f.name, f.type, field(default=f.default, compare=f.compare)) if f.default is not MISSING
            else (f.name, f.type, field(default_factory=f.default_factory, compare=f.compare))
            if f.default_factory is not MISSING
            else (f.name, f.type, field(compare=f.compare)) for f in fields(cls)]
    return make_dataclass(cls.__name__, spec, frozen=params.frozen, eq=params.eq, order=params.order, slots=True)


def slots_of(cls: type) -> list[str]:
    return [name for klass in reversed(cls.__mro__) for name in klass.__dict__.get("__slots__", ())]


def assert_alike(cls: type, reference: type) -> None:
    names = [f.name for f in fields(cls)]
    assert names == [f.name for f in fields(reference)]
    assert str(inspect.signature(cls)) == str(inspect.signature(reference))
    assert cls.__match_args__ == reference.__match_args__
    assert slots_of(cls) == slots_of(reference)
    params, theirs = cls.__dataclass_params__, reference.__dataclass_params__
    assert (params.init, params.repr, params.eq, params.frozen, params.order) == \
        (theirs.init, theirs.repr, theirs.eq, theirs.frozen, theirs.order)
    if hasattr(cls, "__post_init__"):
        return  # (it reads its fields as what they are: test_default_factories_and_post_init_...)
    values = [f"v{i}" for i in range(len(names))]
    mine, other = cls(*values), reference(*values)
    assert repr(mine).replace(cls.__qualname__, "X", 1) == repr(other).replace(reference.__qualname__, "X", 1)
    by_keyword = cls(**dict(zip(names, values, strict=True)))
    assert astuple(by_keyword) == tuple(values) and (by_keyword == mine) is params.eq
    assert astuple(mine) == astuple(other) == tuple(values)
    required = sum(1 for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING)
    for count in (required - 1, len(names) + 1):
        if count < 0:
            continue
        with pytest.raises(TypeError) as raised:
            cls(*values[:count], *["extra"] * (count - len(names)))
        with pytest.raises(TypeError) as expected:
            reference(*values[:count], *["extra"] * (count - len(names)))
        assert str(raised.value).split("(", 1)[1] == str(expected.value).split("(", 1)[1]
    assert (mine == cls(*values)) is (other == reference(*values)) is params.eq
    assert mine.__eq__(object()) is other.__eq__(object())
    for i, name in enumerate(names):
        changed = [*values[:i], "changed", *values[i + 1:]]
        assert (mine == cls(*changed)) is (other == reference(*changed))
        assert getattr(replace(mine, **{name: "changed"}), name) == "changed"
        if params.order:  # (each comparison, both ways, as dataclasses' tuples compare)
            for a, b, c, d in ((mine, cls(*changed), other, reference(*changed)),
                               (cls(*changed), mine, reference(*changed), other)):
                assert (a < b, a <= b, a > b, a >= b) == (c < d, c <= d, c > d, c >= d)
    if params.frozen:
        assert hash(mine) == hash(other)
        for name in names:
            with pytest.raises(FrozenInstanceError) as raised:
                setattr(mine, name, 1)
            with pytest.raises(FrozenInstanceError) as expected:
                setattr(other, name, 1)
            assert str(raised.value) == str(expected.value)
            with pytest.raises(FrozenInstanceError):
                delattr(mine, name)
        # (Python 3.11's own frozen, slotted dataclass answers a name that is no field with
        # "super(type, obj): obj must be an instance or subtype of type"; a record says it is frozen)
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'not_a_field'"):
            mine.not_a_field = 1
        assert copy.copy(mine) == mine and copy.deepcopy(mine) == mine
    else:
        assert cls.__hash__ is reference.__hash__ or (cls.__hash__ is None) is (reference.__hash__ is None)
        for name in names:
            setattr(mine, name, "set")
            assert getattr(mine, name) == "set"


@pytest.mark.parametrize("cls", RECORDS, ids=[f"{c.__module__.rsplit('.', 1)[1]}.{c.__qualname__}" for c in RECORDS])
def test_each_record_of_the_package_is_what_dataclasses_would_build(cls):
    assert_alike(cls, twin(cls))


def test_most_of_the_package_records_are_built_from_templates():
    """The point of `record`: at import, dataclasses compiles methods only for the few classes the
    templates do not cover (`order=True`, a method of its own, `field(repr=False)` ...)."""
    assert len(RECORDS) >= 90


def test_the_written_out_templates_are_current_and_nothing_compiles_at_import():
    """core/record_inits.py is what `record_inits_source()` writes, and importing the package
    (every record class of the start) compiles no template: they all come from its bytecode."""
    from pathlib import Path

    from peersnap.core import records

    written = Path(records.__file__).with_name("record_inits.py").read_text(encoding="utf-8")
    assert written == records.record_inits_source(), "run: python -c 'from peersnap.core import records; " \
        "print(records.record_inits_source(), end=\"\")' > core/record_inits.py"
    code = ("import builtins, sys\n"
             "compiled = []\n"
             "original = builtins.compile\n"
             "def counting(source, name, *args, **kwargs):\n"
             "    if str(name).startswith('<record'): compiled.append(name)\n"
             "    return original(source, name, *args, **kwargs)\n"
             "builtins.compile = counting\n"
             "import peersnap.tui.cli, peersnap.tui.app\n"
             "print(compiled)\n")
    assert probe(code) == "[]"


@pytest.mark.parametrize("frozen", [True, False])
def test_a_record_with_more_fields_than_the_written_templates_is_compiled_once(frozen):
    from peersnap.core import records

    count = records.PRECOMPILED + 3
    names = [f"f{i}" for i in range(count)]
    namespace = {"__annotations__": {name: "int" for name in names}}
    wide = record(frozen=frozen)(type("Wide", (), dict(namespace)))
    reference = dataclass(frozen=frozen, slots=True)(type("Wide", (), dict(namespace)))
    assert_alike(wide, reference)
    assert wide(*range(count)) == wide(*range(count)) and getattr(wide(*range(count)), names[-1]) == count - 1
    assert ("init", count) in records._TEMPLATES


@pytest.mark.parametrize("frozen", [True, False])
def test_a_field_left_out_of_comparisons_is_left_out_of_equality_and_hash_as_dataclasses_does(frozen):
    namespace = {"__annotations__": {"a": "int", "b": "int", "c": "int"}, "b": field(default=0, compare=False),
                 "c": field(default_factory=list, compare=False)}
    mine = record(frozen=frozen)(type("Part", (), dict(namespace)))
    reference = dataclass(frozen=frozen, slots=True)(type("Part", (), dict(namespace)))
    assert "__record_class__" in mine.__dict__  # (built from the templates, not handed to dataclasses)
    assert_alike(mine, reference)
    assert mine(1, 2, [3]) == mine(1, 5, [6]) and mine(1) != mine(2)
    assert repr(mine(1, 2)).endswith("(a=1, b=2, c=[])")
    if frozen:
        assert hash(mine(1, 2)) == hash(mine(1, 3)) == hash(reference(1, 4))


def test_a_record_pickles_by_its_module_name():
    from peersnap.core.events import OpQueued

    op = OpQueued(1, "sw", 2, "create", "a", 3)
    assert pickle.loads(pickle.dumps(op)) == op
    assert type(pickle.loads(pickle.dumps(op))) is OpQueued


FIELD_NAMES = st.lists(st.sampled_from(["a", "b", "c", "path", "size", "at", "fileset", "x_1", "hash", "name"]),
                       unique=True, max_size=8)


@given(names=FIELD_NAMES, defaults=st.integers(0, 8), split=st.integers(0, 8), frozen=st.booleans(),
       eq=st.booleans())
def test_made_up_records_are_what_dataclasses_would_build(names, defaults, split, frozen, eq):
    """A base and a subclass, each with some of the fields, the last `defaults` of them with a default."""
    if frozen and not eq:
        eq = True  # (dataclasses' own: frozen without eq keeps identity's hash; record hands that to it)
    defaults = min(defaults, len(names))
    split = min(split, len(names))
    first_default = len(names) - defaults

    def body(chosen: list[str], offset: int) -> dict:
        namespace = {"__annotations__": {name: "int" for name in chosen}}
        namespace.update({name: i * 10 for i, name in enumerate(chosen, start=offset) if i >= first_default})
        return namespace

    base = record(frozen=frozen, eq=eq)(type("Base", (), body(names[:split], 0)))
    sub = record(frozen=frozen, eq=eq)(type("Sub", (base,), body(names[split:], split)))
    reference_base = dataclass(frozen=frozen, eq=eq, slots=True)(type("Base", (), body(names[:split], 0)))
    reference_sub = dataclass(frozen=frozen, eq=eq, slots=True)(type("Sub", (reference_base,), body(names[split:], split)))
    assert "__record_class__" in sub.__dict__
    assert_alike(base, reference_base)
    assert_alike(sub, reference_sub)
    assert sub.__doc__ == reference_sub.__doc__


def test_default_factories_and_post_init_run_as_dataclasses_run_them():
    made: list[int] = []

    def factory() -> list[int]:
        made.append(1)
        return []

    @record
    class WithFactory:
        x: int
        items: list = field(default_factory=factory)

    @record(frozen=False)
    class WithPostInit:
        x: int
        items: list = field(default_factory=list)
        doubled: int = 0

        def __post_init__(self) -> None:
            self.doubled = self.x * 2 + len(self.items)

    for cls in (WithFactory, WithPostInit):
        assert "__record_class__" in cls.__dict__
    assert str(inspect.signature(WithFactory)) == "(x: 'int', items: 'list' = <factory>) -> None"
    first, second = WithFactory(1), WithFactory(1)
    assert first.items == [] and first.items is not second.items and len(made) == 2
    given_items = [5]
    assert WithFactory(1, given_items).items is given_items and len(made) == 2
    assert WithPostInit(3).doubled == 6 and WithPostInit(3, [1, 2]).doubled == 8
    assert WithPostInit(3, doubled=1).doubled == 6  # __post_init__ runs last, as dataclasses' does
    with pytest.raises(FrozenInstanceError):
        first.items = []


def test_an_ordered_record_compares_as_dataclasses_ordered_one():
    """`order=True` comes from the templates too (core.timeline's Moment is one, on the start's path):
    the fields compared as tuples, only with a record of the same class."""
    @record(order=True)
    class Ordered:
        x: int
        y: str = ""
        note: str = field(default="", compare=False)

    reference = dataclass(frozen=True, slots=True, order=True)(
        type("Ordered", (), {"__annotations__": {"x": "int", "y": "str", "note": "str"}, "y": "",
                             "note": field(default="", compare=False)}))
    assert "__record_class__" in Ordered.__dict__
    pairs = [((1, "a"), (1, "b")), ((1, "b"), (1, "a")), ((2, ""), (1, "z")), ((1, "a"), (1, "a"))]
    for left, right in pairs:
        mine, theirs = (Ordered(*left), Ordered(*right, note="x")), (reference(*left), reference(*right, note="x"))
        for op in ("__lt__", "__le__", "__gt__", "__ge__"):
            assert getattr(mine[0], op)(mine[1]) == getattr(theirs[0], op)(theirs[1]), (left, right, op)
    assert sorted([Ordered(2), Ordered(1, "b"), Ordered(1, "a")]) == [Ordered(1, "a"), Ordered(1, "b"), Ordered(2)]
    assert Ordered(1).__lt__(reference(1)) is NotImplemented
    with pytest.raises(TypeError, match="not supported"):
        Ordered(1) < 1  # noqa: B015
    assert Ordered.__dataclass_params__.order and Ordered.__lt__.__name__ == "__lt__"


def test_what_the_templates_do_not_cover_is_dataclasses_own():
    class Ordered:
        x: int

        def __lt__(self, other: object) -> bool:
            return False

    @record
    class OwnRepr:
        x: int

        def __repr__(self) -> str:
            return "mine"

    @record
    class Hidden:
        x: int
        secret: str = field(default="s", repr=False)

    with pytest.raises(TypeError, match="Cannot overwrite attribute __lt__"):  # (dataclasses' own error)
        record(order=True)(Ordered)
    for cls in (OwnRepr, Hidden):
        assert "__record_class__" not in cls.__dict__
    assert repr(OwnRepr(1)) == "mine" and repr(Hidden(1)) == "test_what_the_templates_do_not_cover_is_dataclasses_own.<locals>.Hidden(x=1)"


def test_a_record_refuses_what_dataclasses_refuses():
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @record
        class Misordered:
            a: int = 1
            b: int

    with pytest.raises(ValueError, match="mutable default"):
        @record
        class Mutable:
            items: list = []  # noqa: RUF012

    @record
    class Frozen:
        x: int

    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):
        @record(frozen=False)
        class Thawed(Frozen):
            y: int


def test_a_record_mixes_with_dataclasses_own_frozen_classes():
    @record
    class Base:
        x: int

    @dataclass(frozen=True, slots=True, order=True)
    class Sub(Base):
        y: int = 0

    assert Sub(1) < Sub(1, 2) and Sub(1).x == 1
    with pytest.raises(FrozenInstanceError):
        Sub(1).x = 2


def test_classvars_and_record_bases_are_what_dataclasses_makes_of_them():
    """A ClassVar is no field (dataclasses' rule: a postponed annotation whose first name is the module's
    ClassVar; a string in the string is a field), and a record's fields follow its record base's, with
    the slots split between them as dataclasses splits them."""
    @record
    class Base:
        x: int
        kind: ClassVar[str] = "base"

    @record
    class Sub(Base):
        y: int = 2
        label: "ClassVar[int]" = 3

    @dataclass(frozen=True, slots=True)
    class TheirBase:
        x: int
        kind: ClassVar[str] = "base"

    @dataclass(frozen=True, slots=True)
    class TheirSub(TheirBase):
        y: int = 2
        label: "ClassVar[int]" = 3

    assert list(Sub.__dataclass_fields__) == list(TheirSub.__dataclass_fields__) == ["x", "kind", "y", "label"]
    assert [f.name for f in fields(Sub)] == [f.name for f in fields(TheirSub)] == ["x", "y", "label"]
    assert (Sub.kind, Sub(1).label, Sub(1).y) == ("base", 3, 2)
    assert (Base.__slots__, Sub.__slots__) == (TheirBase.__slots__, TheirSub.__slots__) == (("x",), ("y", "label"))
    assert_alike(Sub, TheirSub)


def test_each_template_holds_self_and_its_arguments_only():
    """`_init` renames a template's variables whole, ("self", *fields): a template with a local of its
    own would be renamed wrong, so none has one."""
    from peersnap.core import records

    for (kind, count), code in records._TEMPLATES.items():
        assert code.co_varnames == ("self", *records._placeholders(count)), (kind, count)
        assert code.co_argcount == count + 1
