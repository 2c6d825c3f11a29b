"""The site's own words (buttons, part labels, instructions) in English and Welsh.

Form text comes from the YAML; these are the words around it. Pure data: no I/O.
"""

from __future__ import annotations

from types import SimpleNamespace

LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}
#: Welsh has six plural forms; GOV.UK Frontend's scripts look each one up.
CY_PLURALS = ("zero", "one", "two", "few", "many", "other")


def _plural(message: str) -> dict[str, str]:
    return {form: message for form in CY_PLURALS}


_EN = {
    "service": "dipforms",
    "skip": "Skip to main content",
    "forms": "Forms",
    "forms_lead": "Forms used by the Drug Interventions Programme partnership.",
    "agency": "Agency",
    "version": "Version",
    "start": "Start now",
    "start_form": "Start",
    "printable": "Printable version",
    "print_link": "Print a paper copy of this form",
    "sections": "Sections",
    "not_started": "Not yet started",
    "only_some_cases": "Only needed in some cases",
    "back": "Back",
    "all_forms": "All forms",
    "continue_button": "Continue",
    "check_answers": "Check your answers",
    "optional": "(optional)",
    "help": "Help with this question",
    "warning": "Warning",
    "day": "Day",
    "month": "Month",
    "year": "Year",
    "date": "Date",
    "time": "Time",
    "date_hint": "For example, 27 3 2026",
    "time_hint": "Use the 24-hour clock, for example 14:30",
    "yes": "Yes",
    "no": "No",
    "select_option": "Select an option",
    "given_names": "First and middle names",
    "family_name": "Last name",
    "line1": "Address line 1",
    "line2": "Address line 2 (optional)",
    "town": "Town or city",
    "county": "County (optional)",
    "postcode": "Postcode",
    "signer_name": "Full name",
    "signer_role": "Role",
    "signed_date": "Date signed",
    "signature": "Signature",
    "i_confirm": "I confirm",
    "item": "Item",
    "add_another": "Add another {item}",
    "select_all": "Select all that apply",
    "tick_one": "Tick one",
    "tick_any": "Tick all that apply",
    "if_applies": "Answer only if it applies",
    "extra_sheet": "If you need more space, continue on a separate sheet.",
    "paper_ref": "Form {form} version {version}",
    "change_language": "Change the language to English",
    "language": "Language",
    "problems_title": "The forms could not be built",
    "problems_lead": "Fix these problems in the YAML files under forms/, then save.",
    "footer": "Forms for a local Drug Interventions Programme partnership.",
    "sign_in": "Sign in",
    "sign_out": "Sign out",
    "account": "Account",
    "sign_in_lead": "Sign in with the user ID and password your Drug Action Team gave you.",
    "sign_in_to_submit": "Sign in to fill in and submit forms",
    "user_id": "User ID",
    "password": "Password",
    "show_password": "Show",
    "hide_password": "Hide",
    "show_password_label": "Show password",
    "hide_password_label": "Hide password",
    "password_shown": "Your password is visible",
    "password_hidden": "Your password is hidden",
    # signing in through Cognito's hosted UI (sign-in.html, signed-in.html, cognito.js)
    "sign_in_org": "Sign in with your organisation account",
    "sign_in_org_lead": "Use the account your organisation gave you. You will go to its "
                        "sign-in page, then come back here.",
    "signing_in": "Signing you in.",
    "sign_in_stopped": "Signing in with your organisation account was stopped or refused.",
    "sign_in_expired": "This sign-in has expired or was started in another browser tab.",
    "sign_in_unfinished": "Your sign-in could not be finished.",
    "try_sign_in_again": "Try signing in again",
    "needs_js": "You need to turn on JavaScript to sign in and submit forms. You can still "
                "read and print them.",
    "answers_kept": "Your answers are saved on this device as an encrypted draft while you "
                    "type. Only you can open it, after signing in. It is deleted when you send "
                    "the form or discard it, and after {hours} hours.",
    "discard_draft": "Discard draft",
    "draft_key_failed": "You are signed in, but this device cannot keep drafts just now. Sign "
                        "out and sign in again while you have a connection.",
    "queued_title": "Saved on this device, not sent yet",
    "queued_text": "There is no connection. The form will be sent automatically when this "
                   "device is back online and you are signed in. Do not fill it in again.",
    "queue_waiting": "Forms waiting on this device to be sent: {count}",
    "queue_sent": "A form kept on this device has been sent. Its reference number is {id}.",
    "queue_refused": "A form kept on this device was not accepted. Open it to check the "
                     "answers.",
    "status_completed": "Completed",
    "status_in_progress": "In progress",
    "status_not_needed": "Not needed",
    "submitted": "Form submitted",
    "your_reference": "Your reference number",
    "record_saved": "The record is saved. The agencies that need to know about it will be told.",
    "nothing_submitted": "There is no submitted form to show in this browser tab.",
    "start_another": "Start another",
    "view_case": "View the case",
    "check_warnings": "Check these answers",
    # warnings gone ahead with, each with a reason kept with the record (errors.js, page.html)
    "confirm_title": "Before you send",
    "confirm_lead": "Some answers raise a warning. You can still send the form: say why you "
                    "are going ahead with each one. Your reason is kept with the record.",
    "confirm_reason": "Why are you going ahead?",
    "confirm_missing": "Say why you are going ahead despite this warning",
    "source": "Source",
    "problem": "There is a problem",
    "error": "Error",
    "enter_user": "Enter your user ID",
    "enter_password": "Enter your password",
    "sign_in_failed": "The user ID or password you entered is not correct",
    "too_many_attempts": "Too many failed attempts to sign in. Wait 15 minutes, then try again",
    "check_answer": "Check this answer",
    "not_sent": "The form could not be sent. Your answers are kept: try again in a moment.",
    "key_reused": "This form may already have been submitted from this tab. Check the records "
                  "before you submit it again.",
    "try_again": "Something went wrong. Try again in a moment.",
    # check your answers, and a stored record (summary.js, record.js)
    "check_title": "Check your answers before sending",
    "check_needs_js": "You need to turn on JavaScript to check your answers and send the form.",
    "send": "Send",
    "change": "Change",
    "not_answered": "Not answered",
    "months": ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"],
    "date_at_time": "{date} at {time}",
    "signed_on": "Signed on {date}",
    "confirmed": "Confirmed",
    "other_answers": "Other answers",
    "record": "Record",
    "reference": "Reference",
    "version_of": "{version} of {count}",
    "submitted_at": "Submitted",
    "amended_at": "Amended",
    "change_reason": "Reason for the change",
    "form_version": "Form version",
    "older_form_version": "This record was made with version {recorded} of the form. The "
                          "questions are worded as in version {current}.",
    "print_record": "Print this record",
    "loading_record": "Loading the record.",
    "record_needs_js": "You need to turn on JavaScript to see stored records.",
    "record_sign_in_title": "Sign in to see this record",
    "record_sign_in": "You need to sign in before you can see stored records.",
    "record_not_found_title": "Record not found",
    "record_not_found": "There is no record with this reference. Check the reference and try "
                        "again.",
    "record_forbidden_title": "You cannot see this record",
    "record_forbidden": "Your role does not give you access to records of this form. Ask your "
                        "Drug Action Team if you need to see it.",
    "record_failed_title": "Sorry, there is a problem",
    # the offline page (offline.html, shown by sw.js)
    "offline_title": "This page is not saved on this device",
    "offline_lead": "There is no connection, and this page has not been saved on this device, "
                    "so it cannot be shown.",
    "offline_next": "The forms are saved on this device when you first open the site, and "
                    "open without a connection. Try this page again when you are back online.",
    "counts": {},
}

