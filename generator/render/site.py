"""Model -> the static site: {relative path: HTML} for the index and sign-in pages, and each
form's start, question, confirmation and print pages.

Pure: the Jinja Environment is passed in; nothing here reads or writes files or the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from chalicelib.contract.roles import ADMIN
from jinja2 import Environment

from ..fields import FIELD_TYPES
from ..model import Form, Text
from .cases import CASE_PAGE, CASES_INDEX, case_pages
from .questions import questions_map
from .text import DASHBOARD_WORDS, LANGUAGE_NAMES, case_words, switch_label, words
from .views import Posted, ViewBuilder, is_one_question, rule_data, rule_json

Languages = Callable[[Form], Iterable[str]]


def default_languages(form: Form) -> tuple[str, ...]:
    return ("en", "cy") if form.has_welsh else ("en",)


@dataclass(frozen=True)
class Alternate:
    lang: str
    name: str
    href: str
    label: str
    current: bool


@dataclass(frozen=True)
class Here:
    """Where a page is: its language, its path without the language, its other languages."""

    lang: str
    rel: str
    langs: tuple[str, ...]

    def href(self, rel: str, lang: str | None = None) -> str:
        return "/" + site_path(lang or self.lang, rel)

    @property
    def alternates(self) -> tuple[Alternate, ...]:
        if len(self.langs) < 2:
            return ()
        return tuple(Alternate(lang, LANGUAGE_NAMES[lang], self.href(self.rel, lang),
                               switch_label(lang), lang == self.lang) for lang in self.langs)


def site_path(lang: str, rel: str) -> str:
    """`forms/mg14/index.html` in English; `cy/forms/mg14/index.html` in Welsh."""
    return rel if lang == "en" else f"{lang}/{rel}"


@dataclass(frozen=True)
class SiteAuth:
    """How staff sign in from the pages, fixed when the site is built (docs/auth.md):
    `local`, the sign-in page's password form; `cognito`, the Cognito hosted UI through
    static/cognito.js (authorisation code with PKCE, a public app client: nothing secret)."""

    mode: str = "local"
    domain: str = ""        # the hosted UI's base URL, without a trailing slash
    client_id: str = ""

    def page_config(self, here: Here) -> dict[str, str] | None:
        """What cognito.js reads from #dipforms-config; None on one machine."""
        if self.mode != "cognito":
            return None
        return {"domain": self.domain, "clientId": self.client_id,
                "callback": here.href("signed-in.html")}


LOCAL_AUTH = SiteAuth()


