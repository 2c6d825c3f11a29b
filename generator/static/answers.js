/* A page's answers: read from its inputs as the values the API takes, kept and put back as
 * raw input values, questions shown or hidden by their conditions (rules.js), and
 * "Add another" for repeating groups. No network and no storage: dipforms.js does those.
 * Plain script, no dependencies; sets window.dipformsAnswers. */
(function () {
  "use strict";

  var FRONTEND = "/assets/govuk-frontend.min.js";
  var FIELD = ":scope > .dipforms-field";

  function all(scope, selector) { return Array.prototype.slice.call(scope.querySelectorAll(selector)); }
  function named(scope, name) { return all(scope, '[name="' + name + '"]'); }
  function text(scope, name) { var el = named(scope, name)[0]; return el ? el.value.trim() : ""; }
  function ticked(scope, name) {
    return named(scope, name).filter(function (el) { return el.checked; })
      .map(function (el) { return el.value; });
  }
  function two(digits) { return ("0" + digits).slice(-2); }
  function orNothing(value) { return value === "" ? undefined : value; }

  function dateOf(scope, name) {
    var d = text(scope, name + "[day]"), m = text(scope, name + "[month]");
    var y = text(scope, name + "[year]");
    if (!d && !m && !y) return undefined;
    if (/^\d{1,2}$/.test(d) && /^\d{1,2}$/.test(m) && /^\d{4}$/.test(y)) {
      return y + "-" + two(m) + "-" + two(d);
    }
    return y + "-" + m + "-" + d;  // not a date: the API answers with the form's own message
  }

  function timeOf(value) {
    var m = /^(\d{1,2})[:.](\d{2})$/.exec(value);
    return m ? two(m[1]) + ":" + m[2] : value;
  }

  /* input kind -> (its wrapper, its input name) -> the value the API takes, or undefined.
   * The field's wrapper names its kind (data-dipforms-read) as its type's registry entry
   * says (generator/fields/inputs.py, the same table in Python: keep the two in step). */
  var READERS = {
    text: function (s, n) { return orNothing(text(s, n)); },
    number: function (s, n) {
      var value = text(s, n).replace(/,/g, "");
      return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : orNothing(value);
    },
    yesno: function (s, n) {
      var value = ticked(s, n)[0];
      return value === undefined ? undefined : value === "true";
    },
    one: function (s, n) {
      var el = named(s, n)[0];
      return el && el.tagName === "SELECT" ? orNothing(el.value) : ticked(s, n)[0];
    },
    many: function (s, n) { var values = ticked(s, n); return values.length ? values : undefined; },
    tick: function (s, n) { return ticked(s, n).length ? true : undefined; },
    time: function (s, n) { return orNothing(timeOf(text(s, n))); },
    date: dateOf,
    datetime: function (s, n) {
      var date = dateOf(s, n), time = timeOf(text(s, n + "[time]"));
      return date || time ? (date || "") + "T" + time : undefined;
    },
    /* data-dipforms-parts="name:text role:text date:date confirmed:tick": each part by its kind */
    parts: function (s, n, wrapper) {
      var out = {};
      (wrapper.dataset.dipformsParts || "").split(" ").filter(Boolean).forEach(function (spec) {
        var pair = spec.split(":"), value = READERS[pair[1] || "text"](s, n + "[" + pair[0] + "]");
        if (value !== undefined) out[pair[0]] = value;
      });
      return Object.keys(out).length ? out : undefined;
    },
    items: function (s) {
      var items = all(s, ".dipforms-repeat__item").map(dataOf)
        .filter(function (item) { return Object.keys(item).length; });
      return items.length ? items : undefined;
    }
  };

  /* The answers of the shown fields directly in `scope` (a page's form or a repeat item). */
  function dataOf(scope) {
    var out = {};
    all(scope, FIELD).forEach(function (wrapper) {
      var read = READERS[wrapper.dataset.dipformsRead] || READERS.text;
      var value = wrapper.hidden ? undefined : read(wrapper, wrapper.dataset.field, wrapper);
      if (value !== undefined) out[wrapper.dataset.field.replace(/^.*\[(\w+)\]$/, "$1")] = value;
    });
    return out;
  }

  /* Every input's raw value by name, to put back when the page is shown again. */
  function rawOf(form) {
    var raw = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "submit" || el.type === "button") return;
      if (el.type === "radio") { if (el.checked) raw[el.name] = el.value; }
      else if (el.type === "checkbox") { if (el.checked) (raw[el.name] = raw[el.name] || []).push(el.value); }
      else if (el.value !== "") raw[el.name] = el.value;
    });
    return raw;
  }

  function restore(form, raw) {
    all(form, ".dipforms-repeat").forEach(function (repeat) {
      var prefix = repeat.dataset.name + "[", needed = 0;
      Object.keys(raw).forEach(function (name) {
        if (name.indexOf(prefix) === 0) needed = Math.max(needed, parseInt(name.slice(prefix.length), 10) + 1);
      });
      while (all(repeat, ":scope > .dipforms-repeat__item").length < needed && addItem(repeat)) { /* more */ }
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in raw)) return;
      if (el.type === "radio" || el.type === "checkbox") el.checked = [].concat(raw[el.name]).indexOf(el.value) >= 0;
      else el.value = raw[el.name];
    });
  }

  /* --- conditions ------------------------------------------------------------------------ */

  /* Today in England, by the page's clock: the day the API judges a new record as of. */
  function today() { return window.dipformsRules.englandDate(new Date()); }

  function holds(rule, data, item) {
    if (!rule || !window.dipformsRules) return true;
    try { return window.dipformsRules.evaluate(rule, data, today(), item || null) === true; }
    catch (e) { return true; }
  }

  /* Show the fields whose condition holds, until nothing changes; returns every answer. */
  function reveal(form, others) {
    var data;
    for (var round = 0; round < 5; round++) {
      var changed = false;
      data = Object.assign({}, others, dataOf(form));
      all(form, "[data-show-if]").forEach(function (wrapper) {
        var item = wrapper.parentElement.closest(".dipforms-repeat__item");
        var shown = holds(JSON.parse(wrapper.dataset.showIf), data, item ? dataOf(item) : null);
        if (wrapper.hidden === shown) { wrapper.hidden = !shown; changed = true; }
      });
      if (!changed) break;
    }
    return data;
  }

  /* The submission: every kept answer, less those on pages or of fields that do not apply. */
  function submission(map, answers) {
    var data = {};
    map.pages.forEach(function (page) { Object.assign(data, (answers[page.id] || {}).data); });
    for (var round = 0, removed = true; removed && round < 10; round++) {
      removed = false;
      map.pages.forEach(function (page) {
        var applies = holds(page.show_if, data);
        page.fields.forEach(function (field) {
          if (field.id in data && (!applies || !holds(field.show_if, data))) {
            delete data[field.id];
            removed = true;
          }
        });
      });
    }
    return data;
  }

  function nextPage(map, index, data) {
    return map.pages.slice(index + 1).filter(function (page) { return holds(page.show_if, data); })[0] || null;
  }

  /* --- "Add another" ----------------------------------------------------------------------- */

  function rename(el, attributes, from, to) {
    attributes.forEach(function (attribute) {
      var value = el.getAttribute(attribute);
      if (!value) return;
      el.setAttribute(attribute, value.split(" ").map(function (token) {
        return token.indexOf(from) === 0 ? to + token.slice(from.length) : token;
      }).join(" "));
    });
  }

  /* A copy of the last item, emptied, with names (`offences[1][date]`) and ids renumbered. */
  function addItem(repeat) {
    var items = all(repeat, ":scope > .dipforms-repeat__item"), last = items[items.length - 1];
    var max = Number(repeat.dataset.maxItems) || Infinity;
    if (!last || items.length >= max) return null;
    var from = last.dataset.index, to = String(items.length), name = repeat.dataset.name;
    var clone = last.cloneNode(true);
    unmark(clone);
    all(clone, ".govuk-character-count__status, .govuk-character-count__sr-status")
      .forEach(function (node) { node.remove(); });
    [clone].concat(all(clone, "*")).forEach(function (el) {
      rename(el, ["name", "data-field"], name + "[" + from + "]", name + "[" + to + "]");
      rename(el, ["id", "for", "aria-describedby", "aria-controls"],
             repeat.id + "-" + from + "-", repeat.id + "-" + to + "-");
      Array.prototype.slice.call(el.attributes).forEach(function (attribute) {
        if (/^data-.+-init$/.test(attribute.name)) el.removeAttribute(attribute.name);
      });
      if (el.type === "radio" || el.type === "checkbox") el.checked = false;
      else if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") el.value = "";
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
    });
    clone.dataset.index = to;
    var legend = clone.querySelector(":scope > legend");
    legend.textContent = legend.textContent.replace(/\d+\s*$/, String(items.length + 1));
    last.after(clone);
    repeat.querySelector(".dipforms-repeat__add").style.display = items.length + 1 >= max ? "none" : "";
    import(FRONTEND).then(function (m) { m.initAll({ scope: clone }); }).catch(function () {});
    return clone;
  }

  /* Take away the error markup dipforms.js added (from a copied item, or before new errors). */
  function unmark(scope) {
    all(scope, "[data-dipforms-error]").forEach(function (node) { node.remove(); });
    all(scope, ".govuk-form-group--error").forEach(function (g) { g.classList.remove("govuk-form-group--error"); });
    all(scope, ".govuk-input--error, .govuk-select--error, .govuk-textarea--error").forEach(function (c) {
      c.classList.remove("govuk-input--error", "govuk-select--error", "govuk-textarea--error");
    });
    all(scope, "[aria-describedby]").forEach(function (el) {
      var kept = el.getAttribute("aria-describedby").split(" ").filter(function (t) { return t && !/-error$/.test(t); });
      if (kept.length) el.setAttribute("aria-describedby", kept.join(" "));
      else el.removeAttribute("aria-describedby");
    });
  }

  window.dipformsAnswers = {
    all: all, dataOf: dataOf, rawOf: rawOf, restore: restore, reveal: reveal, holds: holds,
    submission: submission, nextPage: nextPage, addItem: addItem, unmark: unmark, today: today
  };
})();
