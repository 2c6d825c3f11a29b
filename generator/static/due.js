/* Due (cases/due.html): GET /v1/due with the token this tab holds (session.js), shown as a
 * GOV.UK table, soonest first: the date (overdue tagged red), what is due, the case (a link
 * to it), the person as far as the reader may see and the case's state. Text is only ever set
 * with textContent. Plain script, no dependencies beyond session.js and summary.js. */
(function () {
  "use strict";

  var root = document.querySelector("[data-dipforms-due]");
  var session = window.dipformsSession, S = window.dipformsSummary;
  if (!root || !session || !S || !window.fetch) return;
  var W = JSON.parse(document.getElementById("dipforms-case-words").textContent);

  function find(selector) { return root.querySelector(selector); }
  var el = S.el;

  function show(problem) {
    find(".dipforms-case__loading").hidden = true;
    find('[data-problem="' + problem + '"]').hidden = false;
    root.setAttribute("data-state", problem);
  }

  function signInProblem() {
    find(".dipforms-case__sign-in").href = session.signInHref();
    show("sign-in");
  }

  function who(p) {
    if (!p || !(p.name || p.date_of_birth)) return el("span", "govuk-hint govuk-!-margin-0", W.not_shown);
    return el("span", null, [p.name, p.date_of_birth ? session.fill(W.born, { date: S.formatDate(p.date_of_birth, W) }) : null]
      .filter(Boolean).join(", "));
  }

  function render(view) {
    find(".dipforms-due__today").textContent = session.fill(W.today, { date: S.formatDate(view.today, W) });
    var items = view.due || [];
    var box = find(".dipforms-due__table");
    if (!items.length) {
      box.appendChild(el("p", "govuk-body govuk-!-font-weight-bold", W.none));
    } else {
      var shell = S.table(W.caption, [W.due, W.what, W.case, W.person, W.state],
                          "dipforms-due__list", "govuk-visually-hidden");
      items.forEach(function (item) {
        var tr = el("tr", "govuk-table__row");
        tr.setAttribute("data-case", item.case);
        if (item.overdue) tr.setAttribute("data-overdue", "");
        var when = el("td", "govuk-table__cell");
        when.appendChild(el("span", "govuk-!-display-block", S.formatDate(item.due, W)));
        if (item.overdue) when.appendChild(el("strong", "govuk-tag govuk-tag--red", W.overdue));
        var what = el("th", "govuk-table__header", S.labelled(W.labels.deadlines, item.id, item.label));
        what.setAttribute("scope", "row");
        var ref = el("td", "govuk-table__cell");
        ref.appendChild(S.caseLink(item.case, W.paths.case));
        var person = el("td", "govuk-table__cell");
        person.appendChild(who(item.person));
        tr.appendChild(when);
        tr.appendChild(what);
        tr.appendChild(ref);
        tr.appendChild(person);
        // Due's items name the state by the API's (English) label only: the page's words map it
        tr.appendChild(el("td", "govuk-table__cell",
                          S.labelled(W.labels.state_names, item.state_label, item.state_label || "")));
        shell.body.appendChild(tr);
      });
      box.appendChild(shell.region);
    }
    find(".dipforms-case__loading").hidden = true;
    root.setAttribute("data-state", "ready");
  }

  find(".dipforms-needs-js").hidden = true;
  var signedIn = session.session();
  if (!signedIn) { signInProblem(); return; }
  find(".dipforms-case__loading").hidden = false;
  fetch("/v1/due", { headers: session.bearer(signedIn), cache: "no-store" })
    .then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 200 && body.due) render(body);
        else session.readFailed(response.status, show, signInProblem);
      });
    })
    .catch(function () { show("failed"); });
})();
