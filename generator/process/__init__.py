"""forms/process.yaml: `states` (states, transitions, P001-P003), `case` (links, facts,
guards, `on:` triggers, P010-P014) and `deadlines` (D001-D005)."""
