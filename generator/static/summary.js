/* Answers shown as words in GOV.UK summary lists: the "check your answers" page and a stored
 * record. `questions` is the map the generator writes into the page (render/questions.py):
 * per page section, each field's question, how it is shown (`show`, from its type's registry
 * entry; plain text when absent), choices, parts and repeat children.
 * Answers only ever reach the page through textContent, never as HTML.
 * Plain script, no dependencies; sets window.dipformsSummary. */
(function () {
  "use strict";

  var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
  var DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* A GOV.UK table in a region that scrolls sideways on a narrow screen (focusable, so it
   * can be scrolled from the keyboard), with its caption and column headers (text, or
   * {text, numeric}); the caller fills the rows of `body`. */
  function table(caption, columns, tableClass, captionClass) {
    var region = el("div", "dipforms-table-scroll");
    region.setAttribute("role", "region");
    region.setAttribute("tabindex", "0");
    region.setAttribute("aria-label", caption);
    var t = el("table", "govuk-table" + (tableClass ? " " + tableClass : ""));
    t.appendChild(el("caption", "govuk-table__caption " + captionClass, caption));
    var head = el("thead", "govuk-table__head"), headRow = el("tr", "govuk-table__row");
    columns.forEach(function (column) {
      var text = typeof column === "string" ? column : column.text;
      var th = el("th", "govuk-table__header" + (column.numeric ? " govuk-table__header--numeric" : ""), text);
      th.setAttribute("scope", "col");
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    t.appendChild(head);
    var body = el("tbody", "govuk-table__body");
    t.appendChild(body);
    region.appendChild(t);
    return { region: region, body: body };
  }

  /* A case's reference as a link to its page: `page`, the case page in the page's language
   * (the words' `paths.case`, /cy/cases/case.html on a Welsh page), else cases/case.html. */
  function caseLink(ref, page) {
    var link = el("a", "govuk-link", ref);
    link.href = (page || "/cases/case.html") + "?ref=" + encodeURIComponent(ref);
    return link;
  }

  /* The page's own words for what the API names by id (`labels` of the page's words: the
   * process's states, steps and deadlines in the page's language), else the API's words. */
  function labelled(map, id, given) {
    return map && id !== undefined && id !== null && Object.prototype.hasOwnProperty.call(map, String(id))
      ? map[String(id)] : given;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function answered(value) {
    if (value === undefined || value === null || value === "") return false;
    if (Array.isArray(value)) return value.length > 0;
    if (typeof value === "object") return Object.keys(value).some(function (k) { return answered(value[k]); });
    return true;
  }

  /* "2026-03-01" -> "1 March 2026" (or "1 Mawrth 2026"); anything else as it is. */
  function formatDate(value, words) {
    var m = DATE.exec(String(value));
    var month = m && words.months[Number(m[2]) - 1];
    return month ? Number(m[3]) + " " + month + " " + m[1] : String(value);
  }

  function formatDateTime(value, words) {
    var m = DATETIME.exec(String(value));
    return m ? fill(words.date_at_time, { date: formatDate(m[1], words), time: m[2] }) : String(value);
  }

  /* A moment in UTC (`2026-11-25T21:04:05Z`) as its date and time in England. */
  function formatInstant(value, words) {
    var when = new Date(value);
    if (isNaN(when.getTime())) return String(value);
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(when).forEach(function (p) { parts[p.type] = p.value; });
    return formatDateTime(parts.year + "-" + parts.month + "-" + parts.day + "T" +
                          parts.hour + ":" + parts.minute, words);
  }

  /* --- one answer as words: a string, or a list of lines ------------------------------- */

  function label(q, code) {
    var key = String(code);
    return q.choices && Object.prototype.hasOwnProperty.call(q.choices, key) ? q.choices[key] : key;
  }

  function partsOf(q, value) {
    return (q.parts || []).map(function (p) { return value[p.id]; })
      .filter(function (v) { return typeof v === "string" && v.trim() !== ""; });
  }

  /* how a question is shown (its `show`, named by its type's registry entry in
   * generator/fields) -> (question, answer, words) -> a string, or {lines} or {list} */
  var SHOW = {
    text: function (q, v) { return typeof v === "object" ? JSON.stringify(v) : String(v); },
    date: function (q, v, w) { return formatDate(v, w); },
    datetime: function (q, v, w) { return formatDateTime(v, w); },
    choice: function (q, v) { return label(q, v); },
    choices: function (q, v) { return { list: [].concat(v).map(function (c) { return label(q, c); }) }; },
    attest: function (q, v, w) { return v === true ? { lines: [w.confirmed].concat(q.statement ? [q.statement] : []) } : String(v); },
    number: function (q, v) { return q.unit ? v + " " + q.unit : String(v); },
    joined: function (q, v) { return typeof v === "object" ? partsOf(q, v).join(" ") : String(v); },
    lines: function (q, v) { return typeof v === "object" ? { lines: partsOf(q, v) } : String(v); },
    signature: function (q, v, w) {
      if (typeof v !== "object") return String(v);
      var lines = [v.name, v.role].filter(function (x) { return typeof x === "string" && x; });
      if (v.date) lines.push(fill(w.signed_on, { date: formatDate(v.date, w) }));
      if (v.confirmed === true) lines.push(w.confirmed + (q.statement ? ": " + q.statement : ""));
      return { lines: lines };
    },
    paragraphs: function (q, v) { return { lines: String(v).split(/\r?\n/) }; }
  };

  function show(q, value, words) {
    var shown = (SHOW[q.show] || SHOW.text)(q, value, words);
    return typeof shown === "string" ? { lines: [shown] } : shown;
  }

  function valueNode(shown) {
    var dd = el("dd", "govuk-summary-list__value");
    if (shown.list && shown.list.length > 1) {
      var ul = el("ul", "govuk-list");
      shown.list.forEach(function (text) { ul.appendChild(el("li", null, text)); });
      dd.appendChild(ul);
      return dd;
    }
    (shown.list || shown.lines).forEach(function (text, i) {
      if (i) dd.appendChild(document.createElement("br"));
      dd.appendChild(document.createTextNode(text));
    });
    return dd;
  }

  /* --- rows, lists and sections ---------------------------------------------------------- */

  function row(key, shown, change, hidden) {
    var div = el("div", "govuk-summary-list__row");
    div.appendChild(el("dt", "govuk-summary-list__key", key));
    div.appendChild(valueNode(shown));
    if (change) {
      var dd = el("dd", "govuk-summary-list__actions"), link = el("a", "govuk-link", change.text);
      link.href = change.href;
      link.appendChild(el("span", "govuk-visually-hidden", " " + hidden));
      dd.appendChild(link);
      div.appendChild(dd);
    } else if (change === null) {
      div.classList.add("govuk-summary-list__row--no-actions");
    }
    return div;
  }

  /* The summary list of `rows` ([key, value] pairs, values already words), for record facts. */
  function list(rows) {
    var dl = el("dl", "govuk-summary-list");
    rows.forEach(function (r) { dl.appendChild(row(r[0], { lines: [].concat(r[1]) })); });
    return dl;
  }

  function holds(rule, data, item) {
    if (!rule || !window.dipformsRules) return true;
    try { return window.dipformsRules.evaluate(rule, data, today(), item || null) === true; }
    catch (e) { return true; }
  }

  function today() { return window.dipformsRules.englandDate(new Date()); }

  /* Appends the rows of `fields` (answers in `data`) to `out`; returns how many. A repeat
   * closes the current list and adds a heading and a list per item. */
  function addRows(out, fields, data, ctx) {
    var count = 0, dl = null;
    function current() {
      if (!dl) { dl = el("dl", "govuk-summary-list"); out.appendChild(dl); }
      return dl;
    }
    fields.forEach(function (q) {
      var value = data ? data[q.id] : undefined, path = ctx.path.concat(q.id);
      if (q.show === "items" && answered(value)) {
        dl = null;
        [].concat(value).forEach(function (item, i) {
          if (!answered(item) || typeof item !== "object") return;
          var heading = q.item_label + " " + (i + 1);
          out.appendChild(el(ctx.subheading, "govuk-heading-s dipforms-summary__item", heading));
          count += addRows(out, q.children || [], item,
                           Object.assign({}, ctx, { path: path.concat(i), item: heading }));
        });
        return;
      }
      if (!answered(value) && !(ctx.options.showUnanswered && ctx.applies &&
                                holds(q.show_if, ctx.whole, ctx.item ? data : null))) return;
      var shown = answered(value) ? show(q, value, ctx.words) : { lines: [ctx.words.not_answered] };
      var change;
      if (ctx.options.changeHref) {
        var href = ctx.options.changeHref(q, { section: ctx.section, path: path, pointer: "/" + path.join("/") });
        change = href ? { href: href, text: ctx.words.change } : null;
      }
      var hidden = ctx.item ? q.question + " (" + ctx.item + ")" : q.question;
      current().appendChild(row(q.question, shown, change, hidden));
      count += 1;
    });
    return count;
  }

  function sectionNode(container, section) {
    var node = container.querySelector('[data-dipforms-section="' + section.id + '"]');
    if (node) return node;
    node = el("section", "dipforms-summary__section");
    node.setAttribute("data-dipforms-section", section.id);
    node.appendChild(el("h2", "govuk-heading-m", section.title));
    node.appendChild(el("div", "dipforms-summary__answers"));
    container.appendChild(node);
    return node;
  }

  /* Answers with no question in the map (a record made with another form version). */
  function unknownRows(questions, data, words) {
    var known = {};
    questions.sections.forEach(function (s) { s.fields.forEach(function (q) { known[q.id] = true; }); });
    return Object.keys(data || {}).filter(function (k) { return !known[k] && answered(data[k]); })
      .map(function (k) { return [k, typeof data[k] === "object" ? JSON.stringify(data[k]) : String(data[k])]; });
  }

  /* Fills `container` with the answers in `data`, section by section (a section with nothing
   * to show is hidden), or, when `questions` is a list of fields, with their rows alone.
   * options: changeHref(question, {section, path, pointer}) -> href or null (no links when
   * absent); showUnanswered (rows saying "Not answered" for questions that apply);
   * showUnknown (answers the map has no question for, by field id); words (when `questions`
   * is a list). Returns the number of rows shown. */
  function render(container, questions, data, options) {
    options = options || {};
    data = data || {};
    var words = options.words || questions.words;
    if (Array.isArray(questions)) {
      container.textContent = "";
      return addRows(container, questions, data, { section: null, path: [], options: options,
        words: words, whole: data, item: null, applies: true, subheading: "h3" });
    }
    var total = 0;
    questions.sections.forEach(function (section) {
      var node = sectionNode(container, section);
      var answers = node.querySelector(".dipforms-summary__answers") || node;
      answers.textContent = "";
      var rows = addRows(answers, section.fields, data, { section: section, path: [],
        options: options, words: words, whole: data, item: null, subheading: "h3",
        applies: holds(section.show_if, data) });
      node.hidden = rows === 0;
      total += rows;
    });
    var extra = options.showUnknown ? unknownRows(questions, data, words) : [];
    var old = container.querySelector(".dipforms-summary__other");
    if (old) old.remove();
    if (extra.length) {
      var other = el("section", "dipforms-summary__section dipforms-summary__other");
      other.appendChild(el("h2", "govuk-heading-m", words.other_answers));
      other.appendChild(list(extra));
      container.appendChild(other);
      total += extra.length;
    }
    return total;
  }

  /* The usual Change link: the question on its page (the id dipforms.js gives its element). */
  function pageHref(question, where) {
    return where.section ? where.section.href + "#" + where.path.join("-") : null;
  }

  /* The language switch to the same address in the other language: the case, step or
   * filters of ?ref=, ?transition=, ?state=... (a static page's switch has its path alone). */
  function keepAddressInLanguageSwitch() {
    Array.prototype.forEach.call(document.querySelectorAll(".dipforms-language-switch a"),
      function (link) { link.href = link.pathname + location.search; });
  }

  window.dipformsSummary = {
    render: render, list: list, pageHref: pageHref, formatDate: formatDate,
    formatDateTime: formatDateTime, formatInstant: formatInstant,
    el: el, table: table, caseLink: caseLink, labelled: labelled,
    keepAddressInLanguageSwitch: keepAddressInLanguageSwitch
  };
})();
