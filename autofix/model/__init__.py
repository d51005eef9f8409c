"""What several patches ask of a template, answered once: one module per family of questions."""
