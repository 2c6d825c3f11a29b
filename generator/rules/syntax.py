"""Expression text -> AST: a hand-written tokenizer and recursive-descent parser.

Bad input becomes one E001 Diagnostic pointing at the column, never an exception; nothing
here evaluates anything. Grammar, loosest first: or > and > not > comparison > primary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..spans import Span

# AST nodes. `offset` is the 0-based position in the text where the node starts.


@dataclass(frozen=True)
class Literal:
    value: str | int | float | bool | None
    offset: int


@dataclass(frozen=True)
class ListLiteral:
    items: tuple[Ast, ...]
    offset: int


@dataclass(frozen=True)
class Name:
    path: tuple[str, ...]
    offset: int

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Ast, ...]
    offset: int


@dataclass(frozen=True)
class Unary:
    op: str  # only 'not'
    operand: Ast
    offset: int


@dataclass(frozen=True)
class Binary:
    """`op` is and/or/==/!=/</<=/>/>=/in/not in; `op_offset` is where the operator is."""

    op: str
    left: Ast
    right: Ast
    offset: int
    op_offset: int


Ast = Literal | ListLiteral | Name | Call | Unary | Binary

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
LITERAL_KEYWORDS: dict[str, bool | None] = {"true": True, "false": False, "null": None}

#: Things people write from other languages -> what to write instead.
MISSPELT_OPERATORS = {
    "&&": "use 'and' instead of '&&'",
    "||": "use 'or' instead of '||'",
    "&": "use 'and' instead of '&'",
    "|": "use 'or' instead of '|'",
    "!": "use 'not' instead of '!'",
    "<>": "use '!=' instead of '<>'",
    "===": "use '==' to compare, not '==='",
    "!==": "use '!=' instead of '!=='",
    "=": "use '==' to compare, not '='",
}
MISSPELT_WORDS = {
    "True": "write 'true' in lower case",
    "False": "write 'false' in lower case",
    "None": "write 'null' instead of 'None'",
    "AND": "write 'and' in lower case",
    "OR": "write 'or' in lower case",
    "NOT": "write 'not' in lower case",
    "is": "use '==' to compare, or answered(x) to test for an answer",
}

ARITHMETIC_HINT = "use add_days(d, n), add_months(d, n) or days_between(a, b)"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_OPERATOR = re.compile(r"===|!==|==|!=|<=|>=|<>|&&|\|\||[<>=!&|()\[\],-]")


@dataclass(frozen=True)
class Token:
    kind: str  # 'name', 'keyword', 'string', 'number', 'op', 'end'
    text: str
    offset: int
    value: object = None


class _SyntaxProblem(Exception):
    def __init__(self, offset: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.offset, self.message, self.hint = offset, message, hint


def parse_expression(text: str, span: Span) -> tuple[Ast | None, list[Diagnostic]]:
    """Parse `text` (which starts at `span`) into an AST, or (None, [E001 diagnostic])."""
    try:
        tokens = tokenize(text, span)
        return _Parser(tokens, span).parse(), []
    except _SyntaxProblem as problem:
        where = span.shifted(problem.offset)
        return None, [Diagnostic(where, "E001", problem.message, problem.hint)]


def tokenize(text: str, span: Span) -> list[Token]:
    """Split `text` into tokens; raises _SyntaxProblem (caught by parse_expression)."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char in "'\"":
            token = _read_string(text, pos, span)
            tokens.append(token)
            pos += len(token.text)
        elif char in "0123456789":
            token = _read_number(text, pos)
            tokens.append(token)
            pos += len(token.text)
        elif _NAME.match(text, pos):
            token = _read_name(text, pos)
            tokens.append(token)
            pos += len(token.text)
        elif char in "+*/":
            raise _SyntaxProblem(pos, f"expressions have no arithmetic ('{char}')", ARITHMETIC_HINT)
        elif match := _OPERATOR.match(text, pos):
            op = match.group()
            if op in MISSPELT_OPERATORS:
                raise _SyntaxProblem(pos, MISSPELT_OPERATORS[op])
            tokens.append(Token("op", op, pos))
            pos = match.end()
        else:
            raise _SyntaxProblem(pos, f"unexpected character '{char}'")
    tokens.append(Token("end", "", len(text)))
    return tokens


