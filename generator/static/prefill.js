/* Forms that start from what the service knows, and stored records changed through the
 * pages. Loaded on a form's start page and its check page; dipforms.js asks it, as it
 * opens the draft, whether to start the draft afresh:
 *  - ?case=<reference> (a step's link on the case page, to /forms/<form>/index.html; a
 *    question page with it sends us there, dipforms.js):
 *    the draft starts from GET /v1/forms/<form>/prefill?case=, the case reference fixed
 *    (read-only on its page) and the person's details filled. A draft of another case is
 *    replaced, never mixed with this one.
 *  - ?change=<record id> (the record page's Change link, to /forms/<form>/check.html):
 *    the draft starts from the record's latest version; the check page shows what changed,
 *    the sections asked only now (`asked: later`), asks the reason, and sends a new version
 *    (PUT /v1/records/<id> with base_version: a change made meanwhile is refused).
 *  - neither, and no draft yet: the protocol's answers (the CJIT's contact, the area).
 * Filled answers are written as the inputs would hold them, so each page shows them and
 * check answers lists them with Change. Sets window.dipformsPrefill. */
(function () {
  "use strict";

  var S = window.dipformsSession, A = window.dipformsAnswers, E = window.dipformsErrors;
  if (!S || !A || !window.fetch) return;
  var wordsNode = document.getElementById("dipforms-prefill-words");
  var W = wordsNode ? JSON.parse(wordsNode.textContent) : {};
  var params = new URLSearchParams(location.search);
  var caseRef = params.get("case"), changeId = params.get("change");
  var REF = /^[A-Za-z0-9][A-Za-z0-9\/-]{0,63}$/;
  if (caseRef && !REF.test(caseRef)) caseRef = null;
  if (changeId && !REF.test(changeId)) changeId = null;

  function all(scope, selector) { return Array.prototype.slice.call(scope.querySelectorAll(selector)); }
  function unpadded(digits) { return /^\d+$/.test(digits) ? String(Number(digits)) : digits; }

  /* --- a value as the raw input values answers.js restores (fields/inputs.py WRITERS) --- */

  function date(raw, name, value) {
    var pieces = String(value).split("-");
    if (pieces.length !== 3) return;
    raw[name + "[day]"] = unpadded(pieces[2]);
    raw[name + "[month]"] = unpadded(pieces[1]);
    raw[name + "[year]"] = pieces[0];
  }

  var WRITE = {
    text: function (raw, name, value) { raw[name] = String(value); },
    number: function (raw, name, value) { raw[name] = String(value); },
    time: function (raw, name, value) { raw[name] = String(value); },
    one: function (raw, name, value) { raw[name] = String(value); },
    yesno: function (raw, name, value) {
      if (typeof value === "boolean") raw[name] = value ? "true" : "false";
    },
    tick: function (raw, name, value) { if (value === true) raw[name] = ["true"]; },
    many: function (raw, name, value) { if (Array.isArray(value)) raw[name] = value.map(String); },
    date: date,
    datetime: function (raw, name, value) {
      var pair = String(value).split("T");
      date(raw, name, pair[0]);
      if (pair[1]) raw[name + "[time]"] = pair[1];
    }
  };

  function write(raw, field, name, value) {
    if (value === undefined || value === null) return;
    if (field.read === "parts") {
      (field.parts || "").split(" ").filter(Boolean).forEach(function (spec) {
        var pair = spec.split(":");
        if (value && value[pair[0]] !== undefined) {
          (WRITE[pair[1]] || WRITE.text)(raw, name + "[" + pair[0] + "]", value[pair[0]]);
        }
      });
    } else if (field.read === "items") {
      (Array.isArray(value) ? value : []).forEach(function (item, i) {
        (field.fields || []).forEach(function (child) {
          write(raw, child, name + "[" + i + "][" + child.id + "]", item && item[child.id]);
        });
      });
    } else {
      (WRITE[field.read] || WRITE.text)(raw, name, value);
    }
  }

  /* The draft's pages for `answers`: each page's own answers and its raw inputs. */
  function pagesOf(map, answers) {
    var pages = {};
    map.pages.forEach(function (page) {
      var data = {}, raw = {};
      page.fields.forEach(function (field) {
        if (!(field.id in answers)) return;
        data[field.id] = answers[field.id];
        write(raw, field, field.id, answers[field.id]);
      });
      if (Object.keys(data).length) pages[page.id] = { raw: raw, data: data };
    });
    return pages;
  }

  function get(url) {
    var s = S.session();
    if (!s) return Promise.resolve(null);
    return S.call("GET", url, undefined, { "Authorization": "Bearer " + s.token })
      .then(function (answer) { return answer.status === 200 ? answer.body : null; });
  }

  function fromPrefill(formId, map, ref) {
    var url = "/v1/forms/" + encodeURIComponent(formId) + "/prefill" +
      (ref ? "?case=" + encodeURIComponent(ref) : "");
    return get(url).then(function (body) {
      if (!body) return null;
      var draft = { pages: pagesOf(map, body.answers || {}), key: null, continued: [] };
      if (!ref && !Object.keys(draft.pages).length) return null;   // nothing known: no draft
      if (ref) { draft.case = body.case; draft.fixed = body.case_field; }
      return draft;
    });
  }

  function fromRecord(formId, map, id) {
    return get("/v1/records/" + encodeURIComponent(id)).then(function (body) {
      if (!body || !body.record || body.record.form !== formId) return null;
      var record = body.record;
      return { pages: pagesOf(map, record.data || {}), key: null,
               continued: map.pages.map(function (p) { return p.id; }),
               change: { id: record.id, version: record.version, data: record.data || {} } };
    });
  }

  /* The draft to work on: `saved`, or a fresh one from the case, the record or the
   * protocol (kept at once, so every page of the form finds it). */
  function prepare(vault, formId, hours, saved, map) {
    var fresh = null;
    if (changeId) {
      if (!(saved && saved.change && saved.change.id === changeId)) fresh = fromRecord(formId, map, changeId);
    } else if (caseRef) {
      if (!(saved && saved.case === caseRef)) fresh = fromPrefill(formId, map, caseRef);
    } else if (!saved && document.querySelector(".govuk-task-list")) {
      fresh = fromPrefill(formId, map, null);
    }
    if (!fresh) return Promise.resolve(named(saved));
    return fresh.then(function (draft) {
      if (!draft) return named(saved);
      return vault.saveDraft(formId, draft, hours).then(function () { return named(draft); });
    }, function () { return named(saved); });
  }

  /* The start page names the case a draft in progress started from. */
  function named(draft) {
    var note = document.querySelector(".dipforms-from-case");
    if (note && draft && draft.case) {
      note.textContent = (W.from_case || "").replace("{ref}", draft.case);
      note.hidden = false;
    }
    return draft;
  }

  /* --- the start page: the case named; signed in first, so the draft can start from it -- */

  function startPage() {
    if (!caseRef && !changeId) return;
    if (!S.session()) location.assign(S.signInHref());   // and back here after
  }

  /* --- the check page of a record being changed ------------------------------------------ */

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function questionOf(questions, id) {
    var found = null;
    questions.sections.forEach(function (section) {
      section.fields.forEach(function (f) { if (f.id === id) found = { section: section, field: f }; });
    });
    return found;
  }

  function checkPage(draft, map) {
    var change = draft.data.change, box = document.querySelector(".dipforms-change");
    if (!change || !box) return;
    var questions = JSON.parse(document.getElementById("dipforms-questions").textContent);
    var now = A.submission(map, draft.data.pages), list = box.querySelector(".dipforms-change__list");
    var changed = Object.keys(Object.assign({}, change.data, now)).filter(function (id) {
      return id.charAt(0) !== "_" && !same(change.data[id], now[id]);
    });
    changed.forEach(function (id) {
      var q = questionOf(questions, id), li = document.createElement("li");
      var link = document.createElement("a");
      link.className = "govuk-link";
      link.href = q ? q.section.href : map.start;
      link.textContent = q ? q.field.question : id;
      li.appendChild(link);
      list.appendChild(li);
    });
    box.querySelector(".dipforms-change__none").hidden = changed.length > 0;
    var later = map.pages.filter(function (page) {
      return page.later && A.holds(page.show_if, now) && !(draft.data.pages[page.id] || {}).data;
    });
    if (later.length) {
      var holder = box.querySelector(".dipforms-change__later");
      later.forEach(function (page) {
        var section = questions.sections.filter(function (s) { return s.id === page.id; })[0];
        var li = document.createElement("li"), link = document.createElement("a");
        link.className = "govuk-link";
        link.href = page.href;
        link.textContent = section ? section.title : page.id;
        li.appendChild(link);
        holder.querySelector("ul").appendChild(li);
      });
      holder.hidden = false;
    }
    var reason = document.getElementById("reason");
    if (reason) {
      reason.value = draft.data.reason || "";
      reason.addEventListener("input", function () { draft.data.reason = reason.value; draft.soon(); });
    }
    var send = document.querySelector(".dipforms-send");
    if (send && W.change_send) send.textContent = W.change_send;
    var heading = document.querySelector("main h1");
    if (heading && W.changing_record) {
      var note = document.createElement("p");
      note.className = "govuk-body dipforms-changing";
      note.textContent = W.changing_record.replace("{id}", change.id);
      heading.after(note);
    }
    box.hidden = false;
  }

  /* Send the changed answers as a new version of the record; resolves when answered. */
  function sendChange(draft, map, reasons, onConfirm) {
    var change = draft.data.change, reasonBox = document.getElementById("reason");
    var reason = reasonBox ? reasonBox.value.trim() : "";
    if (!reason) {
      E.show([{ field: "/reason", message: W.change_reason_missing }], map, null, true);
      return Promise.resolve();
    }
    var s = S.session();
    if (!s) { location.assign(S.signInHref()); return Promise.resolve(); }
    var data = A.submission(map, draft.data.pages);
    if (reasons && Object.keys(reasons).length) data._confirmations = reasons;
    var record = map.start.replace(/index\.html$/, "record.html") + "?id=" + encodeURIComponent(change.id);
    return S.call("PUT", "/v1/records/" + encodeURIComponent(change.id),
                  { reason: reason, base_version: change.version, data: data },
                  { "Authorization": "Bearer " + s.token }).then(function (answer) {
      var body = answer.body || {};
      if (answer.status === 200 || answer.status === 201) {
        draft.discard();
        location.assign(record);
      } else if (answer.status === 401) {
        location.assign(S.signInHref());
      } else if (body.error === "version_conflict") {
        E.show([{ field: "", message: W.change_stale }], map, null, true);
      } else if (body.error === "confirmation_required" && onConfirm) {
        onConfirm(body.errors || []);
      } else if ((body.errors || []).length) {
        E.show(body.errors, map, null, true);
      } else {
        E.show([{ field: "", message: body.message || W.not_sent }], map, null, true);
      }
    }, function () { E.show([{ field: "", message: W.not_sent }], map, null, true); });
  }

  startPage();
  window.dipformsPrefill = { prepare: prepare, checkPage: checkPage, sendChange: sendChange,
                             pagesOf: pagesOf };
})();