_CY = {
    "service": "dipforms",
    "skip": "Neidio i'r prif gynnwys",
    "forms": "Ffurflenni",
    "forms_lead": "Ffurflenni a ddefnyddir gan bartneriaeth y Rhaglen Ymyriadau Cyffuriau.",
    "agency": "Asiantaeth",
    "version": "Fersiwn",
    "start": "Dechrau nawr",
    "start_form": "Dechrau",
    "printable": "Fersiwn i'w hargraffu",
    "print_link": "Argraffu copi papur o'r ffurflen hon",
    "sections": "Adrannau",
    "not_started": "Heb ddechrau eto",
    "only_some_cases": "Dim ond ei angen mewn rhai achosion",
    "back": "Yn ôl",
    "all_forms": "Pob ffurflen",
    "continue_button": "Parhau",
    "check_answers": "Gwirio eich atebion",
    "optional": "(dewisol)",
    "help": "Help gyda'r cwestiwn hwn",
    "warning": "Rhybudd",
    "day": "Diwrnod",
    "month": "Mis",
    "year": "Blwyddyn",
    "date": "Dyddiad",
    "time": "Amser",
    "date_hint": "Er enghraifft, 27 3 2026",
    "time_hint": "Defnyddiwch y cloc 24 awr, er enghraifft 14:30",
    "yes": "Ie",
    "no": "Na",
    "select_option": "Dewiswch opsiwn",
    "given_names": "Enwau cyntaf a chanol",
    "family_name": "Cyfenw",
    "line1": "Llinell 1 y cyfeiriad",
    "line2": "Llinell 2 y cyfeiriad (dewisol)",
    "town": "Tref neu ddinas",
    "county": "Sir (dewisol)",
    "postcode": "Cod post",
    "signer_name": "Enw llawn",
    "signer_role": "Rôl",
    "signed_date": "Dyddiad llofnodi",
    "signature": "Llofnod",
    "i_confirm": "Rwy'n cadarnhau",
    "item": "Eitem",
    "add_another": "Ychwanegu {item} arall",
    "select_all": "Dewiswch bob un sy'n berthnasol",
    "tick_one": "Ticiwch un",
    "tick_any": "Ticiwch bob un sy'n berthnasol",
    "if_applies": "Atebwch dim ond os yw'n berthnasol",
    "extra_sheet": "Os oes angen mwy o le arnoch, parhewch ar ddalen ar wahân.",
    "paper_ref": "Ffurflen {form} fersiwn {version}",
    "change_language": "Newid yr iaith i'r Gymraeg",
    "language": "Iaith",
    "problems_title": "Nid oedd modd adeiladu'r ffurflenni",
    "problems_lead": "Cywirwch y problemau hyn yn y ffeiliau YAML.",
    "footer": "Ffurflenni ar gyfer partneriaeth leol y Rhaglen Ymyriadau Cyffuriau.",
    "sign_in": "Mewngofnodi",
    "sign_out": "Allgofnodi",
    "account": "Cyfrif",
    "sign_in_lead": "Mewngofnodwch gyda'r ID defnyddiwr a'r cyfrinair a roddodd eich Tîm "
                    "Gweithredu ar Gyffuriau i chi.",
    "sign_in_to_submit": "Mewngofnodwch i lenwi a chyflwyno ffurflenni",
    "user_id": "ID defnyddiwr",
    "password": "Cyfrinair",
    "show_password": "Dangos",
    "hide_password": "Cuddio",
    "show_password_label": "Dangos cyfrinair",
    "hide_password_label": "Cuddio cyfrinair",
    "password_shown": "Mae eich cyfrinair yn weladwy",
    "password_hidden": "Mae eich cyfrinair wedi'i guddio",
    # mewngofnodi drwy Cognito (sign-in.html, signed-in.html, cognito.js); ours, unverified
    "sign_in_org": "Mewngofnodi gyda chyfrif eich sefydliad",
    "sign_in_org_lead": "Defnyddiwch y cyfrif a roddodd eich sefydliad i chi. Byddwch yn mynd "
                        "i'w dudalen fewngofnodi, yna'n dod yn ôl yma.",
    "signing_in": "Wrthi'n eich mewngofnodi.",
    "sign_in_stopped": "Cafodd mewngofnodi gyda chyfrif eich sefydliad ei atal neu ei wrthod.",
    "sign_in_expired": "Mae'r mewngofnodi hwn wedi dod i ben neu fe'i dechreuwyd mewn tab "
                       "porwr arall.",
    "sign_in_unfinished": "Nid oedd modd cwblhau eich mewngofnodi.",
    "try_sign_in_again": "Rhowch gynnig arall ar fewngofnodi",
    "needs_js": "Mae angen i chi droi JavaScript ymlaen i fewngofnodi a chyflwyno ffurflenni. "
                "Gallwch eu darllen a'u hargraffu o hyd.",
    "answers_kept": "Caiff eich atebion eu cadw ar y ddyfais hon fel drafft wedi'i amgryptio "
                    "wrth i chi deipio. Dim ond chi all ei agor, ar ôl mewngofnodi. Caiff ei "
                    "ddileu pan fyddwch yn anfon y ffurflen neu'n ei daflu, ac ar ôl {hours} awr.",
    "discard_draft": "Taflu'r drafft",
    "draft_key_failed": "Rydych wedi mewngofnodi, ond ni all y ddyfais hon gadw drafftiau ar "
                        "hyn o bryd. Allgofnodwch a mewngofnodwch eto pan fydd gennych gysylltiad.",
    "queued_title": "Wedi'i chadw ar y ddyfais hon, heb ei hanfon eto",
    "queued_text": "Nid oes cysylltiad. Caiff y ffurflen ei hanfon yn awtomatig pan fydd y "
                   "ddyfais hon ar-lein eto a chithau wedi mewngofnodi. Peidiwch â'i llenwi eto.",
    "queue_waiting": "Ffurflenni sy'n aros ar y ddyfais hon i gael eu hanfon: {count}",
    "queue_sent": "Mae ffurflen a gadwyd ar y ddyfais hon wedi'i hanfon. Ei chyfeirnod yw {id}.",
    "queue_refused": "Ni dderbyniwyd ffurflen a gadwyd ar y ddyfais hon. Agorwch hi i wirio'r "
                     "atebion.",
    "status_completed": "Wedi'i chwblhau",
    "status_in_progress": "Ar y gweill",
    "status_not_needed": "Dim angen",
    "submitted": "Ffurflen wedi'i chyflwyno",
    "your_reference": "Eich cyfeirnod",
    "record_saved": "Mae'r cofnod wedi'i gadw. Bydd yr asiantaethau y mae angen iddynt wybod "
                    "amdano yn cael gwybod.",
    "nothing_submitted": "Nid oes ffurflen wedi'i chyflwyno i'w dangos yn y tab porwr hwn.",
    "start_another": "Dechrau un arall",
    "view_case": "Gweld yr achos",  # ours, unverified
    "check_warnings": "Gwiriwch yr atebion hyn",
    # rhybuddion y bwrir ymlaen er gwaethaf (errors.js, page.html); ours, unverified
    "confirm_title": "Cyn i chi anfon",
    "confirm_lead": "Mae rhai atebion yn codi rhybudd. Gallwch anfon y ffurflen o hyd: dywedwch "
                    "pam eich bod yn bwrw ymlaen gyda phob un. Caiff eich rheswm ei gadw gyda'r "
                    "cofnod.",
    "confirm_reason": "Pam ydych chi'n bwrw ymlaen?",
    "confirm_missing": "Dywedwch pam eich bod yn bwrw ymlaen er gwaethaf y rhybudd hwn",
    "source": "Ffynhonnell",
    "problem": "Mae problem wedi codi",
    "error": "Gwall",
    "enter_user": "Rhowch eich ID defnyddiwr",
    "enter_password": "Rhowch eich cyfrinair",
    "sign_in_failed": "Nid yw'r ID defnyddiwr neu'r cyfrinair a roesoch yn gywir",
    "too_many_attempts": "Gormod o ymdrechion aflwyddiannus i fewngofnodi. Arhoswch 15 munud, "
                         "yna rhowch gynnig arall arni",
    "check_answer": "Gwiriwch yr ateb hwn",
    "not_sent": "Nid oedd modd anfon y ffurflen. Mae eich atebion wedi'u cadw: rhowch gynnig "
                "arall arni mewn munud.",
    "key_reused": "Efallai bod y ffurflen hon eisoes wedi'i chyflwyno o'r tab hwn. Gwiriwch y "
                  "cofnodion cyn i chi ei chyflwyno eto.",
    "try_again": "Aeth rhywbeth o'i le. Rhowch gynnig arall arni mewn munud.",
    # gwirio eich atebion, a chofnod wedi'i gadw (summary.js, record.js); ours, unverified
    "check_title": "Gwiriwch eich atebion cyn anfon",
    "check_needs_js": "Mae angen i chi droi JavaScript ymlaen i wirio eich atebion ac anfon y "
                      "ffurflen.",
    "send": "Anfon",
    "change": "Newid",
    "not_answered": "Heb ei ateb",
    "months": ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf",
               "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr"],
    "date_at_time": "{date} am {time}",
    "signed_on": "Llofnodwyd ar {date}",
    "confirmed": "Wedi'i gadarnhau",
    "other_answers": "Atebion eraill",
    "record": "Cofnod",
    "reference": "Cyfeirnod",
    "version_of": "{version} o {count}",
    "submitted_at": "Cyflwynwyd",
    "amended_at": "Diwygiwyd",
    "change_reason": "Y rheswm dros y newid",
    "form_version": "Fersiwn y ffurflen",
    "older_form_version": "Gwnaed y cofnod hwn gyda fersiwn {recorded} o'r ffurflen. Mae'r "
                          "cwestiynau wedi'u geirio fel yn fersiwn {current}.",
    "print_record": "Argraffu'r cofnod hwn",
    "loading_record": "Wrthi'n llwytho'r cofnod.",
    "record_needs_js": "Mae angen i chi droi JavaScript ymlaen i weld cofnodion sydd wedi'u "
                       "cadw.",
    "record_sign_in_title": "Mewngofnodwch i weld y cofnod hwn",
    "record_sign_in": "Mae angen i chi fewngofnodi cyn y gallwch weld cofnodion sydd wedi'u "
                      "cadw.",
    "record_not_found_title": "Heb ddod o hyd i'r cofnod",
    "record_not_found": "Nid oes cofnod gyda'r cyfeirnod hwn. Gwiriwch y cyfeirnod a rhowch "
                        "gynnig arall arni.",
    "record_forbidden_title": "Ni allwch weld y cofnod hwn",
    "record_forbidden": "Nid yw eich rôl yn rhoi mynediad i chi at gofnodion y ffurflen hon. "
                        "Gofynnwch i'ch Tîm Gweithredu ar Gyffuriau os oes angen i chi ei weld.",
    "record_failed_title": "Mae'n ddrwg gennym, mae problem",
    # y dudalen all-lein (offline.html, a ddangosir gan sw.js); ours, unverified
    "offline_title": "Nid yw'r dudalen hon wedi'i chadw ar y ddyfais hon",
    "offline_lead": "Nid oes cysylltiad, ac nid yw'r dudalen hon wedi'i chadw ar y ddyfais "
                    "hon, felly ni ellir ei dangos.",
    "offline_next": "Caiff y ffurflenni eu cadw ar y ddyfais hon pan fyddwch yn agor y wefan "
                    "am y tro cyntaf, ac maent yn agor heb gysylltiad. Rhowch gynnig arall ar y "
                    "dudalen hon pan fyddwch ar-lein eto.",
    "counts": {
        "textareaDescriptionText": "Gallwch roi hyd at %{count} nod",
        "charactersUnderLimitText": _plural("Mae gennych %{count} nod yn weddill"),
        "charactersAtLimitText": "Mae gennych 0 nod yn weddill",
        "charactersOverLimitText": _plural("Mae gennych %{count} nod yn ormod"),
    },
}

