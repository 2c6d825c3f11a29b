"""dipforms generator: YAML form definitions -> JSON Schemas, an accessible site and a manifest."""
