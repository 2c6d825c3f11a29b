"""The API's pure core: decisions on plain values, no store, file, network, environment or
clock (tests/unit/test_layers.py finds them by this folder). The use cases (records.py,
cases.py...) load what a decision needs, ask here, then commit; see api/README.md."""
