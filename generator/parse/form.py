"""Nodes -> the Form model: pages, fields (with blocks expanded), rules.

Reports unknown keys, wrong types, unknown field types, code lists and blocks, and
missing sources; whole-project checks (ids, expressions, cycles) are in check.py. Pure.
"""

from __future__ import annotations

import re

from ..fields import FIELD_TYPES, FieldType
from ..model import Block, Code, CodeList, Expr, Field, Form, Page, Rule
from ..rules.syntax import parse_expression
from ..spans import Mapping, Node, Scalar, Span
from .reader import CODE_PATTERN, Reader

FORM_KEYS = ("form", "version", "title", "agency", "description", "source", "pages", "rules",
             "note")
PAGE_KEYS = ("id", "title", "description", "show_if", "asked", "fields", "note", "paper_ref")
#: When a page is asked: `first` (when the form is filled in) or `later` (only when a
#: stored record is changed: an outcome known after the record was sent).
ASKED = ("first", "later")
FIELD_KEYS = ("id", "type", "label", "hint", "help", "required", "required_if", "show_if",
              "errors", "source", "note", "paper_ref")
USE_KEYS = ("use", "prefix")
RULE_KEYS = ("id", "field", "when", "check", "severity", "as_of", "message", "source")
RULE_ID = re.compile(r"^[A-Z]{2,4}-\d{2,3}[a-z]?$|^[a-z][a-z0-9_]*$")
VERSION = re.compile(r"^\d+\.\d+$")
WIDTHS = (2, 3, 4, 5, 10, 20, 30, "full")
#: the paper form's numbering of a question or section: "4.5", "Section A", "P1", "GP3"
PAPER_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.() -]{0,29}$")
SEVERITIES = ("refuse", "warn")
#: which today() a rule is judged against: the day the record was made, or the clock's today
AS_OF = ("made", "now")
GENERIC_ERRORS = ("required", "type", "format", "pattern", "enum", "const")


