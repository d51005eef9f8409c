"""Records: the part of `dataclasses` this project uses, without its start-up cost.

`@record` and `@record(frozen=True)` stand for `@dataclass` and `@dataclass(frozen=True)`, with
`field(default_factory=...)` and `replace(obj, **changes)` as in `dataclasses`. A record has its
annotated fields, in order (inherited ones first; `ClassVar`s are not fields), and:

- construction by position or keyword in field order, with defaults and default factories
  (`kw_only=True`: keywords only);
- a repr like dataclasses' (`Name(a=1, b='x')`; `field(repr=False)` leaves a field out);
- equality by value with an instance of the same class only (`field(compare=False)` is left
  out); frozen ones hash by the same values, others are unhashable, as with dataclasses;
- frozen ones raise `dataclasses.FrozenInstanceError` on assignment and deletion (dataclasses
  is imported only then, to raise its own error);
- pickling and copying as any plain class: the instance's `__dict__`, restored without
  `__setattr__`, so frozen ones survive it too;
- `dataclasses`' own functions (`replace`, `fields`, `asdict`, `is_dataclass`) take a record
  too: its `__dataclass_fields__` is made when first asked for, by code that imported
  dataclasses already (a plugin, a module not moved to records yet).

A method the class defines itself is kept, as dataclasses keeps it. Nothing is compiled: every
record shares the functions below, which read the class's field table (`__record__`). A dataclass
compiles its methods with `exec` when its class is created, and importing `dataclasses` imports
`inspect`, `ast` and `dis`: together more than a tenth of a one-file run for this project's ~45
classes, against some 20 microseconds a class here.
"""

from __future__ import annotations

from _thread import get_ident
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Field", "field", "fields", "record", "replace"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One declared field: its name, annotation, default or default factory, and whether the
    repr shows it and equality compares it."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr", "type")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,
                 compare: bool = True) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name: str = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare

    def __repr__(self) -> str:
        return (f"Field(name={self.name!r}, type={self.type!r}, default={self.default!r}, "
                f"default_factory={self.default_factory!r}, repr={self.repr!r}, compare={self.compare!r})")


def field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,
          compare: bool = True) -> Any:
    """A field's default or default factory (`field(default_factory=list)`), as in dataclasses."""
    return Field(default, default_factory, repr, compare)


class _Spec:
    """A record class's field table, read by the shared methods."""

    __slots__ = ("fields", "frozen", "init", "key", "names", "owner", "positional", "shown", "tails")

    def __init__(self, cls: type, fields: dict[str, Field], frozen: bool, kw_only: bool) -> None:
        self.fields = fields
        self.init = tuple((f.name, f.default, f.default_factory) for f in fields.values())
        self.positional = 0 if kw_only else len(self.init)
        self.names = tuple(fields)
        # For `_init`'s direct path: the class whose instances may have their fields written
        # straight into `__dict__` (None where a slot or a descriptor stands in a field's way),
        # and per count of positional arguments the defaults of the fields left, or None where
        # one of those has a factory or no default.
        self.owner = cls if _direct(cls, self.names) else None
        self.tails = tuple(_tail(self.init[count:]) for count in range(self.positional + 1))
        self.key = _key([name for name, f in fields.items() if f.compare])
        self.shown = tuple(name for name, f in fields.items() if f.repr)
        self.frozen = frozen


