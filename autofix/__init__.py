"""cfn-fix: repair AWS CloudFormation templates with lossless, reviewable patches."""

__version__ = "0.1.0"
