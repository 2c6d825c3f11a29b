"""The registry of storage backends: name -> a function making a Store from settings.
boto3 is imported only when the DynamoDB backend is chosen."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .base import Store

SQLITE_FILENAME = "dipforms.sqlite3"


def open_sqlite(settings: Mapping[str, Any]) -> Store:
    """{"data_dir": folder} (the file is dipforms.sqlite3 in it) or {"path": file}."""
    from .sqlite import SQLiteStore

    path = settings.get("path") or Path(settings["data_dir"]) / SQLITE_FILENAME
    return SQLiteStore(path)


def open_dynamodb(settings: Mapping[str, Any]) -> Store:
    """{"table": name, "region": ..., "endpoint_url": optional} or a ready {"client": ...}."""
    from .dynamodb import DynamoDBStore

    client = settings.get("client")
    if client is None:
        import boto3

        client = boto3.client("dynamodb", region_name=settings.get("region"),
                              endpoint_url=settings.get("endpoint_url"))
    return DynamoDBStore(settings["table"], client)


BACKENDS: dict[str, Callable[[Mapping[str, Any]], Store]] = {
    "sqlite": open_sqlite,
    "dynamodb": open_dynamodb,
}


def make_store(name: str, **options: Any) -> Store:
    """The store called `name`, made from `options` (see each backend's function)."""
    try:
        open_backend = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown store {name!r}; known: {', '.join(sorted(BACKENDS))}"
                         ) from None
    return open_backend(options)