class FormParser:
    """Parses one form file; `codelists` and `blocks` are the project's, already parsed."""

    def __init__(self, reader: Reader, codelists: dict[str, CodeList], blocks: dict[str, Block]):
        self.r = reader
        self.codelists = codelists
        self.blocks = blocks

    def form(self, node: Node, file_id: str) -> Form | None:
        m = self.r.mapping(node, "a form file")
        if m is None:
            return None
        required = ("form", "version", "title", "agency", "description", "source", "pages")
        self.r.keys(m, FORM_KEYS, required, "a form")
        form_id = self.r.ident(m.get("form"), "the form id")
        if form_id is not None and form_id != file_id:
            self.r.error(m.get("form").span, "F009",
                         f"the form id '{form_id}' must match its file name '{file_id}.yaml'",
                         hint=f"rename the file or write form: {file_id}")
        version = self._version(m.get("version"))
        pages = tuple(p for p in (self.page(n) for n in self.r.sequence(m.get("pages"), "pages"))
                      if p is not None)
        if "pages" in m.items and not pages and not self.r.diagnostics:
            self.r.error(m.get("pages").span, "F009", "a form needs at least one page")
        rules = tuple(r for r in (self.rule(n) for n in self.r.sequence(m.get("rules"), "rules"))
                      if r is not None)
        title = self.r.text(m.get("title"), "the form title")
        description = self.r.text(m.get("description"), "the form description")
        agency = self.r.ident(m.get("agency"), "the owning agency")
        sources = self.r.sources(m.get("source"), "the form")
        if None in (form_id, version, title, description, agency) or not sources:
            return None
        return Form(form_id, version, title, agency, description, sources, pages, rules,
                    m.span, version_span=m.get("version").span, note=self.note(m.get("note")))

    def _version(self, node: Node | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, Scalar) and isinstance(node.value, int | float) and not isinstance(
                node.value, bool):
            self.r.error(node.span, "F014", "the version must be text in quotes",
                         hint=f"write version: \"{node.value}\" (1.10 and 1.1 differ)")
            return None
        value = self.r.string(node, "the version")
        if value is not None and not VERSION.match(value):
            self.r.error(node.span, "F014", f"the version '{value}' must be MAJOR.MINOR",
                         hint="for example \"1.0\" or \"2.3\"")
            return None
        return value

    def page(self, node: Node) -> Page | None:
        m = self.r.mapping(node, "a page")
        if m is None:
            return None
        self.r.keys(m, PAGE_KEYS, ("id", "title", "fields"), "a page")
        page_id = self.r.ident(m.get("id"), "the page id")
        title = self.r.text(m.get("title"), "the page title")
        fields = self.fields(m.get("fields"), (), ())
        if page_id is None or title is None:
            return None
        asked = self.r.string(m.get("asked"), "asked") if m.get("asked") else "first"
        if asked not in ASKED:
            self.r.error(m.get("asked").span, "F009", "asked must be first or later",
                         hint=self._hint(asked, ASKED, None))
            asked = "first"
        return Page(page_id, title, fields, m.span,
                    description=self.r.text(m.get("description"), "the page description"),
                    show_if=self.expression(m.get("show_if"), "show_if"),
                    note=self.note(m.get("note")), paper_ref=self.paper_ref(m.get("paper_ref")),
                    asked=asked)

    def fields(self, node: Node | None, parent: tuple[str, ...],
               using: tuple[str, ...], prefix: str = "") -> tuple[Field, ...]:
        out: list[Field] = []
        for item in self.r.sequence(node, "fields"):
            if isinstance(item, Mapping) and "use" in item.items:
                out.extend(self._use(item, parent, using, prefix))
            else:
                f = self.field(item, parent, using, prefix)
                if f is not None:
                    out.append(f)
        return tuple(out)

    def _use(self, m: Mapping, parent, using, prefix) -> tuple[Field, ...]:
        self.r.keys(m, USE_KEYS, ("use",), "a block use")
        name = self.r.ident(m.get("use"), "the block name")
        extra = self.r.string(m.get("prefix"), "the prefix") or ""
        if name is None:
            return ()
        if name not in self.blocks:
            self.r.error(m.get("use").span, "F007", f"unknown block '{name}'",
                         hint=self._hint(name, self.blocks, "forms/blocks/"))
            return ()
        if name in using:
            chain = " -> ".join((*using, name))
            self.r.error(m.get("use").span, "F013", f"block '{name}' uses itself: {chain}")
            return ()
        return self.fields(self.blocks[name].fields, parent, (*using, name), prefix + extra)

    def field(self, node: Node, parent: tuple[str, ...], using: tuple[str, ...],
              prefix: str) -> Field | None:
        m = self.r.mapping(node, "a field")
        if m is None:
            return None
        type_name = self.r.string(m.get("type"), "the field type")
        ftype = FIELD_TYPES.get(type_name) if type_name else None
        if type_name is not None and ftype is None:
            self.r.error(m.get("type").span, "F004", f"unknown field type '{type_name}'",
                         hint=self._hint(type_name, FIELD_TYPES, None))
        allowed = FIELD_KEYS + tuple(ftype.options) if ftype else FIELD_KEYS + tuple(m.items)
        required = ("id", "type", "label") if ftype is None or ftype.needs_label else ("id", "type")
        self.r.keys(m, allowed, required, f"a {type_name or ''} field".replace("  ", " "))
        raw_id = self.r.ident(m.get("id"), "the field id")
        if raw_id is None or ftype is None:
            return None
        field_id = prefix + raw_id
        path = (*parent, field_id)
        options = self._options(m, ftype, path, using)
        return Field(
            id=field_id, type=ftype.name, path=path, span=m.span,
            label=self.r.text(m.get("label"), "the label"),
            hint=self.r.text(m.get("hint"), "the hint"),
            help=self.r.text(m.get("help"), "the help text"),
            required=bool(self.r.boolean(m.get("required"), "required")),
            required_if=self.expression(m.get("required_if"), "required_if"),
            show_if=self.expression(m.get("show_if"), "show_if"),
            errors=self._errors(m.get("errors"), ftype),
            options={k: v for k, v in options.items() if k != "fields"},
            children=options.get("fields", ()),
            sources=self.r.sources(m.get("source"), "the field"),
            note=self.note(m.get("note")), paper_ref=self.paper_ref(m.get("paper_ref")),
        )

    def note(self, node: Node | None) -> str | None:
        """A note for the DAT and developers (what the paper says, why a wording): plain
        text, kept in the model for `dipforms rules`, never put on a page."""
        value = self.r.string(node, "the note")
        if value is not None and not value.strip():
            self.r.error(node.span, "F009", "a note must say something",
                         hint="write the note, or leave the key out")
            return None
        return value.strip() if value is not None else None

    def paper_ref(self, node: Node | None) -> str | None:
        """The paper form's number for a question or section, shown on the printed form."""
        value = self.r.string(node, "the paper reference")
        if value is not None and not PAPER_REF.match(value):
            self.r.error(node.span, "F009", f"the paper reference '{value}' is not a short "
                         "number or section name",
                         hint="for example paper_ref: \"4.5\" or paper_ref: Section A "
                              "(up to 30 letters, digits, spaces, dots, dashes or brackets)")
            return None
        return value

    def _options(self, m: Mapping, ftype: FieldType, path, using) -> dict:
        options: dict = {}
        for key, spec in ftype.options.items():
            node = m.get(key)
            value = self._option(node, spec.kind, key, path, using) if node is not None else None
            if value is None:
                value = spec.default
            if value is not None:
                options[key] = value
        if ftype.name in ("choice", "multichoice"):
            options["choices"] = self._choices(m, options)
        if "signer" in m.items and "roles" in m.items:
            self.r.error(m.keys["signer"], "F009", "give either signer or roles, not both",
                         hint="signer: fixes the role (Offender); roles: lists roles to pick")
        signer = options.get("signer")
        if signer is not None and not signer.en.strip():
            self.r.error(m.get("signer").span, "F009", "signer must name the role, like Offender")
            options.pop("signer")
        if ftype.name == "repeat" and "fields" not in m.items:
            self.r.error(m.span, "F003", "a repeat field needs 'fields'")
        for low, high in (("min_length", "max_length"), ("min", "max"), ("min_items", "max_items")):
            if options.get(low) is not None and options.get(high) is not None \
                    and options[low] > options[high]:
                self.r.error(m.get(low).span, "F009", f"{low} is more than {high}")
        return options

    def _option(self, node: Node, kind: str, key: str, path, using):
        r = self.r
        if kind == "int":
            return r.integer(node, key)
        if kind == "number":
            return r.number(node, key)
        if kind == "bool":
            return r.boolean(node, key)
        if kind == "str":
            return r.string(node, key)
        if kind == "text":
            return r.text(node, key)
        if kind == "fields":
            return self.fields(node, path, using)
        if kind == "codelist":
            return self._codelist(node)
        if kind == "options":
            return self._inline_options(node)
        if kind == "regex":
            return self._regex(node)
        if kind == "bound":
            value = r.string(node, key)
            return (value, node.span) if value is not None else None
        if kind == "roles":
            return tuple(v for v in (r.string(n, "a role") for n in r.sequence(node, key)) if v)
        if kind == "widget":
            return self._one_of(node, key, ("radios", "select"))
        if kind == "width":
            return self._one_of(node, key, WIDTHS)
        if kind == "yesno_labels":
            m = r.mapping(node, key)
            if m is None or not r.keys(m, ("yes", "no"), ("yes", "no"), key):
                return None
            return {"yes": r.text(m.get("yes"), "yes"), "no": r.text(m.get("no"), "no")}
        raise AssertionError(f"option kind {kind} has no reader")  # a programming error

    def _one_of(self, node: Node, key: str, allowed: tuple):
        value = node.value if isinstance(node, Scalar) else None
        if value in allowed and not isinstance(value, bool):
            return value
        shown = ", ".join(str(a) for a in allowed)
        self.r.error(node.span, "F009", f"{key} must be one of {shown}",
                     hint=self._hint(str(value), [str(a) for a in allowed], None))
        return None

    def _regex(self, node: Node) -> str | None:
        value = self.r.string(node, "the pattern")
        if value is None:
            return None
        try:
            re.compile(value)
        except re.error as exc:
            self.r.error(node.span, "F015", f"the pattern is not a valid regular expression: {exc}")
            return None
        return value

    def _codelist(self, node: Node) -> str | None:
        name = self.r.ident(node, "the code list name")
        if name is not None and name not in self.codelists:
            self.r.error(node.span, "F006", f"unknown code list '{name}'",
                         hint=self._hint(name, self.codelists, "forms/codelists/"))
            return None
        return name

    def _inline_options(self, node: Node) -> tuple[Code, ...]:
        return parse_codes(self.r, node, "options")

    def _choices(self, m: Mapping, options: dict) -> tuple[Code, ...]:
        if "codelist" in m.items and "options" in m.items:
            self.r.error(m.keys["options"], "F009", "give either codelist or options, not both")
        if "codelist" in options:
            return self.codelists[options["codelist"]].values
        if "inline_options" in options or "options" in options:
            codes = options.pop("options", ())
            options["inline_options"] = codes
            return codes
        if "codelist" not in m.items and "options" not in m.items:
            self.r.error(m.span, "F003", "a choice field needs 'codelist' or 'options'")
        return ()

    def _errors(self, node: Node | None, ftype: FieldType) -> dict:
        m = self.r.mapping(node, "errors")
        if m is None:
            return {}
        allowed = set(ftype.messages) | set(GENERIC_ERRORS) | {"earliest", "latest"}
        allowed |= {name for name, _, _ in ftype.parts}
        allowed |= {k for k in ftype.options if k in ("min_length", "max_length", "min", "max",
                                                      "min_items", "max_items")}
        self.r.keys(m, sorted(allowed), (), "errors")
        texts = {k: self.r.text(v, f"the {k} error message") for k, v in m.items.items()
                 if k in allowed}
        return {k: v for k, v in texts.items() if v is not None}

    def expression(self, node: Node | None, what: str) -> Expr | None:
        return read_expression(self.r, node, what)

    def rule(self, node: Node) -> Rule | None:
        m = self.r.mapping(node, "a rule")
        if m is None:
            return None
        self.r.keys(m, RULE_KEYS, ("id", "field", "check", "message"), "a rule")
        rule_id = self.r.ident(m.get("id"), "the rule id", RULE_ID,
                               "like CC-07 (2-4 capitals, '-', 2-3 digits) or snake_case")
        if "source" not in m.items:
            self.r.error(m.keys.get("id", m.span), "F011",
                         f"rule '{rule_id or '?'}' has no source",
                         hint="cite the document and section, or write source: assumption")
        severity = self.r.string(m.get("severity"), "severity") or "refuse"
        if severity not in SEVERITIES:
            self.r.error(m.get("severity").span, "F009", "severity must be refuse or warn",
                         hint=self._hint(severity, SEVERITIES, None))
        as_of = self.r.string(m.get("as_of"), "as_of") or "made"
        if as_of not in AS_OF:
            self.r.error(m.get("as_of").span, "F009", "as_of must be made or now",
                         hint=self._hint(as_of, AS_OF, None)
                         or "leave it out to judge the record as of the day it was made")
        target = self.r.string(m.get("field"), "the rule's field")
        check = self.expression(m.get("check"), "check")
        message = self.r.text(m.get("message"), "the rule message")
        sources = self.r.sources(m.get("source"), "the rule")
        if None in (rule_id, target, check, message):
            return None
        return Rule(rule_id, target, check, message, sources, m.span,
                    when=self.expression(m.get("when"), "when"), severity=severity,
                    field_span=m.get("field").span, as_of=as_of)

    @staticmethod
    def _hint(name: str, choices, where: str | None) -> str | None:
        from ..diagnostics import did_you_mean
        hint = did_you_mean(name, choices)
        if hint is None and where:
            return f"define it in {where}{name}.yaml"
        return hint