WORDS = {"en": _EN, "cy": _CY}
#: The words the page script (static/dipforms.js) shows, handed to it as JSON (`t.script`).
SCRIPT_WORDS = ("problem", "error", "sign_in", "sign_out", "enter_user", "enter_password",
                "sign_in_failed", "too_many_attempts", "check_answer", "check_answers",
                "continue_button", "not_sent", "key_reused", "try_again", "answers_kept",
                "draft_key_failed", "queued_title", "queued_text", "queue_waiting",
                "queue_sent", "queue_refused", "status_completed", "status_in_progress",
                "status_not_needed", "not_started", "confirm_title", "confirm_lead",
                "confirm_reason", "confirm_missing", "source", "warning")


def words(lang: str) -> SimpleNamespace:
    """The site's words in `lang`, as attributes (`t.back` in a template)."""
    chosen = WORDS[lang]
    return SimpleNamespace(**chosen, script={k: chosen[k] for k in SCRIPT_WORDS})


#: The DAT view (admin/dashboard.html, static/dashboard.js): a page for DAT administrators,
#: in English only like the other admin tools (`dipforms rules`, `dipforms protocol`).
#: `script` holds what dashboard.js shows; {name} is filled in by the script.
DASHBOARD_WORDS = {
    "title": "DAT view",
    "caption": "Drug Action Team",
    "needs_js": "You need to turn on JavaScript to see the DAT view.",
    "loading": "Loading the figures.",
    "sign_in_title": "Sign in to see the DAT view",
    "sign_in": "You need to sign in as a DAT administrator to see these figures.",
    "forbidden_title": "You need the DAT administrator role",
    "forbidden": "This page shows figures for the whole partnership. Only DAT administrators "
                 "can see it. Ask your Drug Action Team if you need these figures.",
    "failed_title": "Sorry, there is a problem",
    "lead": "Figures for {date}, counted from the cases stored. No names or other personal "
            "details are shown: cases are named only by their reference.",
    "at_a_glance": "At a glance",
    "counts_title": "Cases by condition and outcome",
    "chart_caption": "Cases by DIP condition, split by outcome. The table below gives the "
                     "same figures.",
    "key": "Key",
    "overdue_title": "Overdue actions",
    "overdue_lead": ("Actions still outstanding after their date: the case is still waiting "
                     "for what the deadline asked for."),
    "dead_title": "Notifications not delivered",
    "dead_lead": "Notifications that could not be delivered after every attempt. They need a "
                 "DAT administrator to check the agency's contact details, then queue them "
                 "again.",
    "download": "Download CSV",
    "script": {
        "counts_caption": "Number of cases by DIP condition and outcome",
        "open_cases": "Open cases",
        "closed_cases": "Closed cases",
        "all_cases": "All cases",
        "overdue": "Overdue actions",
        "dead": "Notifications not delivered",
        "condition": "DIP condition",
        "total": "Total",
        "all_conditions": "All conditions",
        "chart_label": "Bar chart of {total} cases by DIP condition and outcome. {rows}",
        "chart_row": "{condition}: {count}",
        "chart_part": "{outcome} {count}",
        "none_overdue": "There are no overdue actions.",
        "none_dead": "Every notification has been delivered or is still being tried.",
        "by_reason": "Overdue actions by reason",
        "reason": "Reason",
        "number": "Number",
        "overdue_list": "Overdue actions, oldest first",
        "case_ref": "Case reference",
        "event": "Notification",
        "due_on": "Due on",
        "days_overdue": "Days overdue",
        "by_event": "Notifications not delivered, by notification",
        "dead_list": "Notifications not delivered, oldest first",
        "record": "Record",
        "agency": "Agency",
        "attempts": "Attempts",
        "failure": "Failure",
        "queued_at": "Queued at",
        "truncated": "Only the first {count} are shown. Download the CSV for the same list.",
        "download_failed": "The CSV could not be downloaded. Try again in a moment.",
        "months": _EN["months"],
        "date_at_time": _EN["date_at_time"],
    },
}


