/* The pages' own script: sign in, keep each page's answers in this browser tab, move
 * between pages, send the form to the API and show its errors the GOV.UK way (summary and
 * inline). Reading answers and conditions is answers.js's job (window.dipformsAnswers).
 * The token and the answers live only in sessionStorage: never in a URL or localStorage.
 * Plain script, no dependencies. Without JavaScript the pages stay plain, printable forms. */
(function () {
  "use strict";

  var configNode = document.getElementById("dipforms-config");
  var A = window.dipformsAnswers;
  if (!configNode || !A || !window.sessionStorage || !window.fetch) return;
  var config = JSON.parse(configNode.textContent);
  var W = config.words;
  var FRONTEND = "/assets/govuk-frontend.min.js";
  var PREFIX = "dipforms:";
  var all = A.all;
  var busy = false;

  /* --- what this tab keeps ------------------------------------------------------------- */

  var store = {
    get: function (key) {
      try { return JSON.parse(sessionStorage.getItem(PREFIX + key)); } catch (e) { return null; }
    },
    set: function (key, value) { sessionStorage.setItem(PREFIX + key, JSON.stringify(value)); },
    remove: function (key) { sessionStorage.removeItem(PREFIX + key); },
    clear: function () {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf(PREFIX) === 0) sessionStorage.removeItem(key);
      });
    }
  };

  /* The signed-in session, unless it ends within a minute. */
  function session() {
    var s = store.get("session");
    return s && s.token && Date.parse(s.expires_at) > Date.now() + 60000 ? s : null;
  }

  function signInHref() {
    return config.signIn + "?next=" + encodeURIComponent(location.pathname + location.hash);
  }

  /* Where to go after signing in: a page of this site only, never another origin. */
  function nextAfterSignIn() {
    var next = new URLSearchParams(location.search).get("next");
    var url = next ? new URL(next, location.origin) : null;
    return url && url.origin === location.origin && url.pathname !== location.pathname
      ? url.pathname + url.hash : config.home;
  }

  function post(url, data, headers) {
    return fetch(url, {
      method: "POST", body: JSON.stringify(data),
      headers: Object.assign({ "Content-Type": "application/json" }, headers)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    });
  }

  /* --- errors, the GOV.UK way ---------------------------------------------------------------- */

  function segments(pointer) {
    return pointer.split("/").slice(1).map(function (s) { return s.replace(/~1/g, "/").replace(/~0/g, "~"); });
  }

  function pageOf(map, pointer) {
    var top = segments(pointer || "/")[0];
    return map ? map.pages.filter(function (page) {
      return page.fields.some(function (field) { return field.id === top; });
    })[0] || null : null;
  }

  /* Where the page script looks for a field: `/offences/0/offence_date` -> offences-0-offence_date */
  function elementId(pointer) { return segments(pointer).join("-"); }

  function focusTarget(el) {
    return /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) ? el
      : el.querySelector("input:not([type=hidden]), select, textarea");
  }

  function ordered(map, errors) {
    function rank(error) {
      var page = pageOf(map, error.field);
      if (!page) return [1e6, 0];
      var top = segments(error.field)[0];
      return [map.pages.indexOf(page), page.fields.map(function (f) { return f.id; }).indexOf(top)];
    }
    return errors.slice().sort(function (a, b) {
      var x = rank(a), y = rank(b);
      return x[0] - y[0] || x[1] - y[1];
    });
  }

  function describe(el, id) {
    var tokens = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    el.setAttribute("aria-describedby", tokens.concat(id).join(" "));
  }

  /* The inline error: the group's error class, the message after the label or legend and
   * hint, the control's error class, and aria-describedby pointing at the message. */
  function markField(el, message) {
    var group = el.closest(".govuk-form-group");
    if (!group) return;
    group.classList.add("govuk-form-group--error");
    var holder = group.querySelector(":scope > .govuk-fieldset") || group;
    var note = document.createElement("p"), prefix = document.createElement("span");
    note.id = el.id + "-error";
    note.className = "govuk-error-message";
    note.setAttribute("data-dipforms-error", "");
    prefix.className = "govuk-visually-hidden";
    prefix.textContent = W.error + ": ";
    note.append(prefix, message);
    var before = Array.prototype.filter.call(holder.children, function (child) {
      return !child.matches("legend, .govuk-label, .govuk-label-wrapper, .govuk-hint, .govuk-error-message");
    })[0];
    holder.insertBefore(note, before || null);
    var controls = el.classList.contains("govuk-date-input") ? all(el, "input")
      : /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) && !/radio|checkbox/.test(el.type) ? [el] : [];
    controls.forEach(function (c) {
      c.classList.add(c.tagName === "SELECT" ? "govuk-select--error"
        : c.tagName === "TEXTAREA" ? "govuk-textarea--error" : "govuk-input--error");
    });
    (holder.tagName === "FIELDSET" ? [holder] : controls.length ? controls : [el])
      .forEach(function (target) { describe(target, note.id); });
  }

  function clearErrors() {
    A.unmark(document);
    document.title = document.title.replace(new RegExp("^" + W.error + ": "), "");
  }

  function summary(items, autofocus) {
    var box = document.createElement("div"), alert = document.createElement("div");
    var title = document.createElement("h2"), body = document.createElement("div");
    var list = document.createElement("ul");
    box.className = "govuk-error-summary";
    box.setAttribute("data-module", "govuk-error-summary");
    box.setAttribute("data-dipforms-error", "");
    alert.setAttribute("role", "alert");
    title.className = "govuk-error-summary__title";
    title.textContent = W.problem;
    body.className = "govuk-error-summary__body";
    list.className = "govuk-list govuk-error-summary__list";
    items.forEach(function (item) {
      var li = document.createElement("li"), link = document.createElement(item.href ? "a" : "span");
      if (item.href) link.href = item.href;
      link.textContent = item.message;
      li.appendChild(link);
      list.appendChild(li);
    });
    body.appendChild(list);
    alert.append(title, body);
    box.appendChild(alert);
    var column = document.querySelector("main .govuk-grid-column-two-thirds") || document.querySelector("main");
    column.insertBefore(box, column.firstChild);
    box.tabIndex = -1;
    if (autofocus) box.focus();
    import(FRONTEND).then(function (m) { new m.ErrorSummary(box, { disableAutoFocus: true }); })
      .catch(function () {});
  }

  /* Errors [{field, message}] in the summary; beside the fields that are on this page, and
   * linked to the page holding the others (`map` says which page holds which field). */
  function showErrors(errors, map, pageId, autofocus) {
    clearErrors();
    var seen = {}, items = [];
    ordered(map, errors).forEach(function (error) {
      if (error.field && seen[error.field]) return;
      seen[error.field] = true;
      var message = error.message || W.check_answer, id = error.field ? elementId(error.field) : "";
      var page = pageOf(map, error.field);
      var el = id && (!page || page.id === pageId) ? document.getElementById(id) : null;
      var target = el && focusTarget(el);
      if (el) markField(el, message);
      items.push({ message: message, href: target ? "#" + target.id : page && id ? page.href + "#" + id : null });
    });
    if (!items.length) return;
    summary(items, autofocus);
    document.title = W.error + ": " + document.title;
  }

  /* --- the pages ----------------------------------------------------------------------------- */

  function accountLink() {
    var link = document.getElementById("dipforms-account");
    if (!link) return;
    if (session()) {
      link.textContent = W.sign_out;
      link.addEventListener("click", function () { store.clear(); });
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
      if (problems.length) return showErrors(problems, null, null, true);
      busy = true;
      post("/v1/session", { user: user, password: password }).then(function (answer) {
        if (answer.status === 200) {
          var b = answer.body;
          store.set("session", { token: b.token, expires_at: b.expires_at, user: b.user });
          location.assign(nextAfterSignIn());
          return;
        }
        form.elements.password.value = "";
        var message = { sign_in_failed: W.sign_in_failed, too_many_attempts: W.too_many_attempts }[answer.body.error];
        showErrors(answer.status === 400 && (answer.body.errors || []).length ? answer.body.errors
          : [{ field: "/user", message: message || answer.body.message || W.try_again }], null, null, true);
      }, function () {
        showErrors([{ field: "", message: W.try_again }], null, null, true);
      }).then(function () { busy = false; });
    });
  }

  function formPage(form) {
    var map = JSON.parse(document.getElementById("dipforms-pages").textContent);
    if (!session()) { location.replace(signInHref()); return; }
    var pageId = form.dataset.page, formId = map.form;
    var index = map.pages.map(function (page) { return page.id; }).indexOf(pageId);
    var answers = store.get("answers:" + formId) || {};
    var button = form.querySelector("button[type=submit]");

    function others() {
      var data = {};
      map.pages.forEach(function (page) {
        if (page.id !== pageId) Object.assign(data, (answers[page.id] || {}).data);
      });
      return data;
    }

    function save() {
      var data = A.reveal(form, others());
      answers[pageId] = { raw: A.rawOf(form), data: A.dataOf(form) };
      store.set("answers:" + formId, answers);
      var label = A.nextPage(map, index, data) ? W.continue_button : W.check_answers;
      // only when it changes: replacing the text mid-click (on blur) would cancel the click
      if (button && button.textContent.trim() !== label) button.textContent = label;
      return data;
    }

    function send() {
      var token = session(), key = store.get("key:" + formId) || newKey();
      if (!token) { location.assign(signInHref()); return; }
      store.set("key:" + formId, key);   // the same key on every retry: never two records
      busy = true;
      post("/v1/forms/" + encodeURIComponent(formId) + "/submissions", A.submission(map, answers),
           { "Authorization": "Bearer " + token.token, "Idempotency-Key": key }).then(function (answer) {
        var body = answer.body;
        if (answer.status === 201) {
          store.set("done:" + formId, { id: body.record.id, warnings: (body.warnings || [])
            .map(function (w) { return w.message; }).filter(Boolean) });
          ["answers:", "key:", "errors:"].forEach(function (k) { store.remove(k + formId); });
          location.assign(map.done);
          return;
        }
        if (answer.status === 401) { store.remove("session"); location.assign(signInHref()); return; }
        if (answer.status === 422 && body.error === "invalid") {
          store.set("errors:" + formId, body.errors);
          showErrors(body.errors, map, pageId, true);
        } else {
          if (body.error === "idempotency_key_reused") store.remove("key:" + formId);
          showErrors([{ field: "", message: body.error === "idempotency_key_reused" ? W.key_reused
            : body.message || W.not_sent }], map, pageId, true);
        }
      }, function () {
        showErrors([{ field: "", message: W.not_sent }], map, pageId, true);
      }).then(function () { busy = false; });
    }

    all(document, ".dipforms-kept").forEach(function (notice) { notice.hidden = false; });
    all(form, ".dipforms-repeat").forEach(function (repeat) {
      var add = repeat.querySelector(".dipforms-repeat__add");
      var max = Number(repeat.dataset.maxItems) || Infinity;
      if (all(repeat, ":scope > .dipforms-repeat__item").length >= max) add.style.display = "none";
      add.addEventListener("click", function () {
        var item = A.addItem(repeat);
        save();
        var first = item && focusTarget(item);
        if (first) first.focus();
      });
    });
    A.restore(form, (answers[pageId] || {}).raw || {});
    save();
    form.addEventListener("input", save);
    form.addEventListener("change", save);

    var errors = store.get("errors:" + formId);
    if (errors && errors.length) {
      showErrors(errors, map, pageId, !location.hash);
      var wanted = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      var target = wanted && focusTarget(wanted);
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
      var data = save(), next = A.nextPage(map, index, data), kept = store.get("errors:" + formId);
      if (kept && next) {
        // After a refused submission: on to the next page with an error, else to the last page.
        var left = ordered(map, kept.filter(function (e) { var p = pageOf(map, e.field); return p && p.id !== pageId; }));
        store.set("errors:" + formId, left);
        var pending = left.length && pageOf(map, left[0].field);
        var shown = map.pages.filter(function (page) { return A.holds(page.show_if, data); });
        next = pending && A.holds(pending.show_if, data) ? pending : shown[shown.length - 1];
      }
      if (next && next.id !== pageId) location.assign(next.href);
      else send();
    });
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function donePage(root) {
    var done = store.get("done:" + root.dataset.dipformsDone);
    if (!done) return;
    root.querySelector("#dipforms-reference").textContent = done.id;
    root.querySelector(".dipforms-done").hidden = false;
    root.querySelector(".dipforms-nothing").hidden = true;
    if (!done.warnings.length) return;
    var box = root.querySelector(".dipforms-warnings"), list = box.querySelector("ul");
    done.warnings.forEach(function (warning) {
      var li = document.createElement("li");
      li.textContent = warning;
      list.appendChild(li);
    });
    box.hidden = false;
  }

  accountLink();
  var page = document.querySelector("form.dipforms-page");
  var signIn = document.querySelector("form.dipforms-sign-in");
  var done = document.querySelector("[data-dipforms-done]");
  if (page) formPage(page);
  if (signIn) signInPage(signIn);
  if (done) donePage(done);
})();
