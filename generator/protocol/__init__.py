"""The local protocol: `routes` (who is told what, per event), `check` (R001-R005) and
`events` (the events a route may name)."""