class Site:
    """The page renderer build.py uses: each form's pages (cached per form), then the index.

    `agency_labels` names the owning agencies (agency type -> label); without it the
    agency id is shown as words. `auth` says how staff sign in (every page carries it).
    """

    def __init__(self, env: Environment, *, languages_for: Languages = default_languages,
                 agency_labels: Mapping[str, Text] | None = None,
                 auth: SiteAuth = LOCAL_AUTH):
        self.env = env
        self.languages_for = languages_for
        self.agency_labels = dict(agency_labels or {})
        self.auth = auth
        self.who: dict | None = None   # GET /v1/session's answer, for pages with signed_in

    def signed_in_as(self, who: dict | None) -> Site:
        """This renderer for one signed-in user's pages (nojs.py): the pages it renders
        after a post carry the navigation of `who`'s role and "Signed in as"."""
        site = object.__new__(Site)
        site.__dict__.update(self.__dict__, who=who)
        return site

    def languages(self, form: Form) -> tuple[str, ...]:
        return _languages(self.languages_for(form))

    def form(self, form: Form, owner: str | None = None) -> dict[str, str]:
        """Every page of one form, in each of its languages; `owner` is the title of the
        agency type that fills it in (the protocol's `agency_types:`, owner_titles)."""
        langs = self.languages(form)
        out: dict[str, str] = {}
        for lang in langs:
            agency = owner or _agency(form, lang, self.agency_labels)
            out.update(render_form(form, lang, env=self.env, langs=langs, agency=agency,
                                   auth=self.auth))
        return dict(sorted(out.items()))

    def site_languages(self, forms: Iterable[Form]) -> tuple[str, ...]:
        """The languages of the site-wide pages: Welsh too when any form has Welsh pages."""
        any_welsh = any("cy" in self.languages(f) for f in forms)
        return ("en", "cy") if any_welsh else ("en",)

    def index(self, forms: Iterable[Form], *, process=None,
              documents: Mapping[str, str] | None = None, protocol=None,
              codelists: Mapping | None = None) -> dict[str, str]:
        """The site-wide pages: the front page listing every form, the sign-in page and,
        with Cognito, the page the hosted UI returns to; in Welsh too when any form has
        Welsh pages. Also the DAT view (admin/dashboard.html, English only) and, when there
        is a `process` (forms/process.yaml), the case pages (cases/), in the same languages.
        `protocol` (forms/protocol.yaml) orders the front page as its `access:` lists the
        forms (the order of the process) and names who fills each in (agency_types:)."""
        ordered = sorted(forms, key=lambda f: f.id)
        langs = {f.id: self.languages(f) for f in ordered}
        site_langs = self.site_languages(ordered)
        owners = front_page_owners(protocol)
        listed = front_page_order(ordered, protocol)
        out: dict[str, str] = {}
        for lang in site_langs:
            here = Here(lang, "index.html", site_langs)
            entries = [_index_entry(f, lang, langs[f.id], self.agency_labels, owners)
                       for f in listed]
            cases_href = here.href(CASES_INDEX) if process is not None else None
            out[site_path(lang, "index.html")] = _render(self.env, "index.html", here,
                                                         entries=entries, auth=self.auth,
                                                         cases_href=cases_href,
                                                         c=case_words(lang) if cases_href
                                                         else None)
            out[site_path(lang, "sign-in.html")] = self.sign_in(lang, site_langs)
            if self.auth.mode == "cognito":
                out[site_path(lang, "signed-in.html")] = _render(
                    self.env, "signed-in.html", Here(lang, "signed-in.html", site_langs),
                    auth=self.auth)
        out[DASHBOARD_PAGE] = render_dashboard(self.env, auth=self.auth)
        if process is not None:
            for lang in site_langs:
                out.update(render_case_pages(self.env, ordered, process, documents or {},
                                             auth=self.auth, protocol=protocol,
                                             codelists=codelists, lang=lang,
                                             langs=site_langs,
                                             form_languages=self.languages))
        return out

    # --- pages the local server renders after a post without JavaScript (nojs.py) --------

    def sign_in(self, lang: str, site_langs: tuple[str, ...],
                posted: Posted | None = None) -> str:
        """The sign-in page; `posted` shows the user id typed and the problems."""
        return _render(self.env, "sign-in.html", Here(lang, "sign-in.html", site_langs),
                       auth=self.auth, posted=posted,
                       problems=posted.summary(None) if posted else ())

    def sign_out(self, lang: str, site_langs: tuple[str, ...], csrf: str) -> str:
        """The page with a Sign out button that posts `csrf` (GET /sign-out shows it)."""
        return _render(self.env, "sign-out.html", Here(lang, "sign-out.html", site_langs),
                       auth=self.auth, csrf=csrf, nav=navigation_for(self.who))

    def page(self, form: Form, index: int, lang: str, posted: Posted) -> str:
        """Question page `index` with the answers and errors of `posted`."""
        return render_page(form, index, lang, env=self.env, langs=self.languages(form),
                           agency=_agency(form, lang, self.agency_labels), auth=self.auth,
                           posted=posted, who=self.who)

    def done(self, form: Form, lang: str, reference: str, warnings: Iterable[str],
             csrf: str = "") -> str:
        """The confirmation page showing the record's reference and any warnings; `csrf`
        for its Sign out button."""
        return render_done(form, lang, env=self.env, langs=self.languages(form),
                           agency=_agency(form, lang, self.agency_labels), auth=self.auth,
                           reference=reference, warnings=tuple(warnings), csrf=csrf,
                           who=self.who)

    # --- case, list and record pages the local server fills without JavaScript ----------
    # (web/casepages.py): templates served_*.html, each extending the page it fills.

    def served(self, template: str, rel: str, csrf: str, *, lang: str = "en",
               langs: tuple[str, ...] = ("en",), **context) -> str:
        """`template` with the API's answer in `context` (`served`), the navigation of
        the signed-in role and a Sign out button posting `csrf`."""
        return _render(self.env, template, Here(lang, rel, langs), auth=self.auth,
                       signed_in=True, csrf=csrf, nav=navigation_for(self.who), **context)

    def record_context(self, form: Form, lang: str) -> dict:
        """What record.html is rendered with (as _review_pages gives it)."""
        agency = _agency(form, lang, self.agency_labels)
        return record_context(form, lang, _form_info(form, lang, agency))


