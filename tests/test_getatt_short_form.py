"""`!GetAtt A.B` splits at its first dot, so a logical id holding a dot is written as a list.

Found by the long fuzz profile: a resource named `... myS3Bucket` got S3001's
`!GetAtt ... myS3Bucket.Arn`, which reads back as ['', '.. myS3Bucket.Arn'], and the repair
failed its own verification as an internal error."""

from __future__ import annotations

from autofix.api import build_patches, fix_bytes
from autofix.dialect import Dialect
from autofix.render import short_form

DOTTED = (b'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n ... myS3Bucket:\n'
          b'    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: "my-bucket-name"\n')


def test_getatt_of_a_plain_name_keeps_the_dotted_short_form() -> None:
    assert short_form({"Fn::GetAtt": ["Bucket", "Arn"]}, Dialect(short_tags=True)) == ("!GetAtt", "Bucket.Arn")


def test_getatt_of_a_name_with_a_dot_is_written_as_a_list() -> None:
    assert short_form({"Fn::GetAtt": ["a.b", "Arn"]}, Dialect(short_tags=True)) == ("!GetAtt", ["a.b", "Arn"])


def test_repair_naming_a_resource_with_a_dot_verifies() -> None:
    result = fix_bytes(DOTTED, "dotted.yaml", build_patches(unsafe=True))
    assert not result.error.startswith("internal error"), result.error
    assert "!GetAtt [... myS3Bucket, Arn]" in result.output
