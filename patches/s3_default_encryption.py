"""S3007: default encryption (SSE-S3) written out on every bucket that does not declare one."""

from __future__ import annotations

from collections.abc import Iterator

from autofix.edits import Proposal, SetKey
from autofix.model.buckets import BUCKET, bucket_ids, props_of
from autofix.registry import SAFE, Patch
from autofix.view import TemplateView

SSE_S3 = {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}


class S3DefaultEncryption(Patch):
    id = "S3007"
    name = "s3-default-encryption"
    title = "Declare SSE-S3 default encryption on buckets without BucketEncryption"
    safety = SAFE
    resource_types = (BUCKET,)
    # Not checkov's CKV_AWS_19: it passes a bucket without BucketEncryption (S3's default), as
    # older checkov did not; an author's skip of it still means "leave this bucket alone".
    resolves = ("S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",)
    honours = ("CKV_AWS_19",)
    explanation = (
        "Adds BucketEncryption with SSEAlgorithm AES256 (SSE-S3) to every AWS::S3::Bucket that\n"
        "has none. S3 has encrypted new objects with SSE-S3 by default since January 2023, so this\n"
        "states the behaviour scanners look for without changing it. AES256 rather than aws:kms\n"
        "because server-access-log targets cannot use SSE-KMS and a KMS key needs a key policy.\n"
        "Buckets with any BucketEncryption (literal or intrinsic) are left alone. checkov's CKV_AWS_19\n"
        "passes such a bucket already (it counts S3's default); cfn-guard's rule does not."
    )

    def propose(self, view: TemplateView) -> Iterator[Proposal]:
        for rid in bucket_ids(view):
            if "BucketEncryption" not in props_of(view, rid):
                yield SetKey(("Resources", rid, "Properties"), "BucketEncryption", SSE_S3,
                             f"{rid}: default encryption SSE-S3 (AES256)")
