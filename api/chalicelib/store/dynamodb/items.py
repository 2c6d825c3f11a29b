"""DynamoDB's typed attribute values: the stored columns of base.py (text, integers, nulls)
to and from items, and UpdateExpression arguments. Builds dicts only; no client here."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..base import Stored, from_columns, to_columns


def typed_value(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"cannot store {type(value).__name__} directly")
    return {"N": str(value)} if isinstance(value, int) else {"S": value}


def typed(**values: Any) -> dict[str, Any]:
    """Attributes (or a key, or expression values) in DynamoDB's typed form."""
    return {name: typed_value(value) for name, value in values.items()}


def plain(item: dict[str, Any], name: str) -> Any:
    """An attribute's text or integer; None when it is null or absent."""
    found = item.get(name, {"NULL": True})
    return int(found["N"]) if "N" in found else found.get("S")


def to_item(value: Any, **attributes: Any) -> dict[str, Any]:
    """A dataclass of base.py as an item, with `attributes` (keys, type) added or replaced."""
    return typed(**(to_columns(value) | attributes))


def from_item(kind: type[Stored], item: dict[str, Any]) -> Stored:
    return from_columns(kind, partial(plain, item))


def assignments(values: dict[str, Any], remove: tuple[str, ...] = (),
                add: dict[str, int] | None = None) -> dict[str, Any]:
    """UpdateExpression arguments: SET `values`, REMOVE `remove`, ADD `add`; names escaped."""
    add = add or {}
    expression = "SET " + ", ".join(f"#{name} = :{name}" for name in values)
    if remove:
        expression += " REMOVE " + ", ".join(f"#{name}" for name in remove)
    if add:
        expression += " ADD " + ", ".join(f"#{name} :{name}" for name in add)
    return {"UpdateExpression": expression,
            "ExpressionAttributeNames": {f"#{name}": name for name in (*values, *remove, *add)},
            "ExpressionAttributeValues": {f":{name}": typed_value(v)
                                          for name, v in (values | add).items()}}
