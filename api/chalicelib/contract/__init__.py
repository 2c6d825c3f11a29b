"""The contract between the build (generator/) and the API: the tables both halves name and
the typed shape of every JSON file the build writes into chalicelib/generated/.

It lives inside chalicelib because Chalice deploys only chalicelib/; generator/ imports it
(one way) and nothing else of the API. Every module here imports only the standard library
and this package, and does no I/O: the readers take parsed JSON, never a path.
"""
