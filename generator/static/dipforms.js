/* The pages' own script: sign in, keep each form's answers as an encrypted draft on this
 * device (drafts.js), move between pages checking each one (checks.js), check the answers
 * before sending, send to the API or queue the form while offline, and show errors the
 * GOV.UK way (errors.js). The token and the draft key live only in sessionStorage, never in
 * a URL or localStorage; localStorage holds only ciphertext. Without JavaScript the pages
 * still post to the local server; this script makes them better, not possible.
 * Plain script, no dependencies. Sets data-dipforms-ready on <html> once a page is usable. */
(function () {
  "use strict";

  var configNode = document.getElementById("dipforms-config");
  var A = window.dipformsAnswers, D = window.dipformsDrafts, E = window.dipformsErrors;
  var S = window.dipformsSession, O = window.dipformsOutbox;
  if (!configNode || !A || !D || !E || !S || !O) return;
  var config = JSON.parse(configNode.textContent);
  var W = config.words;
  var all = A.all;
  var busy = false;

  var tab = S.tab, session = S.session, call = S.call, fill = S.fill, signInHref = S.signInHref;
  var nextAfterSignIn = S.nextAfterSignIn, ensureDraftKey = S.ensureDraftKey;
  var flushQueue = O.flush, showQueue = O.showQueue, newKey = O.newKey;
  var submitTo = O.submitTo, accepted = O.accepted;

  function ready() { document.documentElement.setAttribute("data-dipforms-ready", "true"); }

  function settings() {
    return fetch("/settings.json").then(function (r) { return r.json(); })
      .catch(function () { return {}; }).then(function (s) {
        return { hours: Number(s.draft_expiry_hours) > 0 ? Number(s.draft_expiry_hours) : 24 };
      });
  }

  /* The form's schema for the checks before sending; null when it cannot be had (the API
   * checks everything again anyway). */
  function schemaOf(formId, version) {
    if (!window.dipformsChecks || !formId || !version) return Promise.resolve(null);
    return fetch("/schemas/" + encodeURIComponent(formId) + "/" + encodeURIComponent(version) + ".schema.json")
      .then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  }

  function check(schema, data, fields) {
    if (!schema) return [];
    try {
      return window.dipformsChecks.check(schema, data, { today: A.today(), fields: fields, lang: config.lang });
    } catch (e) { return []; }
  }

  /* The warnings the answers raise (rules of severity warn): each needs a reason to send. */
  function warningsOf(schema, data) {
    if (!schema) return [];
    try {
      return window.dipformsChecks.validate(schema, data, { today: A.today(), lang: config.lang }).warnings;
    } catch (e) { return []; }
  }

  function pageMap() {
    var node = document.getElementById("dipforms-pages");
    return node ? JSON.parse(node.textContent) : null;
  }

  function emptyDraft() { return { pages: {}, key: null, continued: [] }; }

  /* --- the account link and signing in --------------------------------------------------- */

  function accountLink() {
    var link = document.getElementById("dipforms-account");
    if (!link) return;
    if (session()) {
      link.textContent = W.sign_out;
      link.addEventListener("click", function (event) {
        event.preventDefault();   // every tab signed out first (session.js), then on
        S.signOut().then(function () {
          if (config.auth === "cognito" && window.dipformsCognito) window.dipformsCognito.signOut();
          else location.assign(link.href);
        });
      });
    } else if (location.pathname !== config.signIn) {
      link.href = signInHref();
    }
  }

  function signInPage(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      var user = form.elements.user.value.trim(), password = form.elements.password.value;
      var problems = [];
      if (!user) problems.push({ field: "/user", message: W.enter_user });
      if (!password) problems.push({ field: "/password", message: W.enter_password });
      if (problems.length) return E.show(problems, null, null, true);
      busy = true;
      call("POST", "/v1/session", { user: user, password: password }).then(function (answer) {
        if (answer.status === 200) {
          var b = answer.body;
          tab.set("session", { token: b.token, expires_at: b.expires_at, user: b.user });
          return ensureDraftKey().then(function (held) {
            if (held) { location.assign(nextAfterSignIn()); return; }
            tab.clear();
            E.show([{ field: "", message: W.draft_key_failed }], null, null, true);
          });
        }
        form.elements.password.value = "";
        var message = { sign_in_failed: W.sign_in_failed, too_many_attempts: W.too_many_attempts }[answer.body.error];
        E.show(answer.status === 400 && (answer.body.errors || []).length ? answer.body.errors
          : [{ field: "/user", message: message || answer.body.message || W.try_again }], null, null, true);
      }, function () {
        E.show([{ field: "", message: W.try_again }], null, null, true);
      }).then(function () { busy = false; });
    });
  }

  /* --- a form: its question pages, the check page, the start page ------------------------- */

  /* What the question pages and the check page share: the draft, kept sealed as it changes. */
  function Draft(vault, formId, hours, saved) {
    this.vault = vault;
    this.formId = formId;
    this.hours = hours;
    this.data = saved || emptyDraft();
    this.timer = null;
  }

  Draft.prototype.write = function () {
    clearTimeout(this.timer);
    this.timer = null;
    return this.vault.saveDraft(this.formId, this.data, this.hours).catch(function () {});
  };

  Draft.prototype.soon = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.write(); }, 300);
  };

  Draft.prototype.discard = function () {
    clearTimeout(this.timer);
    this.vault.discardDraft(this.formId);
    tab.remove("errors:" + this.formId);
  };

  /* prefill.js (start and check pages) may start the draft afresh: from the case
   * (?case=), a stored record being changed (?change=) or the protocol. */
  function openDraft(vault, formId, hours) {
    var P = window.dipformsPrefill;
    return vault.loadDraft(formId).then(function (saved) {
      return P ? P.prepare(vault, formId, hours, saved, pageMap()) : saved;
    }).then(function (saved) { return new Draft(vault, formId, hours, saved); });
  }

  /* The pages asked now: a page `asked: later` only while a stored record is changed. */
  function asked(map, draft) {
    if (!draft.data.change) map.pages = map.pages.filter(function (page) { return !page.later; });
    return map;
  }

  function keptNotice(draft, home) {
    all(document, ".dipforms-kept").forEach(function (notice) {
      var text = notice.querySelector(".dipforms-kept__text");
      if (text) text.textContent = fill(W.answers_kept, { hours: draft.hours });
      notice.hidden = false;
      var discard = notice.querySelector(".dipforms-discard");
      if (discard) discard.addEventListener("click", function () {
        draft.discard();
        location.assign(home);
      });
    });
  }

  /* Send the whole form: to the API now, or into the queue when there is no connection.
   * `reasons` (rule id -> why) confirm the warnings; `onConfirm` gets the API's
   * 422 confirmation_required items (warnings still without a reason). */
  function send(draft, map, reasons, onConfirm) {
    var formId = map.form;
    if (!session()) { location.assign(signInHref()); return Promise.resolve(); }
    draft.data.key = draft.data.key || newKey();   // the same key on every retry: never two records
    var key = draft.data.key, data = A.submission(map, draft.data.pages);
    if (reasons && Object.keys(reasons).length) data._confirmations = reasons;
    busy = true;
    function queue() {
      return draft.vault.enqueue(key, { form: formId, submission: data, pages: draft.data.pages,
                                        href: map.check }).then(function () {
        draft.discard();
        tab.set("done:" + formId, { queued: key });
        location.assign(map.done);
      });
    }
    var sent = navigator.onLine === false ? queue() : draft.write().then(function () {
      return submitTo(formId, data, key);
    }).then(function (answer) {
      var body = answer.body;
      if (answer.status === 201) {
        accepted(formId, body);
        draft.discard();
        location.assign(map.done);
      } else if (answer.status === 401) {
        tab.remove("session");
        location.assign(signInHref());
      } else if (answer.status === 422 && body.error === "invalid") {
        tab.set("errors:" + formId, body.errors);
        E.show(body.errors, map, null, true);
      } else if (answer.status === 422 && body.error === "confirmation_required" && onConfirm) {
        onConfirm(body.errors || []);
      } else {
        if (body.error === "idempotency_key_reused") { draft.data.key = null; draft.write(); }
        E.show([{ field: "", message: body.error === "idempotency_key_reused" ? W.key_reused
          : body.message || W.not_sent }], map, null, true);
      }
    }, function () { return queue(); });   // no connection after all: keep it to send later
    return sent.then(function () { busy = false; }, function () {
      busy = false;
      E.show([{ field: "", message: W.not_sent }], map, null, true);
    });
  }

  function formPage(form, vault, hours, schemaLoad) {
    var map = pageMap();
    var pageId = form.dataset.page, formId = map.form;
    var index = map.pages.map(function (page) { return page.id; }).indexOf(pageId);
    var here = map.pages[index];
    var button = form.querySelector("button[type=submit]");
    return Promise.all([openDraft(vault, formId, hours), schemaLoad])
      .then(function (got) {
        var draft = got[0], schema = got[1];
        asked(map, draft);
        index = map.pages.map(function (page) { return page.id; }).indexOf(pageId);

        function others() {
          var data = {};
          map.pages.forEach(function (page) {
            if (page.id !== pageId) Object.assign(data, (draft.data.pages[page.id] || {}).data);
          });
          return data;
        }

        function save() {
          var data = A.reveal(form, others());
          draft.data.pages[pageId] = { raw: A.rawOf(form), data: A.dataOf(form) };
          draft.soon();
          var label = A.nextPage(map, index, data) ? W.continue_button : W.check_answers;
          // only when it changes: replacing the text mid-click (on blur) would cancel the click
          if (button && button.textContent.trim() !== label) button.textContent = label;
          return data;
        }

        keptNotice(draft, map.start);
        all(form, ".dipforms-repeat").forEach(function (repeat) {
          var add = repeat.querySelector(".dipforms-repeat__add");
          if (!add) return;   // a page the server drew (no JavaScript there): nothing to do
          var max = Number(repeat.dataset.maxItems) || Infinity;
          if (all(repeat, ":scope > .dipforms-repeat__item").length >= max) add.style.display = "none";
          add.addEventListener("click", function () {
            var item = A.addItem(repeat);
            save();
            var first = item && E.focusTarget(item);
            if (first) first.focus();
          });
        });
        A.restore(form, (draft.data.pages[pageId] || {}).raw || {});
        if (draft.data.fixed) {   // the case reference the form started from: not retyped
          all(form, '[name="' + draft.data.fixed + '"]').forEach(function (el) { el.readOnly = true; });
        }
        save();
        form.addEventListener("input", save);
        form.addEventListener("change", save);

        var kept = tab.get("errors:" + formId);
        if (kept && kept.length) {
          E.show(kept, map, pageId, !location.hash);
          var wanted = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
          var target = wanted && E.focusTarget(wanted);
          if (target) {
            target.focus();
            // A link to a date or a group names its container, which the browser focuses as the
            // page's viewport once it is ready: move to the first input again after that.
            window.addEventListener("load", function () {
              requestAnimationFrame(function () {
                setTimeout(function () { if (document.activeElement === document.body) target.focus(); });
              });
            });
          }
        }

        form.addEventListener("submit", function (event) {
          event.preventDefault();
          if (busy) return;
          var data = save(), next = A.nextPage(map, index, data);
          var fields = here.fields.map(function (f) { return f.id; });
          var found = check(schema, A.submission(map, draft.data.pages), fields);
          if (found.length) { E.show(found, map, pageId, true); return; }
          if (draft.data.continued.indexOf(pageId) < 0) draft.data.continued.push(pageId);
          var before = tab.get("errors:" + formId) || [];
          var left = before.filter(function (e) {
            var p = E.pageOf(map, e.field);
            return p && p.id !== pageId;
          });
          tab.set("errors:" + formId, left);
          // putting errors right: on to the next page with one, else back to the check page
          var pending = left.length && E.pageOf(map, left[0].field);
          var to = pending && A.holds(pending.show_if, data) ? pending.href
            : before.length || !next ? map.check : next.href;
          busy = true;
          draft.write().then(function () { location.assign(to); });
        });
      });
  }

  /* "Check your answers": every answer in a summary list per section with Change links,
   * checked again as a whole, and the Send button. */
  function checkPage(form, vault, hours, schemaLoad) {
    var map = pageMap(), formId = map.form;
    return Promise.all([openDraft(vault, formId, hours), schemaLoad])
      .then(function (got) {
        var draft = got[0], schema = got[1];
        asked(map, draft);
        var data = A.submission(map, draft.data.pages);
        var confirm = document.getElementById("dipforms-confirm"), warned = [];
        var questions = JSON.parse(document.getElementById("dipforms-questions").textContent);
        var S = window.dipformsSummary;
        all(document, ".dipforms-needs-js").forEach(function (note) { note.hidden = true; });
        var shown = S ? S.render(document.getElementById("dipforms-summary"), questions, data,
                                 { changeHref: S.pageHref }) : 0;
        keptNotice(draft, map.start);
        if (!shown) { location.replace(map.start); return; }
        form.hidden = false;
        // warnings: a box for each one's reason, kept in the draft as it is typed
        function showWarnings(extra) {
          if (confirm) warned = E.warnings(confirm, warningsOf(schema, data).concat(extra || []), draft.data.reasons);
        }
        function missingReasons() {
          var reasons = confirm ? E.reasons(confirm) : {};
          return warned.filter(function (code) { return !reasons[code]; }).map(function (code) {
            return { field: "/_confirmations/" + code, message: W.confirm_missing };
          });
        }
        showWarnings();
        if (window.dipformsPrefill) window.dipformsPrefill.checkPage(draft, map);
        if (confirm) confirm.addEventListener("input", function () {
          draft.data.reasons = E.reasons(confirm);
          draft.soon();
        });
        var found = check(schema, data);
        if (found.length) tab.set("errors:" + formId, found);   // shown again on their pages
        else found = tab.get("errors:" + formId) || [];
        if (found.length) E.show(found, map, null, true);
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          if (busy) return;
          var problems = check(schema, A.submission(map, draft.data.pages));
          if (problems.length) {
            tab.set("errors:" + formId, problems);
            E.show(problems, map, null, true);
            return;
          }
          var missing = missingReasons();
          if (missing.length) { E.show(missing, map, null, true); return; }
          var reasons = {}, typed = confirm ? E.reasons(confirm) : {};
          warned.forEach(function (code) { reasons[code] = typed[code]; });
          function onConfirm(items) {   // the API saw warnings we did not
            showWarnings(items);
            E.announceWarnings(confirm);   // warnings, not errors, until sent without a reason
          }
          if (draft.data.change && window.dipformsPrefill) {   // a new version of a record
            busy = true;
            window.dipformsPrefill.sendChange(draft, map, reasons, onConfirm)
              .then(function () { busy = false; });
            return;
          }
          send(draft, map, reasons, onConfirm);
        });
      });
  }

  /* The start page's task list: what this user's draft has done so far. */
  function startPage(list, vault, hours) {
    var map = pageMap();
    return openDraft(vault, map.form, hours).then(function (draft) {
      asked(map, draft);
      var answered = draft.data.pages, data = A.submission(map, answered);
      map.pages.forEach(function (page) {
        var link = list.querySelector('a[href="' + page.href + '"]');
        var item = link && link.closest(".govuk-task-list__item");
        var status = item && item.querySelector(".govuk-task-list__status");
        if (!status) return;
        var done = draft.data.continued.indexOf(page.id) >= 0;
        var needed = A.holds(page.show_if, data);
        var word = !needed && Object.keys(answered).length ? W.status_not_needed
          : done ? W.status_completed : answered[page.id] ? W.status_in_progress : null;
        if (!word) return;
        status.textContent = "";
        if (word === W.status_in_progress) {
          var tag = document.createElement("strong");
          tag.className = "govuk-tag govuk-tag--light-blue";
          tag.textContent = word;
          status.appendChild(tag);
        } else {
          status.textContent = word;
        }
      });
    });
  }

  function donePage(root) {
    var done = tab.get("done:" + root.dataset.dipformsDone);
    if (!done) return;
    if (done.queued) {
      var note = root.querySelector(".dipforms-queued");
      if (note) note.hidden = false;
      root.querySelector(".dipforms-nothing").hidden = true;
      return;
    }
    root.querySelector("#dipforms-reference").textContent = done.id;
    root.querySelector(".dipforms-done").hidden = false;
    root.querySelector(".dipforms-nothing").hidden = true;
    var queued = root.querySelector(".dipforms-queued");
    if (queued) queued.hidden = true;
    var caseLink = root.querySelector(".dipforms-done__case");
    if (caseLink && done.case) {   // the case the record opened or joined: its own page
      var link = caseLink.querySelector("a");
      link.href = link.pathname + "?ref=" + encodeURIComponent(done.case);
      caseLink.hidden = false;
    }
    if (!done.warnings.length) return;
    var box = root.querySelector(".dipforms-warnings"), list = box.querySelector("ul");
    done.warnings.forEach(function (warning) {
      var li = document.createElement("li");
      li.textContent = warning;
      list.appendChild(li);
    });
    box.hidden = false;
  }

  /* --- each page --------------------------------------------------------------------------- */

  function start() {
    accountLink();
    D.sweep();
    var signIn = document.querySelector("form.dipforms-sign-in");
    if (signIn) signInPage(signIn);
    var form = document.querySelector("form.dipforms-page");
    var checkRoot = document.querySelector("form.dipforms-check");
    var tasks = document.querySelector(".govuk-task-list");
    var done = document.querySelector("[data-dipforms-done]");
    var needsDraft = form || checkRoot;
    if (form && /[?&](case|change)=/.test(location.search) && pageMap()) {
      location.replace(pageMap().start + location.search);   // prefill.js starts it there
      return;
    }
    if (needsDraft && !session()) { location.replace(signInHref()); return; }
    // the schema comes while the key and the settings do: one round trip, not two
    var schemaLoad = needsDraft ? schemaOf(needsDraft.dataset.form, needsDraft.dataset.version)
      .then(function (schema) {   // the titles of the documents its rules cite, for errors
        if (schema && schema["x-dipforms"]) E.setDocuments(schema["x-dipforms"].documents);
        return schema;
      }) : null;
    Promise.all([ensureDraftKey(), settings()]).then(function (got) {
      var hours = got[1].hours;
      return D.current().then(function (vault) {
        if (done) donePage(done);
        if (needsDraft && !vault) {
          E.show([{ field: "", message: W.draft_key_failed }], null, null, true);
          return;
        }
        var work = vault && form ? formPage(form, vault, hours, schemaLoad)
          : vault && checkRoot ? checkPage(checkRoot, vault, hours, schemaLoad)
          : vault && tasks && pageMap() ? startPage(tasks, vault, hours) : null;
        showQueue(vault);
        function sendWaiting() {
          return flushQueue(vault, hours).then(function () { if (done) donePage(done); });
        }
        window.addEventListener("online", sendWaiting);
        return Promise.resolve(work).catch(function () {}).then(function () {
          ready();
          return sendWaiting();
        });
      });
    }).catch(function () {}).then(ready);
  }

  // after every deferred script (summary.js, checks.js) has run
  if (document.readyState === "loading" || document.readyState === "interactive") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
