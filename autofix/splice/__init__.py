"""Apply edits to the source text as splices, and render new fragments in the file's style.

One module per concern: `editor` (the Editor: each kind of edit on the data, and the output),
`ledger` (the recorded splices, their undo, and the names keys now have), `block_layout` and
`flow_layout` (where text goes in block YAML, and in flow collections and JSON),
`block_scalars` (the last pass that keeps block scalars next to edits intact) and `geometry`
(position queries on the source).
"""

from .editor import Editor, fresh
from .ledger import Splice, Undo

__all__ = ["Editor", "Splice", "Undo", "fresh"]
