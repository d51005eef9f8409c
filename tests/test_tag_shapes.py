"""The committed tag-shape table matches the schemas of the installed cfn-lint and SAM translator."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from autofix.model import tag_shapes as _tag_shapes

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "gen_tag_shapes.py"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_tag_shapes", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_table_matches_installed_schemas() -> None:
    shapes, create_only, kinds = _generator().build()
    assert shapes == _tag_shapes.TAG_SHAPES, "stale: run python3 scripts/gen_tag_shapes.py"
    assert create_only == _tag_shapes.CREATE_ONLY, "stale: run python3 scripts/gen_tag_shapes.py"
    assert kinds == _tag_shapes.SAM_GLOBALS_WITH_TAGS, "stale: run python3 scripts/gen_tag_shapes.py"


def test_known_facts() -> None:
    """Spot checks against cfn-facts item 17, so a generator bug cannot pass silently."""
    shapes = _tag_shapes.TAG_SHAPES
    assert shapes["AWS::Lambda::Function"] == "list"
    assert shapes["AWS::ApiGatewayV2::Api"] == "map"
    assert shapes["AWS::SSM::Parameter"] == "map"
    assert shapes["AWS::Serverless::Function"] == "map"
    for untaggable in ("AWS::Lambda::Permission", "AWS::IAM::Policy", "AWS::S3::BucketPolicy",
                       "AWS::ApiGateway::Deployment", "AWS::AutoScaling::AutoScalingGroup"):
        assert untaggable not in shapes
    assert "Api" not in _tag_shapes.SAM_GLOBALS_WITH_TAGS
