/* Cases (cases/index.html): GET /v1/cases with the token this tab holds (session.js) and the
 * filters of the address (?state=&condition=&due=), shown as a GOV.UK table (in a region that
 * scrolls sideways on a phone): each case's reference linking to it, the person as far as
 * the reader may see, its state, what is due next and when it last changed; pages by the
 * API's cursor. The search box (name, date of birth, PNC ID, custody number or reference)
 * goes to the API only, never into the address; a search that finds the case whose
 * reference it is goes straight to that case.
 * Plain script, no dependencies beyond session.js and summary.js. */
(function () {
  "use strict";

  var root = document.querySelector("[data-dipforms-cases]");
  var session = window.dipformsSession, S = window.dipformsSummary;
  if (!root || !session || !S || !window.fetch) return;
  var W = JSON.parse(document.getElementById("dipforms-case-words").textContent);
  var params = new URLSearchParams(location.search);
  var filters = root.querySelector(".dipforms-cases__filters");
  var search = root.querySelector(".dipforms-cases__search");
  var cursors = [null], page = 0, q = "", baseTitle = document.title;

  function find(selector) { return root.querySelector(selector); }
  function fill(text, values) { return session.fill(text, values); }
  var el = S.el;

  function show(problem) {
    find(".dipforms-case__loading").hidden = true;
    search.hidden = true;
    filters.hidden = true;
    var block = find('[data-problem="' + problem + '"]');
    block.hidden = false;
    root.setAttribute("data-state", problem);
  }

  function signInProblem() {
    find(".dipforms-case__sign-in").href = session.signInHref();
    show("sign-in");
  }

  /* The filters as the address has them, shown in the panel. */
  ["state", "condition"].forEach(function (name) {
    var select = filters.querySelector("#" + name);
    if (select && params.get(name)) select.value = params.get(name);
  });
  var due = filters.querySelector('input[name="due"][value="' + (params.get("due") || "") + '"]');
  if (due) due.checked = true;

  function person(p) {
    if (!p) return el("span", "govuk-hint govuk-!-margin-0", W.not_shown);
    var cell = el("span");
    if (p.name) cell.appendChild(el("span", "govuk-!-font-weight-bold govuk-!-display-block", p.name));
    if (p.date_of_birth) cell.appendChild(el("span", "govuk-!-display-block",
                                             fill(W.born, { date: S.formatDate(p.date_of_birth, W) })));
    if (p.pnc_id) cell.appendChild(el("span", "govuk-!-display-block", p.pnc_id));
    return cell;
  }

  function nextDue(item) {
    if (!item) return el("span", null, W.nothing_due);
    var cell = el("span");
    cell.appendChild(el("span", "govuk-!-display-block", S.labelled(W.labels.deadlines, item.id, item.label)));
    cell.appendChild(el("span", "govuk-!-display-block", S.formatDate(item.due, W)));
    if (item.overdue) cell.appendChild(el("strong", "govuk-tag govuk-tag--red", W.overdue));
    return cell;
  }

  function state(c) {
    var cell = el("span", null, S.labelled(W.labels.states, c.state, c.state_label || c.state));
    if (c.closed) {
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(el("strong", "govuk-tag govuk-tag--grey", W.closed));
    }
    return cell;
  }

  function table(cases) {
    var shell = S.table(W.caption, [W.case, W.person, W.state, W.next_due, W.updated],
                        "dipforms-cases__list", "govuk-visually-hidden");
    cases.forEach(function (c) {
      var tr = el("tr", "govuk-table__row");
      tr.setAttribute("data-case", c.ref);
      var th = el("th", "govuk-table__header");
      th.setAttribute("scope", "row");
      th.appendChild(S.caseLink(c.ref, W.paths.case));
      tr.appendChild(th);
      [person(c.person), state(c), nextDue(c.next_due), el("span", null, S.formatInstant(c.updated_at, W))]
        .forEach(function (content) {
          var td = el("td", "govuk-table__cell");
          td.appendChild(content);
          tr.appendChild(td);
        });
      shell.body.appendChild(tr);
    });
    return shell.region;
  }

  function problem(text) {
    var box = find(".dipforms-cases__summary");
    find(".dipforms-cases__problem-text").textContent = text;
    box.hidden = false;
    box.focus();
    if (document.title.indexOf(W.error + ": ") !== 0) document.title = W.error + ": " + document.title;
  }

  function render(body, moved) {
    var cases = body.cases || [];
    var wanted = q.trim().toUpperCase();
    var exact = wanted && cases.filter(function (c) { return c.ref.toUpperCase() === wanted; })[0];
    if (exact) { location.assign(W.paths.case + "?ref=" + encodeURIComponent(exact.ref)); return; }
    var box = find(".dipforms-cases__table");
    box.textContent = "";
    var status = find(".dipforms-cases__status");
    var filtered = params.get("state") || params.get("condition") || params.get("due") || q;
    if (!cases.length) {
      status.textContent = filtered ? W.none : W.none_at_all;
    } else {
      status.textContent = (q ? fill(W.searched, { q: q }) + ". " : "")
        + (cases.length === 1 ? W.count_one : fill(W.count, { count: cases.length }));
      box.appendChild(table(cases));
    }
    cursors[page + 1] = body.next_cursor || null;
    var pages = find(".dipforms-cases__pages");
    pages.querySelector(".govuk-pagination__prev").hidden = page === 0;
    pages.querySelector(".govuk-pagination__next").hidden = !body.next_cursor;
    pages.hidden = page === 0 && !body.next_cursor;
    find(".dipforms-case__loading").hidden = true;
    root.setAttribute("data-state", "ready");
    if (moved) find("#cases-results").focus();
  }

  function load(moved) {
    var signedIn = session.session();
    if (!signedIn) { signInProblem(); return; }
    find(".dipforms-cases__summary").hidden = true;
    document.title = baseTitle;
    root.setAttribute("data-state", "loading");
    find(".dipforms-case__loading").hidden = false;
    var query = new URLSearchParams();
    ["state", "condition", "due"].forEach(function (name) {
      if (params.get(name)) query.set(name, params.get(name));
    });
    if (q) query.set("q", q);
    if (cursors[page]) query.set("cursor", cursors[page]);
    fetch("/v1/cases?" + query.toString(), { headers: session.bearer(signedIn), cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.status === 200 && body.cases) {
            render(body, moved);
          } else if (response.status === 400) {
            find(".dipforms-case__loading").hidden = true;
            root.setAttribute("data-state", "refused");
            problem(fill(W.bad_query, { message: ((body.errors || [])[0] || {}).message || "" }));
          } else {
            session.readFailed(response.status, show, signInProblem);
          }
        });
      })
      .catch(function () { show("failed"); });
  }

  search.addEventListener("submit", function (event) {
    event.preventDefault();
    q = search.querySelector("#q").value.trim();
    cursors = [null];
    page = 0;
    load(false);
  });
  find(".dipforms-cases__next").addEventListener("click", function (event) {
    event.preventDefault();
    page += 1;
    load(true);
  });
  find(".dipforms-cases__prev").addEventListener("click", function (event) {
    event.preventDefault();
    page = Math.max(0, page - 1);
    load(true);
  });

  find(".dipforms-needs-js").hidden = true;
  S.keepAddressInLanguageSwitch();
  load(false);
})();