def render_site(forms: Iterable[Form], *, env: Environment,
                languages_for: Languages = default_languages,
                agency_labels: Mapping[str, Text] | None = None,
                auth: SiteAuth = LOCAL_AUTH) -> dict[str, str]:
    """Every page of the site, by path relative to the site root, in sorted order."""
    forms = tuple(forms)
    site = Site(env, languages_for=languages_for, agency_labels=agency_labels, auth=auth)
    out = site.index(forms)
    for form in forms:
        out.update(site.form(form))
    return dict(sorted(out.items()))


def render_form(form: Form, lang: str, *, env: Environment, langs: tuple[str, ...],
                agency: str, auth: SiteAuth = LOCAL_AUTH) -> dict[str, str]:
    """One form in one language: start page, one page per Page, the confirmation page
    (done.html), the print page, and the check-answers and record pages."""
    t = words(lang)
    base = f"forms/{form.id}"
    start = f"{base}/index.html"
    out: dict[str, str] = {}
    tasks = [{"title": p.title.get(lang), "href": "/" + site_path(lang, f"{base}/{p.id}.html"),
              "conditional": p.show_if is not None, "later": p.asked == "later"}
             for p in form.pages]
    start_href = "/" + site_path(lang, start)
    out[site_path(lang, start)] = _render(
        env, "start.html", Here(lang, start, langs), form=_form_info(form, lang, agency),
        tasks=tasks, first_href=tasks[0]["href"], pages=page_map(form, lang),
        prefill_words=prefill_words(t),
        print_href="/" + site_path(lang, f"{base}/print.html"), auth=auth)
    builder = ViewBuilder(lang, t)
    pages = page_map(form, lang)
    for i, page in enumerate(form.pages):
        out[site_path(lang, f"{base}/{page.id}.html")] = render_page(
            form, i, lang, env=env, langs=langs, agency=agency, auth=auth, builder=builder,
            pages=pages)
    out[site_path(lang, f"{base}/done.html")] = render_done(
        form, lang, env=env, langs=langs, agency=agency, auth=auth)
    rel = f"{base}/print.html"
    paper = ViewBuilder(lang, t, paper=True)
    sections = [{"title": p.title.get(lang), "paper_ref": p.paper_ref,
                 "description": p.description.get(lang) if p.description else None,
                 "conditional": p.show_if is not None, "fields": paper.page(p)}
                for p in form.pages]
    out[site_path(lang, rel)] = _render(
        env, "print.html", Here(lang, rel, langs), form=_form_info(form, lang, agency),
        sections=sections, start_href=start_href, auth=auth)
    out.update(_review_pages(form, lang, env=env, langs=langs, agency=agency, pages=pages,
                             auth=auth))
    return out


def render_page(form: Form, index: int, lang: str, *, env: Environment,
                langs: tuple[str, ...], agency: str, auth: SiteAuth = LOCAL_AUTH,
                builder: ViewBuilder | None = None, pages: dict | None = None,
                posted: Posted | None = None, who: dict | None = None) -> str:
    """Question page `index` of `form`; with `posted` (the local server's answer to a post
    without JavaScript), its inputs filled in, its errors shown and the answers carried."""
    t = words(lang)
    page = form.pages[index]
    base = f"forms/{form.id}"
    here = Here(lang, f"{base}/{page.id}.html", langs)
    back = form.pages[index - 1].id + ".html" if index else "index.html"
    # the next page asked when the form is first filled in (`asked: later` ones wait)
    after = [p for p in form.pages[index + 1:] if p.asked != "later"]
    following = after[0].id + ".html" if after else None
    if builder is None:
        builder = ViewBuilder(lang, t, filled=posted.filled if posted else None)
    fields = builder.page(page)
    button = t.continue_button if following else t.check_answers
    if posted is not None:
        button = t.send if posted.last else t.continue_button
    return _render(
        env, "page.html", here, form=_form_info(form, lang, agency),
        page={"id": page.id, "title": page.title.get(lang),
              "description": page.description.get(lang) if page.description else None,
              "show_if": rule_json(page.show_if), "one_question": is_one_question(page)},
        fields=fields, back_href=here.href(f"{base}/{back}"),
        next_href=here.href(f"{base}/{following}") if following else None,
        button=button, pages=pages or page_map(form, lang), auth=auth, posted=posted,
        problems=posted.summary(fields) if posted else (), signed_in=posted is not None,
        csrf=posted.csrf if posted else "", nav=navigation_for(who))


