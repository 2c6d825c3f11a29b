"""The expression functions as the type checker uses them: the signatures are the contract's
(chalicelib/contract/functions.py, which the evaluators implement); here are the words for
each parameter type, whether an argument fits a parameter, and a signature for hints.
"""

from __future__ import annotations

from chalicelib.contract.functions import FUNCTIONS, Function

__all__ = ["FUNCTIONS", "Function", "PARAM_DESCRIPTIONS", "accepts", "signature"]

PARAM_DESCRIPTIONS = {
    "any": "any value",
    "date": "a date",
    "number": "a number",
    "date|datetime": "a date or a date and time",
    "list": "a list (a repeat, a multichoice or [..])",
    "list:date": "a list of dates, such as repeat.date_field",
    "date_literal": "a quoted date 'YYYY-MM-DD'",
}


def accepts(param: str, kind: str) -> bool:
    """Whether an argument of `kind` may be passed for a parameter typed `param`."""
    if param == "any" or kind == "any":
        return True
    for option in param.split("|"):
        if option == kind:
            return True
        if option == "list" and (kind in ("items", "codes", "list") or kind.startswith("list:")):
            return True
    return False


def signature(function: Function) -> str:
    """`age(date, date) -> number`, for hints."""
    return f"{function.name}({', '.join(function.params)}) -> {function.result}"
