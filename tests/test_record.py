"""autofix.record: the dataclass behaviour the project relies on, pinned against dataclasses itself.

Each behaviour is checked on a record and, where dataclasses has it, on the same declaration made
a dataclass, so a difference between the two forms fails here and not in a patch.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import ClassVar

import pytest

from autofix.record import field, fields, record, replace


@record(frozen=True)
class Point:
    x: int
    y: int = 0
    label: str = ""


@record(frozen=True)
class OtherPoint:
    x: int
    y: int = 0
    label: str = ""


@record
class Bag:
    name: str
    items: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    hidden: str = field(default="secret", repr=False)
    seen: int = field(default=0, compare=False)
    LIMIT: ClassVar[int] = 3  # a class variable, not a field


@record(frozen=True)
class Holder:
    point: Point
    bag: Bag | None = None


@dataclasses.dataclass(frozen=True)
class ClassicPoint:
    x: int
    y: int = 0
    label: str = ""


@dataclasses.dataclass
class ClassicBag:
    name: str
    items: list = dataclasses.field(default_factory=list)
    notes: dict = dataclasses.field(default_factory=dict)
    hidden: str = dataclasses.field(default="secret", repr=False)
    seen: int = dataclasses.field(default=0, compare=False)
    LIMIT: ClassVar[int] = 3


def test_fields_are_the_annotations_in_order_without_class_variables() -> None:
    assert [f.name for f in fields(Bag)] == ["name", "items", "notes", "hidden", "seen"]
    assert [f.name for f in fields(Bag("b"))] == [f.name for f in dataclasses.fields(ClassicBag)]
    assert Bag.LIMIT == 3 and Point.y == 0 and Point.label == ""  # defaults stay class attributes
    assert "items" not in Bag.__dict__  # as a dataclass drops a factory's field object
    assert Point.__annotations__ == {"x": "int", "y": "int", "label": "str"}  # annotations kept


def test_construction_by_position_and_keyword_in_field_order() -> None:
    assert Point(1, 2, "a") == Point(x=1, y=2, label="a") == Point(1, label="a", y=2)
    assert (Point(1).y, Point(1).label) == (0, "")
    assert Point.__match_args__ == ClassicPoint.__match_args__ == ("x", "y", "label")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: Point(), "missing 1 required argument: 'x'"),
    (lambda: Point(1, 2, "a", 4), "takes 4 positional arguments but 5 were given"),
    (lambda: Point(1, x=2), "got multiple values for argument 'x'"),
    (lambda: Point(1, z=2), "got an unexpected keyword argument 'z'"),
])
def test_wrong_arguments_are_refused_as_a_dataclass_refuses_them(call, message) -> None:
    with pytest.raises(TypeError, match=message):
        call()


def test_a_keyword_only_record_takes_no_positional_argument() -> None:
    @record(kw_only=True)
    class Options:
        size: int = 1

    assert Options(size=2).size == 2
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        Options(2)


def test_each_instance_gets_its_own_default_from_a_factory() -> None:
    one, two = Bag("one"), Bag("two")
    one.items.append(1)
    one.notes["k"] = "v"
    assert two.items == [] and two.notes == {} and one.items is not two.items


def test_a_mutable_default_or_a_misordered_field_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="mutable default <class 'list'> for field items is not allowed"):
        @record
        class Shared:
            items: list = []  # noqa: RUF012 - the mistake this test pins

    with pytest.raises(TypeError, match="non-default argument 'y' follows default argument 'x'"):
        @record
        class Misordered:
            x: int = 0
            y: int

    with pytest.raises(ValueError, match="cannot specify both default and default_factory"):
        field(default=1, default_factory=int)


def test_equality_compares_values_within_one_class_only() -> None:
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(1, 3)
    assert Point(1, 2) != OtherPoint(1, 2)  # same fields, another class
    assert Point(1, 2) != (1, 2, "") and Point(1, 2).__eq__((1, 2, "")) is NotImplemented
    assert Bag("b", seen=1) == Bag("b", seen=2)  # compare=False leaves a field out
    assert Bag("b", hidden="x") != Bag("b")  # repr=False does not


def test_a_frozen_record_hashes_by_its_values_as_a_frozen_dataclass() -> None:
    assert hash(Point(1, 2, "a")) == hash(Point(1, 2, "a")) == hash(ClassicPoint(1, 2, "a"))
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2
    assert hash(Holder(Point(1))) == hash((Point(1), None))


def test_a_record_that_is_not_frozen_is_unhashable() -> None:
    assert Bag.__hash__ is None is ClassicBag.__hash__
    with pytest.raises(TypeError, match="unhashable type: 'Bag'"):
        hash(Bag("b"))


def test_a_method_the_class_defines_is_kept() -> None:
    @record(frozen=True)
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

        def __hash__(self) -> int:
            return 7

    assert repr(Named("n")) == "<n>" and hash(Named("n")) == 7 and Named("n") == Named("n")


def test_a_frozen_record_refuses_assignment_and_deletion_with_dataclasses_error() -> None:
    point = Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'y'"):
        del point.y
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'other'"):
        point.other = 1  # type: ignore[attr-defined]
    assert point == Point(1)


def test_a_record_that_is_not_frozen_can_be_changed() -> None:
    bag = Bag("b")
    bag.name = "c"
    assert bag == Bag("c")


def test_frozen_and_not_frozen_records_do_not_inherit_from_each_other() -> None:
    with pytest.raises(TypeError, match="cannot inherit non-frozen record from a frozen one"):
        @record
        class Loose(Point):
            z: int = 0

    @record(frozen=True)
    class Point3(Point):
        z: int = 0

    assert [f.name for f in fields(Point3)] == ["x", "y", "label", "z"] and Point3(1, z=3).z == 3
    assert Point3(1) != Point(1)


def test_repr_reads_like_a_dataclass_repr() -> None:
    assert repr(Point(1, 2, "a")) == repr(ClassicPoint(1, 2, "a")).replace("ClassicPoint", "Point")
    assert repr(Bag("b", [1])) == "Bag(name='b', items=[1], notes={}, seen=0)"  # repr=False left out
    assert repr(Bag("b", [1])) == repr(ClassicBag("b", [1])).replace("ClassicBag", "Bag")
    loop = Bag("loop")
    loop.items.append(loop)
    assert repr(loop) == "Bag(name='loop', items=[...], notes={}, seen=0)"


def test_replace_makes_a_changed_copy_through_init() -> None:
    point = Point(1, 2, "a")
    assert replace(point, y=5) == Point(1, 5, "a") and point == Point(1, 2, "a")
    bag = Bag("b", [1])
    assert replace(bag).items is bag.items  # fields are carried over, not copied, as dataclasses does
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        replace(point, z=1)
    assert replace(ClassicPoint(1), y=2) == ClassicPoint(1, 2)  # a dataclass is replaced too
    with pytest.raises(TypeError, match="should be called on record or dataclass instances"):
        replace(object())


def test_dataclasses_functions_take_a_record() -> None:
    """Code written for dataclasses (a plugin, a module not moved to records) keeps working."""
    point = Point(1, 2, "a")
    assert dataclasses.is_dataclass(point) and dataclasses.is_dataclass(Point)
    assert dataclasses.replace(point, y=3) == Point(1, 3, "a")
    assert [f.name for f in dataclasses.fields(Bag)] == ["name", "items", "notes", "hidden", "seen"]
    assert dataclasses.asdict(Holder(Point(1), Bag("b"))) == {
        "point": {"x": 1, "y": 0, "label": ""},
        "bag": {"name": "b", "items": [], "notes": {}, "hidden": "secret", "seen": 0}}


@pytest.mark.parametrize("value", [Point(1, 2, "a"), Bag("b", [1, 2], {"k": "v"}, "h", 3),
                                   Holder(Point(1), Bag("b"))], ids=["frozen", "mutable", "nested"])
def test_records_survive_pickle_copy_and_deepcopy(value) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(value, protocol))
        assert back == value and type(back) is type(value)
    assert copy.copy(value) == value
    deep = copy.deepcopy(value)
    assert deep == value
    if isinstance(value, Bag):
        assert deep.items is not value.items and deep.seen == value.seen


def test_a_frozen_record_stays_frozen_after_pickle() -> None:
    back = pickle.loads(pickle.dumps(Point(1)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.x = 2  # type: ignore[misc]


# ------------------------------------------------------------ the direct construction path

@record
class _Base:
    a: int
    b: str = "b"


class _PlainSubclass(_Base):  # not a record itself: shares _Base's field table
    pass


class _Described(_Base):  # a property over a field: object.__setattr__ calls its setter
    @property
    def b(self) -> str:
        return self.__dict__["_b"]

    @b.setter
    def b(self, value: str) -> None:
        self.__dict__["_b"] = value.upper()


@record(frozen=True, kw_only=True)
class _KeywordsOnly:
    a: int = 1
    b: tuple = ()


@record
class _WithFactory:
    a: int
    items: list = field(default_factory=list)
    c: int = 3


def _one_at_a_time(cls: type, *args, **kwargs):
    """An instance built by the field-at-a-time path the direct one must equal."""
    from autofix.record import _init_each

    obj = cls.__new__(cls)
    _init_each(obj, cls.__record__, args, kwargs)
    return obj


@pytest.mark.parametrize(("cls", "args", "kwargs"), [
    (Point, (1,), {}), (Point, (1, 2), {}), (Point, (1, 2, "p"), {}), (Point, (1,), {"label": "k"}),
    (Bag, ("n",), {}), (Bag, ("n", [1]), {}), (Bag, ("n", [1], {}, "h", 2), {}),
    (_Base, (1,), {}), (_PlainSubclass, (1,), {}), (_Described, (1, "x"), {}),
    (_KeywordsOnly, (), {}), (_KeywordsOnly, (), {"b": (1,)}),
    (_WithFactory, (1,), {}), (_WithFactory, (1, [2]), {}), (_WithFactory, (1, [2], 4), {}),
])
def test_direct_construction_writes_what_one_field_at_a_time_writes(cls, args, kwargs) -> None:
    made, expected = cls(*args, **kwargs), _one_at_a_time(cls, *args, **kwargs)
    assert list(vars(made).items()) == list(vars(expected).items())  # the same fields, in the same order
    assert made == expected and repr(made) == repr(expected)


def test_direct_construction_is_kept_to_classes_whose_fields_land_in_the_instance_dict() -> None:
    assert _Base.__record__.owner is _Base and Point.__record__.owner is Point
    assert _Described(1, "x").b == "X"  # the property's setter ran: the path went one field at a time
    assert type(_PlainSubclass(1)).__record__.owner is _Base  # a plain subclass goes one field at a time
    assert _WithFactory.__record__.tails[1] is None and _WithFactory.__record__.tails[3] == {}
    a, b = _WithFactory(1), _WithFactory(1)
    assert a.items is not b.items  # factories still run per instance


def test_direct_construction_still_refuses_what_a_dataclass_refuses() -> None:
    with pytest.raises(TypeError, match="missing 1 required argument: 'a'"):
        _Base()
    with pytest.raises(TypeError, match="takes 3 positional arguments but 4 were given"):
        _Base(1, "b", 2)
    with pytest.raises(TypeError, match="takes 1 positional argument but 2 were given"):
        _KeywordsOnly(1)
