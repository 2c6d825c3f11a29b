/* The DAT view (admin/dashboard.html): GET /v1/dashboard with the token this tab holds
 * (session.js), shown as totals, a bar chart (inline SVG, role="img", with the same figures
 * in the table after it), and tables of overdue actions and undelivered notifications (a
 * case's reference links to its page). Each
 * table downloads as CSV through fetch with the token and a Blob URL: the token is never in
 * an address. Text is only ever set with textContent. When the view cannot be shown, one of
 * the page's problem blocks says why. Marks the root data-state when it is done.
 * Plain script, no dependencies beyond session.js. */
(function () {
  "use strict";

  var root = document.querySelector("[data-dipforms-dashboard]");
  var session = window.dipformsSession;
  if (!root || !session || !window.dipformsSummary || !window.fetch) return;
  var W = JSON.parse(document.getElementById("dipforms-dashboard-words").textContent);
  var config = JSON.parse(document.getElementById("dipforms-config").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  /* GOV.UK colours, each at least 3:1 against white; segments are also parted by a white
   * line, and the table gives every figure, so colour is never the only way to tell. */
  var COLOURS = ["#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#505a5f", "#0b0c0c", "#912b88",
                 "#6f3a00"];

  function find(selector) { return root.querySelector(selector); }
  function fill(text, values) { return session.fill(text, values); }

  var S = window.dipformsSummary, el = S.el;

  function svg(name, attributes) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function done(state) {
    find(".dipforms-dashboard__loading").hidden = true;
    root.setAttribute("data-state", state);
  }

  function show(problem) {
    var block = find('[data-problem="' + problem + '"]');
    block.hidden = false;
    document.title = block.querySelector("h2").textContent + " - " + document.title;
    done(problem);
  }

  function signInProblem() {
    find(".dipforms-dashboard__sign-in").href = session.signInHref();
    show("sign-in");
  }

  /* --- words for dates ----------------------------------------------------------------- */

  function dateInWords(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!parts) return iso || "";
    return Number(parts[3]) + " " + W.months[Number(parts[2]) - 1] + " " + parts[1];
  }

  /* A UTC moment as its date and time in England (summary.js, as the case page shows it). */
  function instantInWords(iso) {
    return iso ? S.formatInstant(iso, W) : "";
  }

  /* --- tables --------------------------------------------------------------------------- */

  /* A GOV.UK table in a region that scrolls sideways on a narrow screen (focusable, so it
   * can be scrolled from the keyboard). columns: [{text, numeric}]; rows: arrays of cells,
   * the first of each row its header. */
  function table(caption, columns, rows, footer) {
    var shell = S.table(caption, columns, null, "govuk-table__caption--s"), body = shell.body;
    rows.concat(footer ? [footer] : []).forEach(function (cells, index) {
      var tr = el("tr", "govuk-table__row" + (footer && index === rows.length ? " dipforms-table__total" : ""));
      cells.forEach(function (cell, i) {
        var numeric = columns[i].numeric;
        var node = el(i === 0 ? "th" : "td", (i === 0 ? "govuk-table__header" : "govuk-table__cell")
                      + (numeric ? " govuk-table__cell--numeric" : ""), cell instanceof Node ? null : cell);
        if (cell instanceof Node) node.appendChild(cell);
        if (i === 0) node.setAttribute("scope", "row");
        tr.appendChild(node);
      });
      body.appendChild(tr);
    });
    return shell.region;
  }

  function section(name) { return find('.dipforms-dashboard__table[data-table="' + name + '"]'); }

  function empty(name, text) {
    section(name).appendChild(el("p", "govuk-body govuk-!-font-weight-bold", text));
    find('.dipforms-download[data-table="' + name + '"]').hidden = true;
  }

  function truncated(name, list) {
    if (list.truncated) {
      section(name).appendChild(el("p", "govuk-inset-text", fill(W.truncated, { count: list.items.length })));
    }
  }

  /* --- the chart ------------------------------------------------------------------------ */

  /* One stacked bar per DIP condition, a segment per outcome. Widths are percentages and the
   * text keeps its size, so the chart fits a phone without shrinking its words. */
  function chart(counts, total) {
    var ROW = 64, BAR = 28, SPAN = 82;
    var rows = counts.rows, outcomes = counts.outcomes;
    var largest = Math.max.apply(null, rows.map(function (r) { return r.total; }).concat(1));
    var plot = svg("svg", { width: "100%", height: String(rows.length * ROW + 4),
                            role: "img", focusable: "false", "class": "dipforms-chart__svg" });
    var spoken = rows.map(function (row) {
      var parts = outcomes.filter(function (o) { return row.counts[o.id] > 0; }).map(function (o) {
        return fill(W.chart_part, { outcome: o.label, count: row.counts[o.id] });
      });
      return fill(W.chart_row, { condition: row.label, count: row.total })
        + (parts.length ? " (" + parts.join(", ") + ")" : "");
    });
    plot.setAttribute("aria-label", fill(W.chart_label, { total: total, rows: spoken.join(". ") + "." }));
    rows.forEach(function (row, r) {
      var top = r * ROW;
      var label = svg("text", { x: "0", y: String(top + 18), "class": "dipforms-chart__label" });
      label.textContent = row.label;
      plot.appendChild(label);
      var start = 0;
      outcomes.forEach(function (outcome, i) {
        var count = row.counts[outcome.id];
        if (!count) return;
        var width = count / largest * SPAN;
        plot.appendChild(svg("rect", { x: start + "%", y: String(top + 26), width: width + "%",
                                       height: String(BAR), fill: COLOURS[i % COLOURS.length],
                                       stroke: "#ffffff", "stroke-width": "2",
                                       "data-outcome": outcome.id }));
        start += width;
      });
      var figure = svg("text", { x: (start + (start ? 1.5 : 0)) + "%", y: String(top + 46),
                                 "class": "dipforms-chart__value" });
      figure.textContent = String(row.total);
      plot.appendChild(figure);
    });
    find(".dipforms-chart__plot").appendChild(plot);
    var key = find(".dipforms-chart__key");
    outcomes.forEach(function (outcome, i) {
      var item = el("li", "dipforms-chart__key-item");
      var swatch = el("span", "dipforms-chart__swatch");
      swatch.style.backgroundColor = COLOURS[i % COLOURS.length];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(outcome.label));
      key.appendChild(item);
    });
  }

  /* --- the view --------------------------------------------------------------------------- */

  function render(view) {
    var counts = view.counts, overdue = view.overdue, dead = view.dead_letters;
    var lead = find(".dipforms-dashboard__lead");
    lead.textContent = fill(lead.getAttribute("data-template"), { date: dateInWords(view.today) });
    var totals = { open_cases: view.totals.open, closed_cases: view.totals.closed,
                   all_cases: view.totals.cases, overdue: overdue.count, dead: dead.count };
    Object.keys(totals).forEach(function (key) {
      find('[data-total="' + key + '"]').textContent = String(totals[key]);
    });

    chart(counts, view.totals.cases);
    var ids = counts.outcomes.map(function (o) { return o.id; });
    section("counts").appendChild(table(W.counts_caption,
      [{ text: W.condition }].concat(counts.outcomes.map(function (o) {
        return { text: o.label, numeric: true };
      }), [{ text: W.total, numeric: true }]),
      counts.rows.map(function (row) {
        return [row.label].concat(ids.map(function (id) { return row.counts[id]; }), [row.total]);
      }),
      [W.all_conditions].concat(ids.map(function (id) { return counts.totals[id]; }),
                                [view.totals.cases])));

    if (!overdue.items.length) {
      empty("overdue", W.none_overdue);
    } else {
      section("overdue").appendChild(table(W.by_reason,
        [{ text: W.reason }, { text: W.number, numeric: true }],
        overdue.by_reason.map(function (r) { return [r.label, r.count]; })));
      section("overdue").appendChild(table(W.overdue_list,
        [{ text: W.case_ref }, { text: W.reason }, { text: W.event }, { text: W.due_on },
         { text: W.days_overdue, numeric: true }],
        overdue.items.map(function (item) {
          var label = overdue.by_reason.filter(function (r) { return r.reason === item.reason; })[0];
          return [S.caseLink(item.case_ref), label ? label.label : item.reason, item.event,
                  dateInWords(item.due_on), item.days_overdue];
        })));
      truncated("overdue", overdue);
    }

    if (!dead.items.length) {
      empty("dead", W.none_dead);
    } else {
      section("dead").appendChild(table(W.by_event,
        [{ text: W.event }, { text: W.number, numeric: true }],
        dead.by_event.map(function (e) { return [e.event, e.count]; })));
      section("dead").appendChild(table(W.dead_list,
        [{ text: W.case_ref }, { text: W.event }, { text: W.record }, { text: W.agency },
         { text: W.attempts, numeric: true }, { text: W.failure }, { text: W.queued_at }],
        dead.items.map(function (item) {
          return [item.case_ref ? S.caseLink(item.case_ref) : "", item.event, item.record_id, item.agency || "",
                  item.attempts, item.error || "", instantInWords(item.created_at)];
        })));
      truncated("dead", dead);
    }
    find(".dipforms-dashboard__body").hidden = false;
    done("ready");
  }

  /* --- CSV downloads ---------------------------------------------------------------------- */

  function filename(response, table) {
    var found = /filename="([\w.-]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return found ? found[1] : "dipforms-" + table + ".csv";
  }

  function download(button) {
    if (button.getAttribute("aria-disabled") === "true") return;   // one download at a time
    var table = button.getAttribute("data-table");
    var problem = find(".dipforms-dashboard__download-problem");
    var signedIn = session.session();
    if (!signedIn) { location.assign(session.signInHref()); return; }
    problem.hidden = true;
    button.setAttribute("aria-disabled", "true");
    fetch("/v1/dashboard.csv?table=" + encodeURIComponent(table),
          { headers: session.bearer(signedIn), cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.blob().then(function (blob) {
          var url = URL.createObjectURL(blob);
          var link = el("a");
          link.href = url;
          link.download = filename(response, table);
          link.hidden = true;
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
        });
      })
      .catch(function () {
        problem.hidden = false;
        problem.focus();
      })
      .then(function () { button.removeAttribute("aria-disabled"); });
  }

  Array.prototype.forEach.call(root.querySelectorAll(".dipforms-download"), function (button) {
    button.addEventListener("click", function () { download(button); });
  });

  /* --- start ---------------------------------------------------------------------------- */

  find(".dipforms-needs-js").hidden = true;
  var signedIn = session.session();
  if (!signedIn) { signInProblem(); return; }
  find(".dipforms-dashboard__loading").hidden = false;
  fetch("/v1/dashboard", { headers: session.bearer(signedIn), cache: "no-store" })
    .then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 200 && body.dashboard) {
          render(body.dashboard);
        } else if (response.status === 401) {
          session.tab.remove("session");
          signInProblem();
        } else if (response.status === 403) {
          show("forbidden");
        } else {
          show("failed");
        }
      });
    })
    .catch(function () { show("failed"); });
})();