def _key(names: list[str]) -> Callable[[Any], tuple]:
    """The tuple of `names`' values of an instance: what equality compares and hashing hashes."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def record(cls: type | None = None, /, *, frozen: bool = False, kw_only: bool = False) -> Any:
    """Make `cls` a record: `@record`, `@record(frozen=True)`, `@record(kw_only=True)`."""
    if cls is None:
        return lambda cls: _build(cls, frozen, kw_only)
    return _build(cls, frozen, kw_only)


def _build(cls: type, frozen: bool, kw_only: bool) -> type:
    own = cls.__dict__
    declared: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):  # inherited fields first, as dataclasses orders them
        spec = base.__dict__.get("__record__")
        if spec is not None:
            if spec.frozen != frozen:
                kind = ("frozen", "non-frozen") if frozen else ("non-frozen", "frozen")
                raise TypeError(f"{cls.__qualname__}: cannot inherit {kind[0]} record from a {kind[1]} one")
            declared.update(spec.fields)
    annotations = cls.__annotations__
    for name, annotation in annotations.items():
        if is_class_var(annotation):
            continue
        value = own.get(name, MISSING)
        declared[name] = one = value if isinstance(value, Field) else Field(value)
        one.name, one.type = name, annotation
        if one.default is not MISSING and type(one.default).__hash__ is None:
            raise ValueError(f"mutable default {type(one.default)} for field {name} is not allowed: "
                             "use default_factory")
        if one.default is MISSING:
            if name in own:
                delattr(cls, name)  # a factory's field object
        elif value is not one.default:
            setattr(cls, name, one.default)  # the class attribute is the default, as with dataclasses
    for name, value in own.items():
        if isinstance(value, Field) and name not in annotations:
            raise TypeError(f"{cls.__qualname__}.{name} is a field but has no type annotation")
    if "__post_init__" in own:
        raise TypeError(f"{cls.__qualname__}: a record does not call __post_init__")
    if not kw_only:
        _check_order(cls, declared)
    cls.__record__ = _Spec(cls, declared, frozen, kw_only)  # type: ignore[attr-defined]
    _method(cls, "__init__", _init)
    _method(cls, "__repr__", _repr)
    _method(cls, "__eq__", _eq)
    if not kw_only:
        _method(cls, "__match_args__", tuple(declared))
    explicit_hash = own.get("__hash__", MISSING)
    if explicit_hash is MISSING or (explicit_hash is None and "__eq__" in own):
        cls.__hash__ = _hash if frozen else None  # type: ignore[assignment]
    if frozen:
        for name, method in (("__setattr__", _frozen_setattr), ("__delattr__", _frozen_delattr)):
            if name in own:
                raise TypeError(f"cannot overwrite attribute {name} in class {cls.__qualname__}")
            if getattr(cls, name) is not method:  # inherited from a frozen record: a dataclass may still decorate it
                setattr(cls, name, method)
    cls.__dataclass_fields__ = _DATACLASS_FIELDS  # type: ignore[attr-defined]
    return cls


def _check_order(cls: type, declared: dict[str, Field]) -> None:
    with_default = None
    for name, one in declared.items():
        if one.default is not MISSING or one.default_factory is not MISSING:
            with_default = name
        elif with_default is not None:
            raise TypeError(f"{cls.__qualname__}: non-default argument {name!r} follows default argument "
                            f"{with_default!r}")


def _method(cls: type, name: str, value: Any) -> None:
    if name not in cls.__dict__ and getattr(cls, name, None) is not value:  # the class's own wins, as with dataclasses
        setattr(cls, name, value)


def is_class_var(annotation: Any) -> bool:
    """True for a `ClassVar[...]` annotation, written as text (`from __future__ import annotations`) or not."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


_set = object.__setattr__  # bypasses a frozen record's __setattr__, as dataclasses' __init__ does


def _direct(cls: type, names: tuple[str, ...]) -> bool:
    """Whether an instance's fields may be written into its `__dict__`: instances have one, and
    no class attribute along the MRO is a descriptor that `object.__setattr__` would call."""
    if not cls.__dictoffset__:
        return False
    for name in names:
        for base in cls.__mro__:
            if name in base.__dict__:
                kind = type(base.__dict__[name])
                if hasattr(kind, "__set__") or hasattr(kind, "__delete__"):
                    return False
                break
    return True


def _tail(init: tuple) -> dict[str, Any] | None:
    """The defaults of `init`'s fields, in order, or None where one has a factory or no default."""
    if any(default is MISSING for _, default, _ in init):
        return None
    return {name: default for name, default, _ in init}


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    spec = type(self).__record__
    # The direct path, for the usual call (positional arguments, plain defaults for the rest):
    # the same `__dict__`, in the same order, as `_init_each` writes one field at a time.
    if not kwargs and spec.owner is type(self) and len(args) <= spec.positional:
        tail = spec.tails[len(args)]
        if tail is not None:
            values = self.__dict__
            if not values:
                values.update(zip(spec.names, args))
                values.update(tail)
                return
    _init_each(self, spec, args, kwargs)


