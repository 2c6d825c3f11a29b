"""The expression language of show_if, required_if and rules: parsed, type-checked, never eval'd."""