def read_expression(r: Reader, node: Node | None, what: str) -> Expr | None:
    """An expression written in YAML (text, or a bare true/false), parsed; its syntax errors
    go to `r`. Forms, the process and its deadlines all read expressions this way."""
    if node is None:
        return None
    if isinstance(node, Scalar) and isinstance(node.value, bool):
        text = "true" if node.value else "false"
    else:
        text = r.string(node, what)
    if text is None:
        return None
    span = node.span.shifted(1) if isinstance(node, Scalar) and node.quoted else node.span
    ast, diagnostics = parse_expression(text, span)
    r.diagnostics.extend(diagnostics)
    return Expr(text, ast, span)


def parse_codes(r: Reader, node: Node | None, what: str) -> tuple[Code, ...]:
    """A list of {code, label, hint} (code lists and inline options)."""
    codes: list[Code] = []
    seen: dict[str, Span] = {}
    for item in r.sequence(node, what):
        m = r.mapping(item, "an option")
        if m is None:
            continue
        r.keys(m, ("code", "label", "hint"), ("code", "label"), "an option")
        code = r.ident(m.get("code"), "the code", CODE_PATTERN,
                       "snake_case (it may start with a digit) or a short capitals code like W1")
        label = r.text(m.get("label"), "the option label")
        if code is None or label is None:
            continue
        if code in seen:
            r.error(m.get("code").span, "F005",
                    f"duplicate code '{code}' (first at line {seen[code].line})")
            continue
        seen[code] = m.get("code").span
        codes.append(Code(code, label, r.text(m.get("hint"), "the option hint"), m.span))
    return tuple(codes)