def _read_string(text: str, start: int, span: Span) -> Token:
    quote = text[start]
    chars: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == "\\" and pos + 1 < len(text):
            chars.append(text[pos + 1])
            pos += 2
        elif char == quote:
            return Token("string", text[start : pos + 1], start, "".join(chars))
        else:
            chars.append(char)
            pos += 1
    column = span.shifted(start).col
    raise _SyntaxProblem(start, f"text started at column {column} has no closing {quote}")


def _read_number(text: str, start: int) -> Token:
    match = _NUMBER.match(text, start)
    assert match is not None
    end = match.end()
    if end < len(text) and (text[end].isalnum() or text[end] in "._"):
        bad = re.match(r"[A-Za-z0-9_.]+", text[start:])
        assert bad is not None
        raise _SyntaxProblem(start, f"badly formed number '{bad.group()}'")
    raw = match.group()
    value: int | float = float(raw) if "." in raw else int(raw)
    return Token("number", raw, start, value)


def _read_name(text: str, start: int) -> Token:
    pos = start
    while True:
        match = _NAME.match(text, pos)
        if match is None:
            raise _SyntaxProblem(pos - 1, "a name cannot end with '.'")
        pos = match.end()
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        break
    raw = text[start:pos]
    if raw in MISSPELT_WORDS:
        raise _SyntaxProblem(start, MISSPELT_WORDS[raw])
    return Token("keyword" if raw in KEYWORDS else "name", raw, start)


