/* One case for staff (cases/case.html?ref=<case reference>): GET /v1/cases/{ref} with the
 * token this tab holds (session.js), shown as who it is about (as far as the reader may
 * see), where the case is (its state and facts), what is due next, the steps the reader's
 * role may take (a step made by a form is a link to that form with ?case=; a routine step a
 * button posting {transition, base_version}, then the case is read again; a step that asks
 * something or ends the case a link to cases/step.html to confirm it), links to the action
 * pages the role may use, the records attached and the timeline in words (agencies by
 * name), newest first. What an action page did is shown in the success banner. A refused
 * step shows the GOV.UK error summary with the API's message, rule and source and what can
 * happen instead. Text is only ever set with textContent; the token is never in an
 * address. Dates are in words, times in Europe/London (summary.js).
 * Plain script, no dependencies beyond session.js and summary.js. */
(function () {
  "use strict";

  var wordsNode = document.getElementById("dipforms-case-words");
  if (!wordsNode) return;
  var W = JSON.parse(wordsNode.textContent);

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

  /* --- One case ---------------------------------------------------------------------------- */

  var root = document.querySelector("[data-dipforms-case]");
  var session = window.dipformsSession, S = window.dipformsSummary;
  if (!root || !session || !S || !window.fetch) return;
  var P = JSON.parse(document.getElementById("dipforms-case-process").textContent);
  var baseTitle = document.title;
  var ref = (new URLSearchParams(location.search).get("ref") || "").trim();
  var current = null, busy = false, names = {};
  var DONE_KEY = "dipforms:case-done";

  function find(selector) { return root.querySelector(selector); }
  function has(map, key) { return map && Object.prototype.hasOwnProperty.call(map, key); }
  function stateLabel(id, given) { return has(P.states, id) ? P.states[id] : given || id; }
  /* A step's words: the page's (in its language) by the step's id, else the API's. */
  function stepLabel(step) { return has(P.transitions, step.transition) ? P.transitions[step.transition] : step.label; }
  function deadlineLabel(id, given) { return has(P.deadlines, id) ? P.deadlines[id] : given; }
  function formTitle(id) { return has(P.forms, id) ? P.forms[id].title : id; }
  /* A link to a form's pages: a form with no pages in this page's language is linked to
   * in English (`lang` of its entry), and says so. */
  function toForm(link, id) {
    if (has(P.forms, id) && P.forms[id].lang) link.setAttribute("hreflang", P.forms[id].lang);
    return link;
  }
  function instant(iso) { return S.formatInstant(iso, W); }
  function words(id) { return String(id || "").replace(/_/g, " ").replace(/^./, function (c) { return c.toUpperCase(); }); }
  function agencyName(id) { return has(names, id) ? names[id] : words(id); }
  function agencies(list) { return [].concat(list || []).filter(Boolean).map(agencyName).join(", ") || W.nobody; }
  function role() { var s = session.session(); return s && s.user ? s.user.role : null; }

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

  /* --- who it is about, and what is due ------------------------------------------------------ */

  function person(p) {
    var box = find(".dipforms-case__person");
    box.textContent = "";
    var keys = ["name", "date_of_birth", "pnc_id", "custody_record_no"].filter(function (k) {
      return p && p[k];
    });
    if (!keys.length) { box.appendChild(el("p", "govuk-body", W.person_none)); return; }
    var list = el("dl", "govuk-summary-list dipforms-case__who");
    keys.forEach(function (k) {
      row(list, W.people[k], k === "date_of_birth" ? S.formatDate(p[k], W) : p[k]);
    });
    box.appendChild(list);
  }

  function deadlines(list) {
    var box = find(".dipforms-case__due");
    box.textContent = "";
    if (!list || !list.length) { box.appendChild(el("p", "govuk-body", W.nothing_due)); return; }
    var dl = el("dl", "govuk-summary-list dipforms-case__deadlines");
    list.forEach(function (d) {
      var value = el("span", null, S.formatDate(d.due, W));
      if (d.overdue) {
        value.appendChild(document.createTextNode(" "));
        value.appendChild(el("strong", "govuk-tag govuk-tag--red", W.overdue));
      }
      row(dl, deadlineLabel(d.id, d.label), value);
      dl.lastChild.setAttribute("data-deadline", d.id);
    });
    box.appendChild(dl);
  }

  /* --- where the case is ------------------------------------------------------------------ */

  function summary(c) {
    var list = find(".dipforms-case__summary");
    list.textContent = "";
    row(list, W.reference, c.ref);
    var state = el("span", null, stateLabel(c.state, c.state_label));
    if (c.closed) {
      var tag = el("strong", "govuk-tag govuk-tag--grey govuk-!-margin-left-2", W.closed);
      state = el("span");
      state.appendChild(el("span", null, stateLabel(c.state, c.state_label)));
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

  /* --- what can happen next: a form, a button or a page per step this role may take ------------ */

  function stepHref(step) {
    return P.actions.step + "?ref=" + encodeURIComponent(current.ref)
      + "&transition=" + encodeURIComponent(step.transition);
  }

  function formHref(step) {
    if (step.form === P.opened_by && has(P.forms, step.form) && P.forms[step.form].change) {
      // the record that opened the case has the case's reference: a step it makes later
      // (MG14 section L) is a change of it, through its check answers
      return P.forms[step.form].change + "?change=" + encodeURIComponent(current.ref);
    }
    var start = has(P.forms, step.form) ? P.forms[step.form].start : "/forms/" + step.form + "/index.html";
    return start + "?case=" + encodeURIComponent(current.ref);
  }

  function stepItem(step) {
    var item = el("li"), label = stepLabel(step) || fill(W.step, { label: stateLabel(step.to, step.to_label) });
    if (step.kind === "form") {
      var link = el("a", "govuk-link dipforms-case__form-step",
                    fill(W.record_form, { form: has(P.forms, step.form) ? formTitle(step.form) : step.form_title || step.form }));
      toForm(link, step.form).href = formHref(step);
      link.setAttribute("data-transition", step.transition);
      link.id = "step-" + step.transition;
      item.appendChild(link);
      return item;
    }
    if (step.ends || (step.asks && step.asks.length)) {
      var page = el("a", "govuk-button govuk-button--secondary govuk-!-margin-bottom-2", label);
      page.href = stepHref(step);
      page.setAttribute("role", "button");
      page.setAttribute("draggable", "false");
      page.setAttribute("data-module", "govuk-button");
      page.setAttribute("data-transition", step.transition);
      if (step.ends) page.setAttribute("data-ends", "");
      page.id = "step-" + step.transition;
      page.addEventListener("keydown", function (event) {   // a link that looks like a button
        if (event.key === " ") { event.preventDefault(); page.click(); }
      });
      item.appendChild(page);
      return item;
    }
    var button = el("button", "govuk-button govuk-button--secondary govuk-!-margin-bottom-2", label);
    button.type = "button";
    button.id = "step-" + step.transition;
    button.setAttribute("data-transition", step.transition);
    button.addEventListener("click", function () { take(step, button); });
    item.appendChild(button);
    return item;
  }

  function steps(c) {
    var next = find(".dipforms-case__next");
    next.textContent = "";
    if (c.closed || !c.next_steps.length) {
      next.appendChild(el("p", "govuk-body", c.closed ? W.closed_case : W.no_steps));
      otherRecords(c, next);
      return;
    }
    var forms = c.next_steps.filter(function (s) { return s.kind === "form"; });
    var buttons = c.next_steps.filter(function (s) { return s.kind !== "form"; });
    if (forms.length) {
      next.appendChild(el("p", "govuk-body", W.form_steps_lead));
      var links = el("ul", "govuk-list dipforms-link-list dipforms-case__steps dipforms-case__form-steps");
      forms.forEach(function (step) { links.appendChild(stepItem(step)); });
      next.appendChild(links);
    }
    if (buttons.length) {
      next.appendChild(el("p", "govuk-body", forms.length ? W.button_steps_lead : W.next_lead));
      if (buttons.some(function (s) { return s.ends || (s.asks && s.asks.length); })) {
        next.appendChild(el("p", "govuk-body", W.next_lead_confirm));
      }
      var list = el("ul", "govuk-list dipforms-case__steps");
      buttons.forEach(function (step) { list.appendChild(stepItem(step)); });
      next.appendChild(list);
    }
    otherRecords(c, next);
  }

  /* The forms that attach to this case which the reader's role may send though no step
   * is made by them now (a required assessment held after the caution was given, a second
   * session): each a link with ?case=, so the reference and the person come filled in.
   * Only the forms that apply to this case (c.forms: no session 2 on a one-session
   * condition), when the API says which. */
  function otherRecords(c, next) {
    var who = role();
    if (c.closed || !who) return;
    var stepForms = {}, applies = c.forms ? {} : null;
    c.next_steps.forEach(function (s) { if (s.kind === "form") stepForms[s.form] = true; });
    (c.forms || []).forEach(function (id) { applies[id] = true; });
    var forms = (P.linked || []).filter(function (id) {
      return !stepForms[id] && (!applies || applies[id]) && has(P.forms, id) &&
        (P.forms[id].submit || []).indexOf(who) >= 0;
    });
    if (!forms.length) return;
    next.appendChild(el("h3", "govuk-heading-s", W.other_records_title));
    next.appendChild(el("p", "govuk-body", W.other_records_lead));
    var list = el("ul", "govuk-list dipforms-link-list dipforms-case__other-records");
    forms.forEach(function (id) {
      var item = el("li"), link = el("a", "govuk-link", fill(W.record_form, { form: formTitle(id) }));
      toForm(link, id).href = formHref({ form: id });
      link.setAttribute("data-form", id);
      item.appendChild(link);
      list.appendChild(item);
    });
    next.appendChild(list);
  }

  /* --- what else this role may record: an appointment, a fact, a disclosure, a hand-over ---- */

  function actions(c) {
    var box = find(".dipforms-case__actions"), list = box.querySelector("ul");
    list.textContent = "";
    var who = role(), A = P.actions || {};
    var links = [];
    if (who && (A.readers_only || []).indexOf(who) < 0) {
      var ref = "?ref=" + encodeURIComponent(c.ref);
      if (!c.closed) {
        links.push([A.appointment + ref, W.record_appointment, "appointment"]);
        (P.facts || []).forEach(function (fact) {
          var recordable = A.facts && A.facts[fact.id];
          if (recordable && recordable.roles.indexOf(who) >= 0) {
            links.push([recordable.href + ref, fill(W.record_fact, { label: fact.label }), "fact-" + fact.id]);
          }
        });
        if (A.handover) links.push([A.handover + ref, W.hand_over, "handover"]);
      }
      if (A.disclosure) links.push([A.disclosure + ref, W.record_disclosure, "disclosure"]);
    }
    links.forEach(function (one) {
      var item = el("li"), link = el("a", "govuk-link", one[1]);
      link.href = one[0];
      link.setAttribute("data-action", one[2]);
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = !links.length;
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
            moved(stateLabel(body.case.state, body.case.state_label));
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
      var label = stateLabel(step.to, step.to_label);
      var button = document.getElementById("step-" + step.transition);
      var item = el("li");
      if (button) {
        var link = el("a", null, stepLabel(step) || fill(W.step, { label: label }));
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
      toForm(link, record.form).href = form.record + "?id=" + encodeURIComponent(record.id);
      link.appendChild(el("span", "govuk-visually-hidden", fill(W.view_record_hidden, { ref: record.id })));
      action.appendChild(link);
      actions.appendChild(action);
      head.appendChild(actions);
    }
    card.appendChild(head);
    var content = el("div", "govuk-summary-card__content");
    var facts = el("dl", "govuk-summary-list");
    row(facts, W.reference, record.id);
    row(facts, W.made_by, agencyName(record.agency));
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

  function records(list, more) {
    var box = find(".dipforms-case__records");
    if (!more) box.textContent = "";
    if (!list.length && !more) { box.appendChild(el("p", "govuk-body", W.no_records)); return; }
    return list.map(function (record) { var card = recordCard(record); box.appendChild(card); return card; });
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
          toForm(link, entry.form).href = form.record + "?id=" + encodeURIComponent(entry.ref);
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
      if (entry.reason) text.textContent += " " + fill(W.transition_reason, { reason: entry.reason });
      return W.transition;
    }
    if (kind === "notification") {
      var channel = has(W.channels, entry.channel) ? W.channels[entry.channel] : words(entry.channel || "email");
      var status = has(W.statuses, entry.status) ? W.statuses[entry.status] : W.statuses.waiting;
      text.textContent = fill(W.notice_text, { channel: channel, to: agencies(entry.to),
                                               title: entry.title || fill(W.notification, { event: entry.event }),
                                               status: status });
      return W.notice;
    }
    if (kind === "reminder") {
      text.textContent = fill(W.reminder_text, { reason: deadlineLabel(entry.ref, entry.label || words(entry.ref)),
                                                 due: S.formatDate(entry.due_on, W),
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

  function timeline(entries, older) {
    var list = find(".dipforms-case__timeline");
    if (!older) list.textContent = "";
    if (!entries.length && !older) { list.appendChild(el("li", "govuk-body", W.no_timeline)); return; }
    return entries.slice().reverse().map(function (entry) {
      var item = el("li", "dipforms-case__event govuk-!-margin-bottom-4");
      item.setAttribute("data-kind", entry.kind);
      var text = el("p", "govuk-body govuk-!-margin-bottom-1");
      var heading = el("h3", "govuk-heading-s govuk-!-margin-bottom-1", describe(entry, text));
      var meta = el("p", "govuk-body-s govuk-!-margin-bottom-0 dipforms-case__when");
      var time = el("time", null, instant(entry.at));
      time.setAttribute("datetime", entry.at);
      meta.appendChild(time);
      meta.appendChild(document.createTextNode(", " + (entry.agency === "system" ? W.by_system
        : fill(W.by, { agency: agencyName(entry.agency) }))));
      item.appendChild(heading);
      item.appendChild(text);
      item.appendChild(meta);
      list.appendChild(item);
      return item;
    });
  }

  /* --- the next pages of a long case ------------------------------------------------------ */

  /* A "Show older entries" / "Show more records" button after `after`, shown while the
     answer had a cursor for `kind`; pressed, it reads the next page and adds it, moving
     focus to the first item added (so a keyboard user carries on from there). */
  var cursors = { timeline: null, records: null };

  function moreButton(kind, after, text) {
    var button = root.querySelector(".dipforms-case__more[data-kind='" + kind + "']");
    if (!button) {
      var box = el("div");                 // hidden whole: a GOV.UK button's display wins
      button = el("button", "govuk-button govuk-button--secondary dipforms-case__more", text);
      button.type = "button";
      button.setAttribute("data-kind", kind);
      button.addEventListener("click", function () { nextPage(kind, button); });
      box.appendChild(button);
      after.parentNode.insertBefore(box, after.nextSibling);
    }
    button.parentNode.hidden = !cursors[kind];
    return button;
  }

  function nextPage(kind, button) {
    var signedIn = session.session();
    if (!signedIn || !cursors[kind] || button.disabled) return;
    button.disabled = true;
    button.setAttribute("aria-disabled", "true");
    var query = "?" + kind + "_cursor=" + encodeURIComponent(cursors[kind]);
    return fetch("/v1/cases/" + encodeURIComponent(ref) + query,
                 { headers: session.bearer(signedIn), cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.status !== 200 || !body.case) {
            session.readFailed(response.status, show, signInProblem);
            return;
          }
          Object.keys(body.agencies || {}).forEach(function (id) { names[id] = body.agencies[id]; });
          cursors[kind] = body[kind + "_cursor"] || null;
          var added = kind === "timeline" ? timeline(body.timeline || [], true)
            : records(body.records || [], true);
          if (added && added.length) {
            added[0].setAttribute("tabindex", "-1");
            added[0].focus();
          }
        });
      })
      .catch(function () { show("failed"); })
      .then(function () {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        button.parentNode.hidden = !cursors[kind];
      });
  }

  /* --- reading the case ------------------------------------------------------------------------ */

  function render(view) {
    current = view.case;
    names = view.agencies || {};
    find(".dipforms-case__title").textContent = fill(W.case_title, { ref: current.ref });
    person(current.person);
    summary(current);
    deadlines(current.deadlines);
    steps(current);
    actions(current);
    records(view.records || []);
    timeline(view.timeline || []);
    cursors = { timeline: view.timeline_cursor || null, records: view.records_cursor || null };
    moreButton("records", find(".dipforms-case__records"), W.more_records);
    moreButton("timeline", find(".dipforms-case__timeline"), W.older_entries);
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

  /* What an action page did (it set DONE_KEY, then came here): the success banner. */
  function doneElsewhere() {
    var done = null;
    try {
      done = JSON.parse(sessionStorage.getItem(DONE_KEY));
      sessionStorage.removeItem(DONE_KEY);
    } catch (e) { done = null; }
    if (!done || done.ref !== (current && current.ref)) return;
    var banner = find(".dipforms-case__moved");
    banner.querySelector(".govuk-notification-banner__heading").textContent = done.text;
    banner.hidden = false;
    banner.focus();
  }

  find(".dipforms-needs-js").hidden = true;
  S.keepAddressInLanguageSwitch();
  if (!ref) { show("no-ref"); return; }
  if (!session.session()) { signInProblem(); return; }
  find(".dipforms-case__loading").hidden = false;
  load().then(doneElsewhere);
})();
