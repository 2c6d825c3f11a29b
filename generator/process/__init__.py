"""forms/process.yaml: `states` (states, transitions, P001-P003), `case` (links, facts,
guards, `on:` triggers and `asks:`, P010-P015) and `deadlines` (D001-D005)."""
