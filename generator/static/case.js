/* One case for staff (cases/case.html?ref=<case reference>): GET /v1/cases/{ref} with the
 * token this tab holds (session.js), shown as where the case is (its state and facts), the
 * steps the reader's role may take (a button each, posting {transition, base_version}, then
 * the case is read again), the records attached and the timeline, newest first. A refused
 * step shows the GOV.UK error summary with the API's message, rule and source and what can
 * happen instead. Also checks the reference on "Find a case" (cases/index.html) before it
 * goes. Text is only ever set with textContent; the token is never in an address. Dates are
 * in words, times in Europe/London (summary.js).
 * Plain script, no dependencies beyond session.js and summary.js. */
(function () {
  "use strict";

  var wordsNode = document.getElementById("dipforms-case-words");
  if (!wordsNode) return;
  var W = JSON.parse(wordsNode.textContent);
  var REF = /^[A-Za-z0-9-]{3,64}$/;

  function el(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values[name] === undefined ? whole : values[name];
    });
  }

  /* --- Find a case: a GOV.UK error when the reference is missing or malformed ------------ */

  var finder = document.querySelector("[data-dipforms-find-case]");
  if (finder) {
    var title = document.title;
    finder.addEventListener("submit", function (event) {
      var input = finder.querySelector("#ref"), value = input.value.trim().toUpperCase();
      var problem = !value ? W.enter_ref : REF.test(value) ? null : W.ref_format;
      var summary = document.querySelector(".dipforms-find-case__summary");
      var group = input.closest(".govuk-form-group"), old = group.querySelector(".govuk-error-message");
      if (old) old.remove();
      input.value = value;
      if (!problem) return;
      event.preventDefault();
      var message = el("p", "govuk-error-message");
      message.id = "ref-error";
      message.appendChild(el("span", "govuk-visually-hidden", W.error + ": "));
      message.appendChild(document.createTextNode(problem));
      group.insertBefore(message, input);
      group.classList.add("govuk-form-group--error");
      input.classList.add("govuk-input--error");
      input.setAttribute("aria-describedby", "ref-hint ref-error");
      summary.querySelector("a").textContent = problem;
      summary.hidden = false;
      summary.focus();
      document.title = W.error + ": " + title;
    });
    var link = document.querySelector(".dipforms-find-case__summary a");
    if (link) link.addEventListener("click", function (event) {
      event.preventDefault();
      finder.querySelector("#ref").focus();
    });
  }

  /* --- One case ---------------------------------------------------------------------------- */

  var root = document.querySelector("[data-dipforms-case]");
  var session = window.dipformsSession, S = window.dipformsSummary;
  if (!root || !session || !S || !window.fetch) return;
  var P = JSON.parse(document.getElementById("dipforms-case-process").textContent);
  var baseTitle = document.title;
  var ref = (new URLSearchParams(location.search).get("ref") || "").trim();
  var current = null, busy = false;

  function find(selector) { return root.querySelector(selector); }
  function has(map, key) { return map && Object.prototype.hasOwnProperty.call(map, key); }
  function stateLabel(id) { return has(P.states, id) ? P.states[id] : id; }
  function formTitle(id) { return has(P.forms, id) ? P.forms[id].title : id; }
  function instant(iso) { return S.formatInstant(iso, W); }
  function words(id) { return String(id || "").replace(/_/g, " ").replace(/^./, function (c) { return c.toUpperCase(); }); }
  function agencies(list) { return [].concat(list || []).filter(Boolean).join(", ") || W.nobody; }

  function show(problem) {
    find(".dipforms-case__loading").hidden = true;
    find(".dipforms-case__body").hidden = true;
    var block = find('[data-problem="' + problem + '"]');
    block.hidden = false;
    document.title = block.querySelector("h1").textContent + " - " + baseTitle;
    root.setAttribute("data-state", problem);
  }

  function signInProblem() {
    find(".dipforms-case__sign-in").href = session.signInHref();   // back here, by reference
    show("sign-in");
  }

  /* A document cited as "file section", by its title when the page knows it (as errors.js). */
  function cite(source) {
    return [].concat(source || []).map(function (text) {
      var gap = text.indexOf(" "), file = gap < 0 ? text : text.slice(0, gap);
      return has(P.documents, file) ? P.documents[file] + (gap < 0 ? "" : ", " + text.slice(gap + 1)) : text;
    }).join("; ");
  }

  function factValue(fact, value) {
    if (fact.type === "date") return S.formatDate(value, W);
    if (fact.type === "datetime") return S.formatDateTime(value, W);
    if (fact.type === "boolean") return value === true ? W.yes : value === false ? W.no : String(value);
    if (fact.type === "code" && has(fact.choices, String(value))) return fact.choices[String(value)];
    return String(value);
  }

  function row(list, key, value) {
    var div = el("div", "govuk-summary-list__row");
    div.appendChild(el("dt", "govuk-summary-list__key", key));
    var dd = el("dd", "govuk-summary-list__value");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value;
    div.appendChild(dd);
    list.appendChild(div);
  }

  /* --- where the case is ------------------------------------------------------------------ */

  function summary(c) {
    var list = find(".dipforms-case__summary");
    list.textContent = "";
    row(list, W.reference, c.ref);
    var state = el("span", null, c.state_label || stateLabel(c.state));
    if (c.closed) {
      var tag = el("strong", "govuk-tag govuk-tag--grey govuk-!-margin-left-2", W.closed);
      state = el("span");
      state.appendChild(el("span", null, c.state_label || stateLabel(c.state)));
      state.appendChild(tag);
    }
    row(list, W.state, state);
    (P.facts || []).forEach(function (fact) {
      var value = c.facts ? c.facts[fact.id] : undefined;
      if (value === undefined || value === null || value === "") return;
      row(list, fact.label, factValue(fact, value));
    });
    row(list, W.opened_at, instant(c.opened_at));
    row(list, W.updated_at, instant(c.updated_at));
  }

  /* --- what can happen next: a button per step this role may take --------------------------- */

  function steps(c) {
    var next = find(".dipforms-case__next");
    next.textContent = "";
    if (c.closed || !c.next_steps.length) {
      next.appendChild(el("p", "govuk-body", c.closed ? W.closed_case : W.no_steps));
      return;
    }
    next.appendChild(el("p", "govuk-body", W.next_lead));
    var list = el("ul", "govuk-list dipforms-case__steps");
    c.next_steps.forEach(function (step) {
      var button = el("button", "govuk-button govuk-button--secondary govuk-!-margin-bottom-2",
                      step.label || fill(W.step, { label: step.to_label || stateLabel(step.to) }));
      button.type = "button";
      button.id = "step-" + step.transition;
      button.setAttribute("data-transition", step.transition);
      button.addEventListener("click", function () { take(step, button); });
      var item = el("li");
      item.appendChild(button);
      list.appendChild(item);
    });
    next.appendChild(list);
  }

  function take(step, button) {
    if (busy || !current) return;
    var signedIn = session.session();
    if (!signedIn) { signInProblem(); return; }
    busy = true;
    button.setAttribute("aria-disabled", "true");
    clearMessages();
    session.call("POST", "/v1/cases/" + encodeURIComponent(current.ref) + "/transitions",
                 { transition: step.transition, base_version: current.version },
                 session.bearer(signedIn))
      .then(function (answer) {
        var body = answer.body || {}, item = (body.errors || [])[0] || {};
        if (answer.status === 200 && body.case) {
          return load().then(function () {
            moved(body.case.state_label || stateLabel(body.case.state));
          });
        }
        if (answer.status === 401) { session.tab.remove("session"); signInProblem(); return null; }
        if (answer.status === 404) { show("not-found"); return null; }
        if (body.error === "version_conflict") {
          return load().then(function () { problem({ message: W.conflict }); });
        }
        if (answer.status === 409 || answer.status === 403 || answer.status === 400) {
          problem({ message: item.message || W.step_failed, rule: item.rule, source: item.source,
                    allowed: item.allowed || [] });
          return null;
        }
        problem({ message: W.step_failed });
        return null;
      }, function () { problem({ message: W.step_failed }); })
      .then(function () {
        busy = false;
        button.removeAttribute("aria-disabled");
      });
  }

  function clearMessages() {
    find(".dipforms-case__problem-summary").hidden = true;
    find(".dipforms-case__moved").hidden = true;
    document.title = document.title.replace(new RegExp("^" + W.error + ": "), "");
  }

  function moved(label) {
    var banner = find(".dipforms-case__moved");
    banner.querySelector(".govuk-notification-banner__heading").textContent = fill(W.moved, { label: label });
    banner.hidden = false;
    banner.focus();
  }

  /* The error summary: the API's message, the rule and its source, and the steps the case
   * may take instead (a link to the button when this role has it). */
  function problem(p) {
    var box = find(".dipforms-case__problem-summary");
    find(".dipforms-case__refusal").textContent = p.message;
    find(".dipforms-case__rule").hidden = !p.rule;
    find(".dipforms-case__rule-id").textContent = p.rule || "";
    find(".dipforms-case__source").hidden = !(p.source && p.source.length);
    find(".dipforms-case__source-text").textContent = cite(p.source);
    var allowed = find(".dipforms-case__allowed"), list = allowed.querySelector("ul");
    list.textContent = "";
    allowed.hidden = !p.allowed;
    (p.allowed || []).forEach(function (step) {
      var label = step.to_label || stateLabel(step.to);
      var button = document.getElementById("step-" + step.transition);
      var item = el("li");
      if (button) {
        var link = el("a", null, step.label || fill(W.step, { label: label }));
        link.href = "#" + button.id;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          button.focus();
        });
        item.appendChild(link);
      } else {
        var roles = (step.roles || []).map(function (r) { return has(W.roles, r) ? W.roles[r] : r; });
        item.textContent = fill(W.step_elsewhere, { label: label, roles: roles.join(W.or) });
      }
      list.appendChild(item);
    });
    if (p.allowed && !p.allowed.length) list.appendChild(el("li", null, W.none_allowed));
    box.hidden = false;
    box.focus();
    if (document.title.indexOf(W.error + ": ") !== 0) document.title = W.error + ": " + document.title;
  }

  /* --- records ---------------------------------------------------------------------------- */

  function recordCard(record) {
    var form = has(P.forms, record.form) ? P.forms[record.form] : null;
    var card = el("div", "govuk-summary-card");
    var head = el("div", "govuk-summary-card__title-wrapper");
    head.appendChild(el("h3", "govuk-summary-card__title", formTitle(record.form)));
    if (form) {
      var actions = el("ul", "govuk-summary-card__actions");
      var action = el("li", "govuk-summary-card__action");
      var link = el("a", "govuk-link dipforms-touch", W.view_record);
      link.href = form.record + "?id=" + encodeURIComponent(record.id);
      link.appendChild(el("span", "govuk-visually-hidden", fill(W.view_record_hidden, { ref: record.id })));
      action.appendChild(link);
      actions.appendChild(action);
      head.appendChild(actions);
    }
    card.appendChild(head);
    var content = el("div", "govuk-summary-card__content");
    var facts = el("dl", "govuk-summary-list");
    row(facts, W.reference, record.id);
    row(facts, W.made_by, record.agency);
    row(facts, W.saved_at, instant(record.created_at));
    row(facts, W.version, String(record.version));
    content.appendChild(facts);
    content.appendChild(answers(record, form));
    card.appendChild(content);
    return card;
  }

  /* What the API returned of the record's answers, question by question (summary.js), and
   * any answer the page has no question for, by its field id. */
  function answers(record, form) {
    var data = record.data || {};
    var keys = Object.keys(data).filter(function (k) { return k.charAt(0) !== "_"; });
    if (!keys.length) return el("p", "govuk-body", W.no_answers);
    var details = el("details", "govuk-details govuk-!-margin-bottom-0");
    var summaryNode = el("summary", "govuk-details__summary");
    summaryNode.appendChild(el("span", "govuk-details__summary-text", W.answers));
    details.appendChild(summaryNode);
    var text = el("div", "govuk-details__text");
    var fields = form && form.fields ? form.fields : [];
    var known = {};
    fields.forEach(function (q) { known[q.id] = true; });
    S.render(text, fields, data, { words: P.words });
    var others = keys.filter(function (k) { return !known[k]; }).map(function (k) {
      var v = data[k];
      return [k, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)];
    });
    if (others.length) text.appendChild(S.list(others));
    details.appendChild(text);
    return details;
  }

  function records(list) {
    var box = find(".dipforms-case__records");
    box.textContent = "";
    if (!list.length) { box.appendChild(el("p", "govuk-body", W.no_records)); return; }
    list.forEach(function (record) { box.appendChild(recordCard(record)); });
  }

  /* --- the timeline ------------------------------------------------------------------------- */

  /* A record named in words: its form's title, then its reference as a link to it. */
  function recordText(parent, template, entry, values) {
    var form = has(P.forms, entry.form) ? P.forms[entry.form] : null;
    var parts = template.split(/(\{ref\})/);
    parts.forEach(function (part) {
      if (part === "{ref}") {
        if (form) {
          var link = el("a", "govuk-link", entry.ref);
          link.href = form.record + "?id=" + encodeURIComponent(entry.ref);
          parent.appendChild(link);
        } else {
          parent.appendChild(document.createTextNode(entry.ref));
        }
      } else {
        parent.appendChild(document.createTextNode(fill(part, values)));
      }
    });
  }

  function describe(entry, text) {
    var kind = entry.kind;
    if (kind === "opened") {
      recordText(text, W.opened_text, entry, { form: formTitle(entry.form), state: stateLabel(entry.state) });
      return W.opened;
    }
    if (kind === "form") {
      recordText(text, W.form_text, entry, { form: formTitle(entry.form), version: entry.version });
      return entry.version > 1 ? W.form_amended : W.form_added;
    }
    if (kind === "transition") {
      text.textContent = fill(W.transition_text, { from: stateLabel(entry.from), to: stateLabel(entry.to) });
      return W.transition;
    }
    if (kind === "notification") {
      text.textContent = fill(W.notification_text, { to: agencies(entry.to) });
      return fill(W.notification, { event: entry.event });
    }
    if (kind === "reminder") {
      text.textContent = fill(W.reminder_text, { reason: words(entry.ref), due: S.formatDate(entry.due_on, W),
                                                 to: agencies(entry.to) });
      return fill(W.reminder, { event: entry.event });
    }
    if (kind === "fact") {
      var fact = (P.facts || []).filter(function (f) { return f.id === (entry.fact || entry.ref); })[0];
      text.textContent = fact ? fact.label : words(entry.fact || entry.ref);
      return W.fact;
    }
    if (kind === "appointment") {
      text.textContent = fill(W.appointment_text, { starts: S.formatDateTime(entry.starts_at, W),
                                                    ends: S.formatDateTime(entry.ends_at, W) });
      if (entry.clashes_with && entry.clashes_with.length) {
        text.textContent += " " + fill(W.clash_text, { agencies: agencies(entry.clashes_with) });
      }
      return W.appointment;
    }
    if (kind === "disclosure") {
      text.textContent = fill(W.disclosure_text, {
        to: agencies(entry.to), ground: entry.ground + (entry.rule ? " (" + entry.rule + ")" : ""),
        items: [].concat(entry.items || []).join(", ") });
      return W.disclosure;
    }
    if (kind === "handover") {
      text.textContent = fill(W.handover_text, { to: agencies(entry.to) })
        + (entry.reason ? " " + entry.reason : "");
      return W.handover;
    }
    text.textContent = entry.ref || "";
    return words(kind);
  }

  function timeline(entries) {
    var list = find(".dipforms-case__timeline");
    list.textContent = "";
    if (!entries.length) { list.appendChild(el("li", "govuk-body", W.no_timeline)); return; }
    entries.slice().reverse().forEach(function (entry) {
      var item = el("li", "dipforms-case__event govuk-!-margin-bottom-4");
      item.setAttribute("data-kind", entry.kind);
      var text = el("p", "govuk-body govuk-!-margin-bottom-1");
      var heading = el("h3", "govuk-heading-s govuk-!-margin-bottom-1", describe(entry, text));
      var meta = el("p", "govuk-body-s govuk-!-margin-bottom-0 dipforms-case__when");
      var time = el("time", null, instant(entry.at));
      time.setAttribute("datetime", entry.at);
      meta.appendChild(time);
      meta.appendChild(document.createTextNode(", " + (entry.agency === "system" ? W.by_system
        : fill(W.by, { agency: entry.agency }))));
      item.appendChild(heading);
      item.appendChild(text);
      item.appendChild(meta);
      list.appendChild(item);
    });
  }

  /* --- reading the case ------------------------------------------------------------------------ */

  function render(view) {
    current = view.case;
    find(".dipforms-case__title").textContent = fill(W.case_title, { ref: current.ref });
    summary(current);
    steps(current);
    records(view.records || []);
    timeline(view.timeline || []);
    find(".dipforms-case__loading").hidden = true;
    find(".dipforms-case__body").hidden = false;
    var error = document.title.indexOf(W.error + ": ") === 0 ? W.error + ": " : "";
    document.title = error + fill(W.case_title, { ref: current.ref }) + " - " + baseTitle;
    root.setAttribute("data-state", "ready");
    root.setAttribute("data-version", String(current.version));
  }

  /* GET the case and show it; resolves once it is on the page (or a problem is). */
  function load() {
    var signedIn = session.session();
    if (!signedIn) { signInProblem(); return Promise.resolve(); }
    return fetch("/v1/cases/" + encodeURIComponent(ref),
                 { headers: session.bearer(signedIn), cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.status === 200 && body.case) {
            render(body);
          } else {
            session.readFailed(response.status, show, signInProblem);
          }
        });
      })
      .catch(function () { show("failed"); });
  }

  find(".dipforms-needs-js").hidden = true;
  if (!ref) { show("no-ref"); return; }
  if (!session.session()) { signInProblem(); return; }
  find(".dipforms-case__loading").hidden = false;
  load();
})();
