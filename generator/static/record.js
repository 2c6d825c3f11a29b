/* A stored record (forms/<id>/record.html?id=<reference>&version=N): read from the API with
 * the signed-in token kept in this tab (session.js), shown as words by summary.js, with a
 * Print button. When it cannot be shown, one of the page's problem blocks says why: sign
 * in, not found, not allowed, or try again.
 * Plain script, no dependencies beyond summary.js. */
(function () {
  "use strict";

  var root = document.querySelector("[data-dipforms-record]");
  var S = window.dipformsSummary, session = window.dipformsSession;
  if (!root || !S || !session || !window.fetch) return;
  var questions = JSON.parse(document.getElementById("dipforms-questions").textContent);
  var words = JSON.parse(document.getElementById("dipforms-record-words").textContent);
  var config = JSON.parse(document.getElementById("dipforms-config").textContent);
  function find(selector) { return root.querySelector(selector); }

  function show(problem) {
    find(".dipforms-record__loading").hidden = true;
    var block = find('[data-problem="' + problem + '"]');
    block.hidden = false;
    document.title = block.querySelector("h1").textContent + " - " + document.title;
  }

  function signInProblem() {
    // Back to this record after signing in: the address holds only its reference.
    find(".dipforms-record__sign-in").href = config.signIn + "?next=" +
      encodeURIComponent(location.pathname + location.search);
    show("sign-in");
  }

  function fill(id, text) { document.getElementById(id).textContent = text; }

  function showRecord(record, versions, answer) {
    var latest = Math.max.apply(null, versions.map(function (v) { return v.version; }).concat(record.version));
    var first = versions.filter(function (v) { return v.version === 1; })[0];
    fill("dipforms-record-reference", record.id);
    fill("dipforms-record-version", words.version_of.replace("{version}", record.version)
      .replace("{count}", latest));
    fill("dipforms-record-submitted", S.formatInstant((first || record).created_at, questions.words));
    fill("dipforms-record-form-version", record.form_version);
    if (answer.case) {
      var caseLink = document.getElementById("dipforms-record-case");
      caseLink.textContent = answer.case;
      caseLink.href = caseLink.getAttribute("href") + "?ref=" + encodeURIComponent(answer.case);
    } else {
      find('[data-row="case"]').remove();
    }
    if (record.version > 1) {
      fill("dipforms-record-amended", S.formatInstant(record.created_at, questions.words));
    } else {
      find('[data-row="amended"]').remove();
    }
    if (record.version > 1 && record.reason) fill("dipforms-record-reason", record.reason);
    else find('[data-row="reason"]').remove();
    if (record.form_version !== questions.version) {
      var older = find(".dipforms-record__older");
      older.textContent = words.older_form_version.replace("{recorded}", record.form_version)
        .replace("{current}", questions.version);
      older.hidden = false;
    }
    S.render(document.getElementById("dipforms-summary"), questions, record.data,
             { showUnknown: true });
    history(versions, answer.agencies || {});
    if (record.version === latest) offerChange(record);
    find(".dipforms-print").addEventListener("click", function () { window.print(); });
    find(".dipforms-record__loading").hidden = true;
    find(".dipforms-record__body").hidden = false;
    document.title = record.id + " - " + document.title;
  }

  /* Every version, newest first: when, by whom (user and agency, by its name) and why it
   * was changed. */
  function history(versions, agencies) {
    var section = find(".dipforms-record__history"), holder = section.querySelector(".dipforms-record__versions");
    var said = JSON.parse(section.dataset.words);
    if (!versions.length) return;
    versions.slice().sort(function (a, b) { return b.version - a.version; }).forEach(function (v) {
      var heading = document.createElement("h3"), list = document.createElement("dl");
      heading.className = "govuk-heading-s";
      heading.textContent = said.version + " " + v.version;
      list.className = "govuk-summary-list dipforms-record__version";
      [[said.when, S.formatInstant(v.created_at, questions.words)],
       [said.by, [v.created_by, agencies[v.agency] || v.agency].filter(Boolean).join(", ")],
       [said.reason, v.version > 1 ? v.reason || "" : ""]].forEach(function (pair) {
        if (!pair[1]) return;
        var row = document.createElement("div"), key = document.createElement("dt");
        var value = document.createElement("dd");
        row.className = "govuk-summary-list__row";
        key.className = "govuk-summary-list__key";
        value.className = "govuk-summary-list__value";
        key.textContent = pair[0];
        value.textContent = pair[1];
        row.append(key, value);
        list.appendChild(row);
      });
      holder.append(heading, list);
    });
    section.hidden = false;
  }

  /* "Change this record", for a reader whose role may submit the form (the API decides
   * again, and refuses a change made on a version that is no longer the latest). */
  function offerChange(record) {
    var link = find(".dipforms-record__change"), signedIn = session.session();
    if (!link || !signedIn) return;
    fetch("/v1/forms", { headers: { "Authorization": "Bearer " + signedIn.token }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : { forms: [] }; })
      .then(function (body) {
        var form = (body.forms || []).filter(function (f) { return f.id === record.form; })[0];
        if (!form || !form.may_submit) return;
        link.href = link.getAttribute("href").split("?")[0] + "?change=" + encodeURIComponent(record.id);
        link.closest(".dipforms-record__change-holder").hidden = false;
      }).catch(function () {});
  }

  find(".dipforms-needs-js").hidden = true;
  // The same record in the other language.
  Array.prototype.forEach.call(document.querySelectorAll(".dipforms-language-switch a"),
    function (link) { link.href = link.pathname + location.search; });
  var params = new URLSearchParams(location.search);
  var id = params.get("id"), version = params.get("version");
  if (!id || (version !== null && !/^[1-9]\d{0,8}$/.test(version))) { show("not-found"); return; }
  var signedIn = session.session();
  if (!signedIn) { signInProblem(); return; }
  find(".dipforms-record__loading").hidden = false;

  var url = "/v1/records/" + encodeURIComponent(id) + (version ? "?version=" + version : "");
  fetch(url, { headers: { "Authorization": "Bearer " + signedIn.token }, cache: "no-store" })
    .then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 200 && body.record) {
          if (body.record.form !== questions.form) {
            // Another form's record: its own page shows it with its own questions.
            location.replace(location.pathname.replace("/forms/" + questions.form + "/",
              "/forms/" + encodeURIComponent(body.record.form) + "/") + location.search);
            return;
          }
          showRecord(body.record, body.versions || [], body);
        } else {
          session.readFailed(response.status, show, signInProblem);
        }
      });
    })
    .catch(function () { show("failed"); });
})();