def _init_each(self: Any, spec: _Spec, args: tuple, kwargs: dict[str, Any]) -> None:
    init = spec.init
    if len(args) > spec.positional:
        raise TypeError(f"{type(self).__qualname__}.__init__() takes {spec.positional + 1} positional "
                        f"argument{'s' * (spec.positional > 0)} but {len(args) + 1} were given")
    for (name, _, _), value in zip(init, args):
        _set(self, name, value)
    for name, default, factory in init[len(args):] if args else init:
        if name in kwargs:
            value = kwargs.pop(name)
        elif default is not MISSING:
            value = default
        elif factory is not MISSING:
            value = factory()
        else:
            raise TypeError(f"{type(self).__qualname__}.__init__() missing 1 required argument: {name!r}")
        _set(self, name, value)
    if kwargs:
        name = next(iter(kwargs))
        problem = "multiple values for argument" if name in spec.fields else "an unexpected keyword argument"
        raise TypeError(f"{type(self).__qualname__}.__init__() got {problem} {name!r}")


_REPRESENTING: set[tuple[int, int]] = set()  # (record, thread) whose repr is being built: a cycle shows "..."


def _repr(self: Any) -> str:
    key = (id(self), get_ident())
    if key in _REPRESENTING:
        return "..."
    _REPRESENTING.add(key)
    try:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self).__record__.shown)
    finally:
        _REPRESENTING.discard(key)
    return f"{type(self).__qualname__}({shown})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__record__.key
    return key(self) == key(other)


def _hash(self: Any) -> int:
    return hash(self.__record__.key(self))


def _frozen_error(message: str) -> AttributeError:
    # Imported only on this mistake; callers may catch dataclasses' own error.
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    if name in self.__record__.fields or "__record__" in type(self).__dict__:
        raise _frozen_error(f"cannot assign to field {name!r}")
    _set(self, name, value)  # a plain subclass's own attribute, as dataclasses allows


def _frozen_delattr(self: Any, name: str) -> None:
    if name in self.__record__.fields or "__record__" in type(self).__dict__:
        raise _frozen_error(f"cannot delete field {name!r}")
    object.__delattr__(self, name)


class _DataclassFields:
    """A record's `__dataclass_fields__`, made when dataclasses' functions first ask for it: the
    fields of a dataclass declared like the record (dataclasses' public `make_dataclass`, about
    a millisecond once per class), kept on the class."""

    def __get__(self, instance: Any, owner: type) -> dict[str, Any]:
        import dataclasses

        def same(value: Any) -> Any:
            return dataclasses.MISSING if value is MISSING else value

        spec = owner.__record__  # type: ignore[attr-defined]
        declared = [(f.name, f.type, dataclasses.field(default=same(f.default), default_factory=same(f.default_factory),
                                                       repr=f.repr, compare=f.compare))
                    for f in spec.fields.values()]
        table = dataclasses.make_dataclass(owner.__name__, declared, kw_only=not spec.positional).__dataclass_fields__
        owner.__dataclass_fields__ = table  # type: ignore[attr-defined]
        return table


_DATACLASS_FIELDS = _DataclassFields()


def fields(class_or_instance: Any) -> tuple[Field, ...]:
    """A record's fields, in order."""
    spec = getattr(class_or_instance, "__record__", None)
    if spec is None:
        raise TypeError("must be called with a record type or instance")
    return tuple(spec.fields.values())


def replace(obj: Any, /, **changes: Any) -> Any:
    """A copy of the record (or dataclass) `obj` with `changes`, made through its `__init__`."""
    spec = getattr(type(obj), "__record__", None)
    if spec is None:
        if hasattr(type(obj), "__dataclass_fields__"):  # then dataclasses is imported already
            import dataclasses

            return dataclasses.replace(obj, **changes)
        raise TypeError("replace() should be called on record or dataclass instances")
    for name in spec.fields:
        if name not in changes:
            changes[name] = getattr(obj, name)
    return obj.__class__(**changes)