def render_done(form: Form, lang: str, *, env: Environment, langs: tuple[str, ...],
                agency: str, auth: SiteAuth = LOCAL_AUTH, reference: str | None = None,
                warnings: tuple[str, ...] = (), csrf: str = "", who: dict | None = None) -> str:
    """The confirmation page: static (the page script fills in the reference), or with
    the `reference` the local server was given for a post without JavaScript."""
    rel = f"forms/{form.id}/done.html"
    return _render(env, "done.html", Here(lang, rel, langs), form=_form_info(form, lang, agency),
                   start_href="/" + site_path(lang, f"forms/{form.id}/index.html"), auth=auth,
                   record_id=reference, warnings=warnings, signed_in=reference is not None,
                   csrf=csrf, nav=navigation_for(who))


def _review_pages(form: Form, lang: str, *, env: Environment, langs: tuple[str, ...],
                  agency: str, pages: dict, auth: SiteAuth) -> dict[str, str]:
    """"Check your answers" (check.html) and a stored record (record.html): answers are
    shown by static/summary.js from the questions map, never written into the HTML."""
    t = words(lang)
    base = f"forms/{form.id}"
    shown = record_context(form, lang, _form_info(form, lang, agency))
    rel = f"{base}/check.html"
    check = _render(env, "check.html", Here(lang, rel, langs), form=shown["form"],
                    questions=shown["questions"], pages=pages, auth=auth,
                    back_href=[p for p in pages["pages"] if not p.get("later")][-1]["href"],
                    prefill_words=prefill_words(t))
    record_rel = f"{base}/record.html"
    record = _render(env, "record.html", Here(lang, record_rel, langs), auth=auth, **shown)
    return {site_path(lang, rel): check, site_path(lang, record_rel): record}


def record_context(form: Form, lang: str, info: dict[str, str]) -> dict:
    """What record.html is rendered with, statically or filled on the server."""
    t = words(lang)
    base = f"forms/{form.id}"
    return {"form": info, "questions": questions_map(form, lang, t,
                                                     base="/" + site_path(lang, base)),
            "start_href": "/" + site_path(lang, f"{base}/index.html"),
            "record_words": {"version_of": t.version_of,
                             "older_form_version": t.older_form_version},
            "change_href": "/" + site_path(lang, f"{base}/check.html"),
            "case_href": "/" + site_path(lang, CASE_PAGE)}


def prefill_words(t) -> dict:
    """The words static/prefill.js shows (a form from a case, a record being changed)."""
    return {key: getattr(t, key) for key in (
        "from_case", "changing_record", "change_reason_missing", "change_stale",
        "change_send", "not_sent")}


def page_map(form: Form, lang: str) -> dict:
    """What the page script needs to move between pages, leave out what does not apply and
    place the API's errors: each page's address and condition, and its fields' ids and
    conditions (no text from the YAML)."""
    base = f"forms/{form.id}"
    return {"form": form.id, "done": "/" + site_path(lang, f"{base}/done.html"),
            "start": "/" + site_path(lang, f"{base}/index.html"),
            "check": "/" + site_path(lang, f"{base}/check.html"),
            "pages": [{"id": p.id, "href": "/" + site_path(lang, f"{base}/{p.id}.html"),
                       "show_if": rule_data(p.show_if),
                       **({"later": True} if p.asked == "later" else {}),
                       "fields": [{"id": f.id, "show_if": rule_data(f.show_if),
                                   **_inputs_of(f)}
                                  for f in p.fields if FIELD_TYPES[f.type].has_value]}
                      for p in form.pages]}


def _inputs_of(f) -> dict:
    """How the page script writes a value back into a field's inputs (static/prefill.js,
    for answers filled from a case or a stored record): the kind of its inputs, its parts,
    and a repeat's fields."""
    inputs = FIELD_TYPES[f.type].inputs
    out: dict = {"read": inputs.kind}
    if inputs.parts_attribute:
        out["parts"] = inputs.parts_attribute
    if inputs.holds_items:
        out["fields"] = [{"id": c.id, **_inputs_of(c)} for c in f.children
                         if FIELD_TYPES[c.type].has_value]
    return out


DASHBOARD_PAGE = "admin/dashboard.html"


def navigation_for(who: dict | None) -> dict | None:
    """What a page rendered for a signed-in user shows in the service navigation (static
    pages leave it to session.js): the items the role may use, and "Signed in as".
    Cases and Due for the roles that are parties to cases, Dashboard for the DAT's
    administrator; None when the user is not known."""
    user = (who or {}).get("user") if isinstance(who, dict) else None
    if not isinstance(user, dict) or not user.get("role"):
        return None
    admin = user["role"] == ADMIN
    return {"shown": {"forms", "dashboard"} if admin else {"forms", "cases", "due"},
            "user": str(user.get("id") or ""),
            "agency": str(user.get("agency_name") or user.get("agency") or "")}


