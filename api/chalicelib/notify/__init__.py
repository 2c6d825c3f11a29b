"""Notifications: routing.py turns a committed record version into outbox events (pure),
message.py writes what a recipient reads (pure), outbox.py delivers due events through the
channels/ passed in, with retry, back-off and dead letters. Nothing here reads settings."""