class _Parser:
    """Recursive descent over the tokens; each method parses one level of the grammar."""

    def __init__(self, tokens: list[Token], span: Span) -> None:
        self.tokens = tokens
        self.span = span
        self.pos = 0

    # helpers
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def at(self, text: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "keyword") and token.text == text

    def column(self, offset: int) -> int:
        return self.span.shifted(offset).col

    def previous_text(self) -> str | None:
        return self.tokens[self.pos - 1].text if self.pos > 0 else None

    # grammar
    def parse(self) -> Ast:
        if self.peek().kind == "end":
            raise _SyntaxProblem(0, "the expression is empty")
        node = self.parse_or()
        extra = self.peek()
        if extra.kind != "end":
            if extra.text in (")", "]"):
                opener = "(" if extra.text == ")" else "["
                raise _SyntaxProblem(extra.offset, f"'{extra.text}' has no matching '{opener}'")
            if extra.text == "-":
                raise _SyntaxProblem(
                    extra.offset, "expressions have no arithmetic ('-')", ARITHMETIC_HINT
                )
            if self.comparison_ahead():
                raise _SyntaxProblem(
                    extra.offset,
                    "comparisons cannot be chained",
                    "write 'a < b and b < c' instead of 'a < b < c'",
                )
            raise _SyntaxProblem(
                extra.offset,
                f"unexpected '{extra.text}' after a complete expression",
                "join conditions with 'and' or 'or'",
            )
        return node

    def parse_or(self) -> Ast:
        left = self.parse_and()
        while self.at("or"):
            op = self.advance()
            right = self.parse_and()
            left = Binary("or", left, right, left.offset, op.offset)
        return left

    def parse_and(self) -> Ast:
        left = self.parse_not()
        while self.at("and"):
            op = self.advance()
            right = self.parse_not()
            left = Binary("and", left, right, left.offset, op.offset)
        return left

    def parse_not(self) -> Ast:
        if self.at("not"):
            op = self.advance()
            return Unary("not", self.parse_not(), op.offset)
        return self.parse_comparison()

    def comparison_ahead(self) -> bool:
        token = self.peek()
        if (token.kind == "op" and token.text in COMPARISONS) or self.at("in"):
            return True
        return self.at("not") and self.peek(1).kind == "keyword" and self.peek(1).text == "in"

    def parse_comparison(self) -> Ast:
        left = self.parse_primary()
        if not self.comparison_ahead():
            return left
        op_token = self.advance()
        op = op_token.text
        if op == "not":
            self.advance()
            op = "not in"
        if op in ("in", "not in"):
            token = self.peek()
            is_field = token.kind == "name" and not self.peek(1).text == "("
            if not (self.at("[") or is_field):
                raise _SyntaxProblem(
                    token.offset,
                    f"'{op}' needs a list like ['a', 'b'] or a field name on its right",
                )
        right = self.parse_primary()
        if self.comparison_ahead():
            raise _SyntaxProblem(
                self.peek().offset,
                "comparisons cannot be chained",
                "write 'a < b and b < c' instead of 'a < b < c'",
            )
        return Binary(op, left, right, left.offset, op_token.offset)

    def parse_primary(self) -> Ast:
        token = self.peek()
        if token.kind in ("string", "number"):
            self.advance()
            return Literal(token.value, token.offset)  # type: ignore[arg-type]
        if token.kind == "keyword" and token.text in LITERAL_KEYWORDS:
            self.advance()
            return Literal(LITERAL_KEYWORDS[token.text], token.offset)
        if token.kind == "op" and token.text == "-" and self.peek(1).kind == "number":
            self.advance()
            number = self.advance()
            return Literal(-number.value, token.offset)  # type: ignore[operator]
        if self.at("("):
            return self.parse_parenthesised()
        if self.at("["):
            return self.parse_list()
        if token.kind == "name":
            return self.parse_name_or_call()
        raise self.value_expected(token)

    def value_expected(self, token: Token) -> _SyntaxProblem:
        before = self.previous_text()
        if token.kind == "end":
            where = f" after '{before}'" if before else ""
            message = f"the expression ends where a value was expected{where}"
            return _SyntaxProblem(token.offset, message)
        if before:
            message = f"expected a value after '{before}', found '{token.text}'"
        else:
            message = f"expected a value, found '{token.text}'"
        return _SyntaxProblem(token.offset, message)

    def parse_parenthesised(self) -> Ast:
        opening = self.advance()
        inner = self.parse_or()
        if not self.at(")"):
            raise self.unclosed(opening, ")")
        self.advance()
        return inner

    def unclosed(self, opening: Token, closer: str) -> _SyntaxProblem:
        column = self.column(opening.offset)
        message = f"expected '{closer}' to close '{opening.text}' at column {column}"
        return _SyntaxProblem(self.peek().offset, message)

    def parse_list(self) -> ListLiteral:
        opening = self.advance()
        items: list[Ast] = []
        while not self.at("]"):
            if self.peek().kind == "end":
                raise self.unclosed(opening, "]")
            items.append(self.parse_or())
            if self.at(","):
                self.advance()
            elif not self.at("]"):
                if self.peek().kind == "end":
                    raise self.unclosed(opening, "]")
                column = self.column(opening.offset)
                raise _SyntaxProblem(
                    self.peek().offset,
                    f"expected ',' or ']' in the list started at column {column}",
                )
        self.advance()
        return ListLiteral(tuple(items), opening.offset)

    def parse_name_or_call(self) -> Ast:
        token = self.advance()
        path = tuple(token.text.split("."))
        if not self.at("("):
            return Name(path, token.offset)
        if len(path) > 1:
            raise _SyntaxProblem(token.offset, f"'{token.text}' is a field, not a function")
        opening = self.advance()
        args: list[Ast] = []
        while not self.at(")"):
            if self.peek().kind == "end":
                raise self.unclosed(opening, ")")
            args.append(self.parse_or())
            if self.at(","):
                self.advance()
            elif not self.at(")"):
                if self.peek().kind == "end":
                    raise self.unclosed(opening, ")")
                raise _SyntaxProblem(
                    self.peek().offset,
                    f"expected ',' or ')' after an argument of {token.text}()",
                )
        self.advance()
        return Call(token.text, tuple(args), token.offset)


def children(node: Ast) -> tuple[Ast, ...]:
    if isinstance(node, ListLiteral):
        return node.items
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return ()


def references(node: Ast) -> set[tuple[str, ...]]:
    """Every field path the expression names (for the caller's cycle check)."""
    found: set[tuple[str, ...]] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Name):
            found.add(current.path)
        stack.extend(children(current))
    return found
