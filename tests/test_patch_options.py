"""A patch's `Options`: a `PatchOptions` subclass and a frozen dataclass behave alike.

`PatchOptions` is built without compiling code at class creation (a frozen dataclass compiles six
methods per class); the registry reads both forms, and each test below runs on both.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass
from typing import ClassVar  # noqa: F401 - dataclasses reads a string "ClassVar[...]" through this name

import pytest

from autofix.registry import (
    NoOptions,
    Patch,
    PatchOptions,
    all_patches,
    option_defaults,
)

# One declaration made into both forms, so the tests below compare nothing but the form.
ANNOTATIONS = {"retention_days": "int", "parameter": "str", "share": "float", "enabled": "bool", "actions": "tuple",
               "LIMIT": "ClassVar[int]"}  # a class variable, not an option
VALUES = {"retention_days": 30, "parameter": "Retention", "share": 0.7, "enabled": False,
          "actions": ("s3:GetObject",), "LIMIT": 10}


def _options(owner: str, bases: tuple[type, ...]) -> type:
    return type("Options", bases, {"__annotations__": dict(ANNOTATIONS), "__module__": __name__,
                                   "__qualname__": f"{owner}.Options", **VALUES})


class Light(Patch):
    id, name, title = "ZZZ001", "light", "Options as a PatchOptions subclass"
    Options = _options("Light", (PatchOptions,))


class Classic(Patch):
    id, name, title = "ZZZ002", "classic", "Options as a frozen dataclass"
    Options = dataclass(frozen=True)(_options("Classic", ()))


BOTH = pytest.mark.parametrize("patch", [Light, Classic], ids=["PatchOptions", "dataclass"])
DEFAULTS = {"retention_days": 30, "parameter": "Retention", "share": 0.7, "enabled": False,
            "actions": ("s3:GetObject",)}


@BOTH
def test_defaults_list_every_field_in_declaration_order_without_class_variables(patch: type[Patch]) -> None:
    assert list(patch.defaults().items()) == list(DEFAULTS.items())
    assert option_defaults(patch.Options) == DEFAULTS


@BOTH
def test_make_options_converts_and_checks_config_values(patch: type[Patch]) -> None:
    options = patch.make_options({"retention-days": 90, "share": 1, "actions": ["s3:PutObject"]})
    assert (options.retention_days, options.share, options.actions) == (90, 1.0, ("s3:PutObject",))
    assert isinstance(options.share, float) and options.parameter == "Retention"
    with pytest.raises(ValueError, match="unknown option 'size' \\(known: actions, enabled, parameter"):
        patch.make_options({"size": 1})
    with pytest.raises(ValueError, match="option 'enabled' must be bool, got int"):
        patch.make_options({"enabled": 1})
    with pytest.raises(ValueError, match="option 'retention_days' must be int, got bool"):
        patch.make_options({"retention_days": True})


@BOTH
def test_options_are_frozen_and_compared_by_value(patch: type[Patch]) -> None:
    one, same, other = patch.Options(), patch.Options(retention_days=30), patch.Options(retention_days=7)
    assert one == same and hash(one) == hash(same) and one != other
    assert len({one, same, other}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.retention_days = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del one.parameter
    with pytest.raises(TypeError, match="unexpected keyword argument 'size'"):
        patch.Options(size=1)


def test_both_forms_print_alike() -> None:
    light, classic = repr(Light.Options(enabled=True)), repr(Classic.Options(enabled=True))
    assert light.replace("Light.", "") == classic.replace("Classic.", "")
    assert light == ("Light.Options(retention_days=30, parameter='Retention', share=0.7, enabled=True, "
                     "actions=('s3:GetObject',))")


@BOTH
def test_options_survive_pickle_and_deepcopy(patch: type[Patch]) -> None:
    options = patch.Options(parameter="Days")
    assert pickle.loads(pickle.dumps(options)) == options
    assert copy.deepcopy(options) == options and copy.copy(options) == options


@BOTH
def test_a_patch_without_options_gets_its_defaults(patch: type[Patch]) -> None:
    assert patch().options == patch.Options()
    assert Patch.Options is NoOptions and NoOptions() == NoOptions() and Patch.defaults() == {}


def test_a_subclass_keeps_the_inherited_fields_first() -> None:
    class Base(PatchOptions):
        first: int = 1

    class More(Base):
        second: str = "b"
        first: int = 2  # a new default for an inherited field keeps its place

    assert option_defaults(More) == {"first": 2, "second": "b"} and option_defaults(Base) == {"first": 1}
    assert More(second="c") == More(first=2, second="c") and More() != Base()


def test_an_option_without_a_default_or_with_a_mutable_one_is_refused_when_declared() -> None:
    with pytest.raises(TypeError, match="Bare.size: an option needs a default"):
        class Bare(PatchOptions):
            size: int

    with pytest.raises(TypeError, match=r"Shared.items: the default \[\] is mutable; use a tuple"):
        class Shared(PatchOptions):
            items: list = []  # noqa: RUF012 - the mistake this test pins


def test_every_patch_declares_options_the_registry_reads() -> None:
    for cls in all_patches():
        options = cls.Options
        # Every bundled patch uses the cheap form: a frozen dataclass compiles six methods at import.
        assert issubclass(options, PatchOptions) and "__dataclass_params__" not in vars(options), cls.id
        assert cls().options == options() and cls.make_options(cls.defaults()) == options(), cls.id
