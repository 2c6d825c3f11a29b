"""The local channel: each event becomes `<outbox_dir>/<event_id>.eml`.

Writes atomically (temp file, fsync, rename), so a reader never sees half a message and a
re-send of one event replaces its file instead of adding a second. No network.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...store.base import OutboxEvent
from ..message import build_message
from .base import DeliveryFailed, Undeliverable

_FILE_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class FileChannel:
    def __init__(self, outbox_dir: str | os.PathLike[str], sender: str) -> None:
        self.outbox_dir = Path(outbox_dir)
        self.sender = sender

    def path_for(self, event_id: str) -> Path:
        if not _FILE_SAFE.fullmatch(event_id) or ".." in event_id:
            raise Undeliverable("file: the event id is not a safe file name")
        return self.outbox_dir / f"{event_id}.eml"

    def send(self, event: OutboxEvent) -> None:
        target = self.path_for(event.event_id)
        data = build_message(event, self.sender).as_bytes()
        try:
            self.outbox_dir.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, data)
        except OSError as error:
            raise DeliveryFailed(f"file: {type(error).__name__} errno {error.errno}") from error


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def from_config(config: Mapping[str, Any]) -> FileChannel:
    """config: outbox_dir, sender."""
    return FileChannel(config["outbox_dir"], config["sender"])