#: The case pages (cases/index.html, cases/case.html, static/case.js): for staff, in English
#: only like the DAT view; the Welsh front page links to them marked as English.
#: `facts` names the facts forms/process.yaml keeps on a case (a fact without words here is
#: shown by its id); `script` holds what case.js shows; {name} is filled in by the script.
CASE_WORDS = {
    "find_title": "Find a case",
    "find_lead": "A case starts when the police send an MG14. Its reference is the MG14's "
                 "reference.",
    "ref_label": "Case reference",
    "ref_hint": "For example, MG14-0A1B2C3D4E",
    "find_button": "Find the case",
    "index_link": "Find a case",
    "index_after": " to see where it is and what can happen next.",
    "needs_js": "You need to turn on JavaScript to see and move cases.",
    "loading": "Loading the case.",
    "no_ref_title": "Which case?",
    "no_ref": "This page shows one case. Find it by its reference first.",
    "sign_in_title": "Sign in to see this case",
    "sign_in": "You need to sign in before you can see cases.",
    "not_found_title": "Case not found",
    "not_found": "There is no case with this reference. Check the reference and try again.",
    "forbidden_title": "You cannot see this case",
    "forbidden": "Your role does not give you access to cases. Ask your Drug Action Team if "
                 "you need to see it.",
    "failed_title": "Sorry, there is a problem",
    "next_title": "What can happen next",
    "records_title": "Records",
    "timeline_title": "Timeline",
    "timeline_lead": "What has happened on this case, newest first.",
    "moved_title": "Success",
    "facts": {
        "condition_type": "DIP condition",
        "offence_class": "Class of offence",
        "offence_date": "Earliest offence",
        "contact_by_date": "Contact by",
        "comply_by_date": "Comply by",
        "followup_ra_at": "Follow-up required assessment",
        "consent_police_cps": "Consent to share the assessment with the police and CPS",
        "compliance_outcome": "Compliance",
        "supervision_start": "Supervision started",
        "ppo_or_high_rosh": "PPO or high risk of serious harm",
        "release_date": "Planned release",
    },
    "script": {
        "error": _EN["error"],
        "case_title": "Case {ref}",
        "reference": "Reference",
        "state": "State",
        "closed": "Closed",
        "opened_at": "Opened",
        "updated_at": "Last changed",
        "yes": _EN["yes"],
        "no": _EN["no"],
        "next_lead": "Each button moves the case on at once, and tells the agencies that "
                     "need to know.",
        "step": "Move to: {label}",
        "step_elsewhere": "Move to: {label} (only {roles} can do this)",
        "no_steps": "There is nothing for you to do on this case now. Other agencies may move "
                    "it on.",
        "closed_case": "This case is closed. Nothing more can happen to it.",
        "moved": "The case has moved to: {label}",
        "rule": "Rule",
        "source": _EN["source"],
        "allowed": "What can happen instead:",
        "none_allowed": "Nothing else can happen to the case now.",
        "conflict": "Someone else changed this case while you were looking at it. It has "
                    "been reloaded with their change: check it, then try again.",
        "step_failed": "The case could not be moved. Try again in a moment.",
        "enter_ref": "Enter the case reference",
        "ref_format": "Enter a case reference like MG14-0A1B2C3D4E, using only letters, "
                      "numbers and hyphens",
        "no_records": "No records can be shown to you on this case.",
        "made_by": "Made by",
        "saved_at": "Saved",
        "version": "Version",
        "view_record": "View and print",
        "view_record_hidden": " the record {ref}",
        "answers": "Answers you can see",
        "no_answers": "You cannot see the answers in this record.",
        "no_timeline": "Nothing has happened on this case yet.",
        "by": "by {agency}",
        "by_system": "automatically",
        "opened": "Case opened",
        "opened_text": "{form} {ref}. State: {state}.",
        "form_added": "Record added",
        "form_amended": "Record amended",
        "form_text": "{form} {ref}, version {version}.",
        "transition": "State changed",
        "transition_text": "From ‘{from}’ to ‘{to}’.",
        "notification": "Notification {event}",
        "notification_text": "For {to}.",
        "reminder": "Reminder {event}",
        "reminder_text": "{reason}, due {due}. For {to}.",
        "fact": "Fact recorded",
        "appointment": "Appointment booked",
        "appointment_text": "From {starts} to {ends}.",
        "clash_text": "It overlaps an appointment of {agencies}.",
        "disclosure": "Information disclosed",
        "disclosure_text": "To {to} on the ground {ground}: {items}.",
        "nobody": "no agency",
        "roles": {"police": "the police", "cps": "the CPS", "cjit": "the CJIT",
                  "probation": "probation", "carat": "the CARAT team",
                  "dat_admin": "a DAT administrator"},
        "or": " or ",
        "months": _EN["months"],
        "date_at_time": _EN["date_at_time"],
    },
}


def switch_label(to_lang: str) -> str:
    """What a link to `to_lang` says to a screen reader, in the language it leads to."""
    return WORDS[to_lang]["change_language"]