def render_dashboard(env: Environment, *, auth: SiteAuth = LOCAL_AUTH) -> str:
    """The DAT view: static/dashboard.js fills it in from GET /v1/dashboard for a signed-in
    dat_admin; the HTML holds no figures, only the words and the empty sections."""
    return _render(env, "dashboard.html", Here("en", DASHBOARD_PAGE, ("en",)), auth=auth,
                   d=DASHBOARD_WORDS)


def render_case_pages(env: Environment, forms: Iterable[Form], process,
                      documents: Mapping[str, str], *, auth: SiteAuth = LOCAL_AUTH,
                      protocol=None, codelists: Mapping | None = None, lang: str = "en",
                      langs: tuple[str, ...] = ("en",),
                      form_languages=default_languages) -> dict[str, str]:
    """The case pages (render/cases.py) in `lang`: the Cases list, Due, one case, a step to
    confirm and the action pages; their scripts fill them in from the API. The HTML holds
    only the process's and the protocol's words, never a case. `langs`: the languages the
    site has them in (the language switch links each page to its twins); `form_languages`:
    each form's, so a Welsh page links to a form's Welsh pages where it has them."""
    return {site_path(lang, path): _render(env, template, Here(lang, path, langs), auth=auth,
                                           **context)
            for path, (template, context) in case_pages(process, forms, documents, protocol,
                                                        codelists, lang,
                                                        form_languages).items()}


def render_diagnostics_page(text: str, *, env: Environment) -> str:
    """A page showing the build's diagnostics, preformatted (for `dipforms serve`)."""
    return _render(env, "diagnostics.html", Here("en", "index.html", ("en",)), text=text)


def _render(env: Environment, template: str, here: Here, *, auth: SiteAuth = LOCAL_AUTH,
            **context) -> str:
    return env.get_template(template).render(here=here, lang=here.lang, t=words(here.lang),
                                             auth=auth, **context)


def _languages(langs: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(langs))
    unknown = [lang for lang in chosen if lang not in LANGUAGE_NAMES]
    if unknown or "en" not in chosen:
        raise ValueError(f"languages must include 'en' and be from {sorted(LANGUAGE_NAMES)}")
    return tuple(lang for lang in LANGUAGE_NAMES if lang in chosen)


def _agency(form: Form, lang: str, labels: Mapping[str, Text]) -> str:
    label = labels.get(form.agency)
    if label is not None:
        return label.get(lang)
    words_ = form.agency.replace("_", " ")
    return words_[:1].upper() + words_[1:]


def _form_info(form: Form, lang: str, agency: str) -> dict[str, str]:
    return {"id": form.id, "version": form.version, "title": form.title.get(lang),
            "description": form.description.get(lang), "agency": agency}


def front_page_order(forms: Iterable[Form], protocol) -> list[Form]:
    """The forms as the protocol's `access:` lists them (the MG14 first, then the CJIT's
    in the order of the work), then any other by id."""
    forms = list(forms)
    order = list(getattr(protocol, "access", None) or {})
    place = {form_id: i for i, form_id in enumerate(order)}
    return sorted(forms, key=lambda f: (place.get(f.id, len(order)), f.id))


def front_page_owners(protocol) -> dict[str, tuple[str, tuple[str, ...]]]:
    """agency type -> (its title, the roles its staff hold), from `agency_types:`."""
    types = getattr(protocol, "agency_types", None) or {}
    return {type_id: (kind.title, kind.role_names) for type_id, kind in types.items()}


def owner_titles(protocol) -> dict[str, str]:
    """agency type -> its title ("Criminal Justice Integrated Team"), the owner a form's
    start page names; none without a protocol (the type's id is shown as words)."""
    return {type_id: title for type_id, (title, _) in front_page_owners(protocol).items()}


def _index_entry(form: Form, lang: str, langs: tuple[str, ...], labels: Mapping[str, Text],
                 owners: Mapping[str, tuple[str, tuple[str, ...]]]) -> dict:
    shown = lang if lang in langs else "en"
    base = f"forms/{form.id}"
    title, roles = owners.get(form.agency, (None, ()))
    info = _form_info(form, shown, title or _agency(form, shown, labels))
    return {**info, "lang": shown, "owner_roles": " ".join(roles),
            "href": "/" + site_path(shown, f"{base}/index.html"),
            "print_href": "/" + site_path(shown, f"{base}/print.html")}
