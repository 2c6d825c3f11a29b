"""The only modules of generator/ that touch disk, the environment or a terminal: `cli`,
`workspace`, `write`, `templating`. Everything else in generator/ is pure
(tests/unit/test_layers.py)."""
