"""TAG001: every taggable resource carries the configured tags and the environment tag."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from autofix.edits import AppendItem, Proposal, SetKey, Skip
from autofix.kinds import Phase
from autofix.model.environment import ENV_NAMES, STRING_TYPES, is_deprecated
from autofix.model.tag_shapes import CREATE_ONLY, SAM_GLOBALS_WITH_TAGS, TAG_SHAPES
from autofix.registry import SAFE, Patch, PatchOptions
from autofix.values import is_intrinsic, ref
from autofix.view import TemplateView

SERVERLESS = "AWS::Serverless::"
Tag = tuple[str, Any]


class ResourceTags(Patch):
    id = "TAG001"
    name = "resource-tags"
    title = "Tag every taggable resource with the environment and configured tags"
    safety = SAFE
    # Every taggable type (autofix/model/tag_shapes.py, generated from cfn-lint's schemas).
    resource_types = ("*",)
    phase = Phase.DECORATE  # after every patch that creates a resource to tag
    explanation = (
        "Adds the tags in option `tags` (\"Key=Value\" strings) and, when the template has an\n"
        "environment parameter (EnvironmentSuffix, Environment, Env, Stage, EnvironmentName: the\n"
        "first found), Environment: !Ref <it>, to every resource whose type takes Tags, in the\n"
        "shape the type expects (a Key/Value list, or a map on SAM, ApiGatewayV2, SSM ...; the\n"
        "table comes from cfn-lint's schemas). Existing tags win; only missing keys are added. SAM\n"
        "resources get them in Globals when that section exists (Globals.Api takes no Tags).\n"
        "Types whose tags are create-only are tagged only when this run creates them. Stack-level\n"
        "tags (`aws cloudformation deploy --tags`) are an alternative that needs no template change."
    )

    class Options(PatchOptions):
        tags: tuple = ()
        environment_key: str = "Environment"
        environment_parameters: tuple = ENV_NAMES

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        wanted = self._wanted(view)
        if not wanted:
            if any(isinstance(res, dict) and res.get("Type") in TAG_SHAPES for res in view.resources.values()):
                yield Skip(("Resources",), self._nothing_to_add())
            return
        global_keys: dict[str, set[str] | None] = {}
        for kind in SAM_GLOBALS_WITH_TAGS:
            users = any(view.of_type(SERVERLESS + kind))
            if users and view.is_sam and isinstance(view.section("Globals").get(kind), dict):
                global_keys[kind] = yield from self._tag_globals(view, kind, wanted)
        for rid, res in view.resources.items():
            rtype = res.get("Type") if isinstance(res, dict) else None
            if not isinstance(rtype, str):
                continue
            shape = TAG_SHAPES.get(rtype) or (CREATE_ONLY.get(rtype) if rid in view.created else None)
            if shape is None:
                present = _present_keys(view.props(res).get("Tags"), CREATE_ONLY.get(rtype, "list")) or set()
                if rtype in CREATE_ONLY and any(k not in present for k, _ in wanted):
                    yield Skip(("Resources", rid), f"{rid}: Tags on {rtype} are create-only; "
                               "adding them would replace the resource")
                continue
            kind = rtype[len(SERVERLESS):] if rtype.startswith(SERVERLESS) else ""
            if kind in global_keys:
                covered = global_keys[kind]
                if covered is None:
                    continue  # Globals tags we cannot read: skipped there
                yield from self._tag_resource(view, rid, res, shape, [t for t in wanted if t[0] not in covered])
            else:
                yield from self._tag_resource(view, rid, res, shape, wanted)

    def _wanted(self, view: TemplateView) -> list[Tag]:
        tags: dict[str, Any] = {}
        param = env_parameter(view, tuple(self.options.environment_parameters))
        if param and self.options.environment_key:
            tags[self.options.environment_key] = ref(param)
        for item in self.options.tags:
            key, sep, value = str(item).partition("=")
            if not sep or not key or key.lower().startswith("aws:"):
                raise ValueError(f"tag {item!r} must be Key=Value with a key not starting with aws:")
            tags[key] = value
        return list(tags.items())

    def _nothing_to_add(self) -> str:
        """Why a template with taggable resources gets no tag: no environment tag, no tags option."""
        names = list(self.options.environment_parameters)
        if not self.options.environment_key:
            env = "environment_key is empty"
        elif names:
            either = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
            env = f"no String parameter named {either}"
        else:
            env = "environment_parameters is empty"
        return (f"no tags to add: {env}, and option tags is empty; set [options.TAG001] tags = "
                "[\"Key=Value\"] to tag every resource")

    def _tag_globals(self, view: TemplateView, kind: str,
                     wanted: list[Tag]) -> Generator[Proposal, None, set[str] | None]:
        """Tags for every SAM resource of `kind` via Globals; returns the keys now covered there."""
        path = ("Globals", kind)
        current = view.globals(kind).get("Tags")
        if current is not None and (not isinstance(current, dict) or is_intrinsic(current)):
            yield Skip(path + ("Tags",), f"Globals.{kind}: Tags is not a literal map; left as is")
            return None
        if current is None:
            yield SetKey(path, "Tags", dict(wanted), f"Globals.{kind}: {_adding(wanted)}")
        else:
            missing = [(k, v) for k, v in wanted if k not in current]
            for key, value in missing:  # one message: one change to a reader
                yield SetKey(path + ("Tags",), key, value, f"Globals.{kind}: {_adding(missing)}")
        return {k for k, _ in wanted}

    def _tag_resource(self, view: TemplateView, rid: str, res: dict, shape: str,
                      wanted: list[Tag]) -> Iterator[Proposal]:
        if not wanted:
            return
        props_path = ("Resources", rid, "Properties")
        props = res.get("Properties")
        if props is not None and (not isinstance(props, dict) or is_intrinsic(props)):
            yield Skip(props_path, f"{rid}: Properties is not a literal mapping; left as is")
            return
        current = view.props(res).get("Tags")
        if current is None:
            value: Any = dict(wanted) if shape == "map" else [_item(k, v) for k, v in wanted]
            yield SetKey(props_path, "Tags", value, f"{rid}: {_adding(wanted)}")
            return
        present = _present_keys(current, shape)
        if present is None:
            yield Skip(props_path + ("Tags",), f"{rid}: Tags is not a literal {shape}; left as is")
            return
        missing = [(k, v) for k, v in wanted if k not in present]
        for key, value in missing:  # one message: one change to a reader
            if shape == "map":
                yield SetKey(props_path + ("Tags",), key, value, f"{rid}: {_adding(missing)}")
            else:
                yield AppendItem(props_path + ("Tags",), _item(key, value), f"{rid}: {_adding(missing)}")


def _present_keys(tags: Any, shape: str) -> set[str] | None:
    """Keys already set, or None when they cannot be read (an intrinsic, a conditional item)."""
    if shape == "map":
        return set(tags) if isinstance(tags, dict) and not is_intrinsic(tags) else None
    if not isinstance(tags, list):
        return None
    keys = set()
    for item in tags:
        if not isinstance(item, dict) or not isinstance(item.get("Key"), str):
            return None
        keys.add(item["Key"])
    return keys


def _item(key: str, value: Any) -> dict:
    return {"Key": key, "Value": value}


def _adding(tags: list[Tag]) -> str:
    """'add tag Environment', 'add tags Team, CostCenter'."""
    return f"add tag{'s' if len(tags) > 1 else ''} {', '.join(k for k, _ in tags)}"


def env_parameter(view: TemplateView, names: tuple[str, ...] = ENV_NAMES) -> str | None:
    """The first of `names` declared as a string parameter and not deprecated, else None."""
    for name in names:
        spec = view.parameters.get(name)
        if isinstance(spec, dict) and spec.get("Type") in STRING_TYPES and not is_deprecated(spec):
            return name
    return None
