/* The case's question pages (cases/step.html?ref=&transition=, cases/appointment.html,
 * cases/facts/<fact>.html, cases/disclosure.html, cases/handover.html, each ?ref=): reads the
 * case with the token this tab holds (session.js) to check this reader may do this now, checks
 * the answers the GOV.UK way (error summary linking to each question, the message beside it),
 * posts them, places the API's field errors the same way, and on success goes back to the
 * case page, which shows what was done (sessionStorage `dipforms:case-done`). A step that
 * asks something or ends the case gets its questions from the case's next_steps (`asks`),
 * a warning and a warning button. Text is only ever set with textContent; the token is never
 * in an address. Plain script, no dependencies beyond session.js and summary.js. */
(function () {
  "use strict";

  var root = document.querySelector("[data-dipforms-action]");
  var session = window.dipformsSession, S = window.dipformsSummary;
  if (!root || !session || !S || !window.fetch) return;
  var A = JSON.parse(document.getElementById("dipforms-action").textContent);
  var W = JSON.parse(document.getElementById("dipforms-case-words").textContent);
  var DONE_KEY = "dipforms:case-done";
  var params = new URLSearchParams(location.search);
  var ref = (params.get("ref") || "").trim();
  var form = root.querySelector(".dipforms-action__form");
  var baseTitle = document.title;
  var current = null, step = null, busy = false, questions = A.questions.slice();

  function find(selector) { return root.querySelector(selector); }
  function all(node, selector) { return Array.prototype.slice.call(node.querySelectorAll(selector)); }
  function fill(text, values) { return session.fill(text, values); }
  var el = S.el;
  function caseHref() { return W.paths.case + "?ref=" + encodeURIComponent(current ? current.ref : ref); }
  /* The page's words for what the API names by id (the step, its state, what it asks). */
  function labelled(part, id, given) { return S.labelled(W.labels[part], id, given); }
  function role() { var s = session.session(); return s && s.user ? s.user.role : null; }
  function agency() { var s = session.session(); return s && s.user ? s.user.agency : null; }

  function show(problem) {
    find(".dipforms-case__loading").hidden = true;
    form.hidden = true;
    var block = find('[data-problem="' + problem + '"]');
    block.hidden = false;
    document.title = block.querySelector("h1").textContent + " - " + baseTitle;
    root.setAttribute("data-state", problem);
  }

  function signInProblem() {
    find(".dipforms-case__sign-in").href = session.signInHref();
    show("sign-in");
  }

  /* --- the questions: every one made by the template, and a step's `asks` ---------------- */

  function flatten(list) {
    var out = [];
    list.forEach(function (q) {
      out.push(q);
      (q.items || []).forEach(function (item) { out = out.concat(flatten(item.conditional || [])); });
    });
    return out;
  }

  /* A step's question, as GOV.UK's textarea (its label, hint and the box). */
  function askQuestion(given) {
    var own = labelled("asks", given.id, null) || {};
    var ask = { id: given.id, label: own.label || given.label, hint: own.hint || given.hint,
                required: given.required, required_message: given.required_message };
    var q = { kind: "textarea", id: ask.id, label: ask.label || W.reason_label, hint: ask.hint,
              required: ask.required !== false, fields: ["/" + ask.id],
              messages: { required: ask.required_message || (ask.id === "reason" ? W.enter_reason
                                                            : fill(W.enter, { label: (ask.label || "").toLowerCase() })) } };
    var wrapper = el("div", "dipforms-action__question");
    wrapper.setAttribute("data-question", q.id);
    wrapper.setAttribute("data-kind", q.kind);
    var group = el("div", "govuk-form-group");
    var label = el("label", "govuk-label govuk-label--s", q.label);
    label.htmlFor = q.id;
    group.appendChild(label);
    var described = [];
    if (q.hint) {
      var hint = el("div", "govuk-hint", q.hint);
      hint.id = q.id + "-hint";
      described.push(hint.id);
      group.appendChild(hint);
    }
    var box = el("textarea", "govuk-textarea");
    box.id = q.id;
    box.name = q.id;
    box.rows = 4;
    if (described.length) box.setAttribute("aria-describedby", described.join(" "));
    group.appendChild(box);
    wrapper.appendChild(group);
    return { q: q, node: wrapper };
  }

  function stepPage() {
    var found = (current.next_steps || []).filter(function (s) {
      return s.transition === params.get("transition");
    })[0];
    if (current.closed || !found || found.kind === "form") { notNow(); return false; }
    step = found;
    var heading = form.querySelector("h1");
    var toLabel = labelled("states", step.to, step.to_label || step.to);
    heading.textContent = labelled("transitions", step.transition, step.label) || fill(W.step, { label: toLabel });
    A.title = heading.textContent;
    var asks = (step.asks || []).slice();
    if (step.ends && !asks.some(function (a) { return a.id === "reason"; })) {
      asks.push({ id: "reason", label: W.reason_label, hint: W.reason_hint, required: true });
    }
    var place = find(".dipforms-action__questions");
    if (step.ends) {
      var warning = el("div", "govuk-warning-text");
      var icon = el("span", "govuk-warning-text__icon", "!");
      icon.setAttribute("aria-hidden", "true");
      var text = el("strong", "govuk-warning-text__text");
      text.appendChild(el("span", "govuk-visually-hidden", W.warning + " "));
      text.appendChild(document.createTextNode(fill(W.ends_warning, { label: toLabel })));
      warning.appendChild(icon);
      warning.appendChild(text);
      place.appendChild(warning);
    }
    asks.forEach(function (ask) {
      var made = askQuestion(ask);
      questions.push(made.q);
      place.appendChild(made.node);
    });
    var button = find(".dipforms-action__send");
    button.textContent = step.ends ? W.ends_button : W.continue;
    if (step.ends) button.classList.add("govuk-button--warning");
    return true;
  }

  function notNow() {
    all(root, ".dipforms-action__case-link").forEach(function (a) { a.href = caseHref(); });
    show("not-now");
  }

  /* --- reading and checking the answers ---------------------------------------------------- */

  function value(q) {
    if (q.kind === "date") {
      var parts = ["day", "month", "year"].map(function (p) {
        return (document.getElementById(q.id + "-" + p).value || "").trim();
      });
      if (!parts.join("")) return { missing: true };
      var d = Number(parts[0]), m = Number(parts[1]), y = Number(parts[2]);
      var real = /^\d{1,2}$/.test(parts[0]) && /^\d{1,2}$/.test(parts[1]) && /^\d{4}$/.test(parts[2])
        && m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
      if (!real) return { invalid: q.messages.invalid || fill(W.date_real, { label: q.label }) };
      return { value: y + "-" + ("0" + m).slice(-2) + "-" + ("0" + d).slice(-2) };
    }
    if (q.kind === "time") {
      var t = (document.getElementById(q.id).value || "").trim();
      if (!t) return { missing: true };
      var hm = /^(\d{1,2})[:.](\d{2})$/.exec(t);
      if (!hm || Number(hm[1]) > 23 || Number(hm[2]) > 59) {
        return { invalid: fill(W.time_real, { label: q.label.toLowerCase() }) };
      }
      return { value: ("0" + hm[1]).slice(-2) + ":" + hm[2] };
    }
    if (q.kind === "radios") {
      var picked = form.querySelector('input[name="' + q.id + '"]:checked');
      return picked ? { value: picked.value } : { missing: true };
    }
    if (q.kind === "checkboxes") {
      var ticked = all(form, 'input[name="' + q.id + '"]:checked').map(function (i) { return i.value; });
      return ticked.length ? { value: ticked } : { missing: true };
    }
    if (q.kind === "flag") return { value: document.getElementById(q.id).checked };
    var text = (document.getElementById(q.id).value || "").trim();
    if (!text) return { missing: true };
    if (q.kind === "number") {
      return /^-?\d+(\.\d+)?$/.test(text) ? { value: Number(text) } : { invalid: q.messages.invalid };
    }
    return { value: text };
  }

  /* {answers: {id: value}, errors: [{q, message}]} of the questions that apply. */
  function read() {
    var answers = {}, errors = [];
    flatten(questions).forEach(function (q) {
      var got = value(q);
      if (got.invalid) errors.push({ q: q, message: got.invalid });
      else if (got.missing && q.required) errors.push({ q: q, message: q.messages.required });
      else if (!got.missing) answers[q.id] = got.value;
    });
    return { answers: answers, errors: errors };
  }

  function label(q, value) {
    var item = (q.items || []).filter(function (i) { return i.value === value; })[0];
    return item ? item.text : value;
  }

  function question(id) { return flatten(questions).filter(function (q) { return q.id === id; })[0]; }

  /* The request this page posts, from the answers; or local errors (an end before a start). */
  function request(answers) {
    if (A.endpoint === "appointments") {
      if (answers.start_time && answers.end_time && answers.end_time <= answers.start_time) {
        return { errors: [{ q: question("end_time"), message: W.end_after }] };
      }
      return { body: { starts_at: answers.date + "T" + answers.start_time,
                       ends_at: answers.date + "T" + answers.end_time },
               done: fill(A.done, { when: fill(W.when, { date: S.formatDate(answers.date, W),
                                                         start: answers.start_time, end: answers.end_time }) }) };
    }
    if (A.endpoint === "facts") {
      var v = answers.value;
      if (A.fact_type === "boolean") v = v === "true";
      return { body: { fact: A.fact, value: v }, done: A.done };
    }
    if (A.endpoint === "disclosures") {
      var body = { recipient: answers.recipient, ground: answers.ground, items: answers.items || [],
                   reason: answers.reason };
      flatten(questions).forEach(function (q) {
        if (q.kind !== "flag") return;
        var shown = !document.getElementById(q.id).closest("[hidden]");
        body[q.id] = shown && answers[q.id] === true;
      });
      return { body: body, done: fill(A.done, { to: label(question("recipient"), answers.recipient) }) };
    }
    if (A.endpoint === "handovers") {
      var hand = { agency: answers.agency };
      if (answers.reason) hand.reason = answers.reason;
      return { body: hand, done: fill(A.done, { to: label(question("agency"), answers.agency) }) };
    }
    var take = { transition: step.transition, base_version: current.version };
    Object.keys(answers).forEach(function (k) { take[k] = answers[k]; });
    return { body: take, done: null };
  }

  /* --- errors, the GOV.UK way -------------------------------------------------------------- */

  function focusable(q) {
    var wrapper = find('[data-question="' + q.id + '"]');
    return wrapper ? wrapper.querySelector("input, select, textarea") : null;
  }

  function clearErrors() {
    find(".dipforms-action__summary").hidden = true;
    find(".dipforms-action__refusal").hidden = true;
    all(form, "[data-dipforms-error]").forEach(function (n) { n.remove(); });
    all(form, ".govuk-form-group--error").forEach(function (n) { n.classList.remove("govuk-form-group--error"); });
    all(form, ".govuk-input--error, .govuk-select--error, .govuk-textarea--error").forEach(function (n) {
      n.classList.remove("govuk-input--error", "govuk-select--error", "govuk-textarea--error");
    });
    all(form, "[aria-describedby]").forEach(function (n) {
      var kept = n.getAttribute("aria-describedby").split(" ").filter(function (id) { return !/-error$/.test(id); });
      if (kept.length) n.setAttribute("aria-describedby", kept.join(" ")); else n.removeAttribute("aria-describedby");
    });
    document.title = document.title.replace(new RegExp("^" + W.error + ": "), "");
  }

  function mark(q, message) {
    var wrapper = find('[data-question="' + q.id + '"]');
    var group = wrapper && wrapper.querySelector(".govuk-form-group");
    if (!group || group.classList.contains("govuk-form-group--error")) return;
    group.classList.add("govuk-form-group--error");
    var holder = group.querySelector(":scope > .govuk-fieldset") || group;
    var note = el("p", "govuk-error-message");
    note.id = q.id + "-error";
    note.setAttribute("data-dipforms-error", "");
    note.appendChild(el("span", "govuk-visually-hidden", W.error + ": "));
    note.appendChild(document.createTextNode(message));
    var before = Array.prototype.filter.call(holder.children, function (child) {
      return !child.matches("legend, .govuk-label, .govuk-label-wrapper, .govuk-hint, .govuk-error-message");
    })[0];
    holder.insertBefore(note, before || null);
    var controls = all(holder, "input.govuk-input, select, textarea")
      .filter(function (c) { return c.closest(".dipforms-action__question") === wrapper; });
    controls.forEach(function (c) {
      c.classList.add(c.tagName === "SELECT" ? "govuk-select--error"
        : c.tagName === "TEXTAREA" ? "govuk-textarea--error" : "govuk-input--error");
    });
    (holder.tagName === "FIELDSET" ? [holder] : controls).forEach(function (target) {
      var ids = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      target.setAttribute("aria-describedby", ids.concat(note.id).join(" "));
    });
  }

  /* errors: [{q?, message}]; `refusal`: a sentence above the list (a refused step). */
  function problems(errors, refusal) {
    var box = find(".dipforms-action__summary"), list = box.querySelector("ul");
    list.textContent = "";
    var said = find(".dipforms-action__refusal");
    said.hidden = !refusal;
    said.textContent = refusal || "";
    errors.forEach(function (e) {
      var item = el("li"), target = e.q ? focusable(e.q) : null;
      if (target) {
        var link = el("a", null, e.message);
        link.href = "#" + target.id;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          target.focus();
        });
        item.appendChild(link);
        mark(e.q, e.message);
      } else {
        item.textContent = e.message;
      }
      list.appendChild(item);
    });
    box.hidden = false;
    box.focus();
    if (document.title.indexOf(W.error + ": ") !== 0) document.title = W.error + ": " + document.title;
  }

  /* The question an API error names (/starts_at, /items/2, reason...), if any. */
  function questionFor(field) {
    var pointer = "/" + String(field || "").replace(/^\//, "");
    return flatten(questions).filter(function (q) {
      return (q.fields || ["/" + q.id]).some(function (f) {
        return pointer === f || pointer.indexOf(f + "/") === 0;
      });
    })[0] || null;
  }

  /* --- sending --------------------------------------------------------------------------- */

  function send(event) {
    event.preventDefault();
    if (busy || !current) return;
    clearErrors();
    var got = read();
    if (got.errors.length) { problems(got.errors); return; }
    var planned = request(got.answers);
    if (planned.errors) { problems(planned.errors); return; }
    var signedIn = session.session();
    if (!signedIn) { signInProblem(); return; }
    busy = true;
    session.call("POST", "/v1/cases/" + encodeURIComponent(current.ref) + "/" + A.endpoint,
                 planned.body, session.bearer(signedIn))
      .then(function (answer) {
        var body = answer.body || {};
        if (answer.status === 200 || answer.status === 201) {
          var moved = body.case ? labelled("states", body.case.state, body.case.state_label || "") : "";
          var done = planned.done || fill(W.moved, { label: moved });
          try { sessionStorage.setItem(DONE_KEY, JSON.stringify({ ref: current.ref, text: done })); } catch (e) { /* shown without */ }
          location.assign(caseHref());
          return;
        }
        busy = false;
        if (answer.status === 401) { session.tab.remove("session"); signInProblem(); return; }
        if (answer.status === 404) { show("not-found"); return; }
        if (body.error === "version_conflict") { problems([], W.conflict); return; }
        var errors = (body.errors || []).map(function (e) {
          return { q: questionFor(e.field), message: e.message || W.failed };
        });
        var placed = errors.filter(function (e) { return e.q; });
        var loose = errors.filter(function (e) { return !e.q; });
        if (!errors.length) { problems([], W.failed); return; }
        problems(placed.concat(loose.slice(1)), loose.length ? loose[0].message : null);
      }, function () {
        busy = false;
        problems([], W.failed);
      });
  }

  /* --- reading the case ---------------------------------------------------------------------- */

  /* May this reader do this here now? The API decides again when it is posted. */
  function allowed() {
    var who = role();
    if (A.kind === "step") return stepPage();
    if (who && (A.readers_only || []).indexOf(who) >= 0) { show("forbidden"); return false; }
    if (A.roles && who && A.roles.indexOf(who) < 0) { notNow(); return false; }
    if (current.closed && A.kind !== "disclosure") { notNow(); return false; }
    return true;
  }

  function ready(body) {
    current = body.case;
    if (!allowed()) return;
    var own = agency();
    flatten(questions).forEach(function (q) {
      if (!q.not_own || !own) return;
      all(form, 'option[value="' + own + '"], input[name="' + q.id + '"][value="' + own + '"]')
        .forEach(function (input) {
          var item = input.closest(".govuk-radios__item");
          (item || input).remove();
        });
    });
    all(root, ".dipforms-action__case-link").forEach(function (a) { a.href = caseHref(); });
    var back = document.querySelector(".dipforms-action__back");
    if (back) back.href = caseHref();
    find(".dipforms-action__caption").textContent = fill(W.caption, { ref: current.ref });
    find(".dipforms-case__loading").hidden = true;
    form.hidden = false;
    document.title = A.title + " - " + baseTitle;
    root.setAttribute("data-state", "ready");
  }

  /* A choice's own questions (the template's data-reveal-for blocks), shown once chosen. */
  function reveal() {
    all(form, ".dipforms-action__reveal").forEach(function (block) {
      var picked = form.querySelector('input[name="' + block.getAttribute("data-reveal-for") + '"]:checked');
      block.hidden = !picked || picked.value !== block.getAttribute("data-reveal-value");
    });
  }

  form.addEventListener("change", reveal);
  form.addEventListener("submit", send);
  find(".dipforms-needs-js").hidden = true;
  S.keepAddressInLanguageSwitch();
  if (!ref) { show("no-ref"); return; }
  if (!session.session()) { signInProblem(); return; }
  find(".dipforms-case__loading").hidden = false;
  fetch("/v1/cases/" + encodeURIComponent(ref), { headers: session.bearer(session.session()), cache: "no-store" })
    .then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 200 && body.case) ready(body);
        else session.readFailed(response.status, show, signInProblem);
      });
    })
    .catch(function () { show("failed"); });
})();
