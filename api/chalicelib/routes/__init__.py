"""The API's routes by area, each a Chalice blueprint (area.py) that app.py registers:
service (health, the OpenAPI document), session (sign-in, draft keys), records (forms,
submissions, records), cases, admin (the outbox's dead letters, the DAT view), and audit
(the audit log)."""
