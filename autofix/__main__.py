"""`python -m autofix`: the same as the `cfn-fix` console script."""

from .entry import main

main()
