"""YAML text -> the model: `load` (spans, Y001/Y002), `reader` (typed reading, F001-F016),
`form` (one form) and `shared` (code lists, blocks, the protocol)."""
