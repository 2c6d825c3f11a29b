/* Client-side checks from a form's own JSON Schema: the errors the API would answer with
 * (api/chalicelib/domain/validation.py `validate`), found before the answers are sent.
 * Plain script, no dependencies, no network, no clock; load rules.js first.
 *
 *   window.dipformsChecks.check(schema, data, options) -> [{field, code, message}]
 *     schema   the form's schema, as served at /schemas/<form>/<version>.schema.json
 *     data     the answers object, as it would be sent
 *     options  {today: "YYYY-MM-DD" (required: the date in England, by the page's clock),
 *               made: "YYYY-MM-DD" (when amending: the day the record was first made; a
 *               rule's today() is this day unless the rule says "as_of": "now"),
 *               lang: "en" | "cy" (default "en"),
 *               fields: [top-level field ids] (optional: only their errors are returned;
 *               rules still see every answer, so they skip as the API's do)}
 *   window.dipformsChecks.validate(schema, data, options) -> {errors, warnings}
 *     (warnings: rule checks the user may go ahead with, giving a reason; the API refuses
 *     them with 422 confirmation_required until each has one, then keeps the reasons)
 *   An error or warning from a rule of the form also has `source`: its citations.
 *
 * Same semantics as the API: jsonschema-rs decides whether there is a problem, jsonschema
 * names it. Here the "rs" pass uses rs's regular expressions (ECMA-262, a RegExp with the
 * `u` flag, except that rs's `.` matches all but \n and its \b is Unicode) and formats; the
 * "py" pass uses Python `re`'s (\d \s \w are Unicode, `$` also matches before a final
 * newline) and jsonschema's formats. Known gap: xn-- email domains are not decoded.
 * An error for the whole submission (field "", data not an object) is never filtered out.
 * A schema keyword or format not listed below throws: the generator must not emit one this
 * file ignores (tests/functional/test_checks_js.py runs it over every example). */
(function (root) {
  "use strict";

  var has = function (object, key) { return Object.prototype.hasOwnProperty.call(object, key); };
  var own = function (object, key) { return isObject(object) && has(object, key) ? object[key] : undefined; };

  /* JSON Schema keyword -> the error kind a form writes messages for (validation.py). */
  var KEYWORD_KIND = {
    required: "required", minLength: "min_length", maxLength: "max_length",
    pattern: "pattern", format: "format", "enum": "enum", "const": "const",
    type: "type", minimum: "min", maximum: "max", exclusiveMinimum: "min",
    exclusiveMaximum: "max", minItems: "min_items", maxItems: "max_items",
    uniqueItems: "enum", additionalProperties: "unknown_field", not: "not_applicable"
  };
  /* jsonschema-rs's own account, used when only it refuses (validation.py FAST_KIND). */
  var FAST_KIND = {
    pattern: "pattern", format: "format", minLength: "min_length", maxLength: "max_length",
    minimum: "min", maximum: "max", type: "type", "enum": "enum", "const": "const",
    minItems: "min_items", maxItems: "max_items"
  };
  var UNKNOWN_FIELD = "This answer is not part of the form";
  var NOT_APPLICABLE = "Remove this answer: the question does not apply";
  /* Keywords that never refuse anything: annotations, and those read by another keyword. */
  var PASSIVE = ["$schema", "$id", "$defs", "title", "description", "then", "else",
    "x-dipforms", "x-dipforms-type", "x-dipforms-errors", "x-dipforms-format", "x-dipforms-rules"];

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }

  function isType(value, type) {
    switch (type) {
      case "object": return isObject(value);
      case "array": return Array.isArray(value);
      case "string": return typeof value === "string";
      case "boolean": return typeof value === "boolean";
      case "null": return value === null;
      case "number": return typeof value === "number";
      case "integer": return typeof value === "number" && Number.isInteger(value);
    }
    throw new Error("dipformsChecks: unknown type " + type);
  }

  /* jsonschema's equality: true is not 1, 1 is 1.0, lists and objects compared deeply. */
  function equal(one, two) {
    if (Array.isArray(one) && Array.isArray(two)) {
      return one.length === two.length && one.every(function (v, i) { return equal(v, two[i]); });
    }
    if (isObject(one) && isObject(two)) {
      var keys = Object.keys(one);
      return keys.length === Object.keys(two).length &&
        keys.every(function (k) { return has(two, k) && equal(one[k], two[k]); });
    }
    return one === two;
  }

  /* Length in code points, as Python's len() and jsonschema-rs count. */
  function codePoints(text) { return Array.from(text).length; }

  /* ---- regular expressions: the pattern as rs and as Python's `re` read it ---- */

  var PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var PY_WORD = "\\p{L}\\p{N}_";
  var RS_WORD = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u200c\\u200d";
  var BOUNDARY = function (w) { return "(?:(?<=[" + w + "])(?![" + w + "])|(?<![" + w + "])(?=[" + w + "]))"; };
  var NOT_BOUNDARY = function (w) { return "(?:(?<=[" + w + "])(?=[" + w + "])|(?<![" + w + "])(?![" + w + "]))"; };
  var OUTSIDE = {
    rs: { ".": "[^\\n]", "\\b": BOUNDARY(RS_WORD), "\\B": NOT_BOUNDARY(RS_WORD) },
    py: { ".": "[^\\n]", "$": "(?:$|(?=\\n$))", "\\d": "\\p{Nd}", "\\D": "\\P{Nd}",
      "\\s": "[" + PY_SPACE + "]", "\\S": "[^" + PY_SPACE + "]", "\\w": "[" + PY_WORD + "]",
      "\\W": "[^" + PY_WORD + "]", "\\b": BOUNDARY(PY_WORD), "\\B": NOT_BOUNDARY(PY_WORD) }
  };
  var INSIDE = { rs: {}, py: { "\\d": "\\p{Nd}", "\\D": "\\P{Nd}", "\\s": PY_SPACE, "\\w": PY_WORD } };
  var UNSUPPORTED = { rs: [], py: ["\\S", "\\W"] };  // inside a class, these need set subtraction

  /* The pattern rewritten so that a RegExp with the `u` flag matches as `flavour` does. */
  function translate(pattern, flavour) {
    var out = "", inClass = false, i = 0;
    while (i < pattern.length) {
      var c = pattern[i], token = c === "\\" ? pattern.slice(i, i + 2) : c;
      i += token.length;
      if (inClass) {
        if (UNSUPPORTED[flavour].indexOf(token) >= 0) {
          throw new Error("dipformsChecks: cannot read " + token + " inside [...] in " + pattern);
        }
        if (token === "]") inClass = false;
        out += has(INSIDE[flavour], token) ? INSIDE[flavour][token] : token;
      } else if (token === "[") {
        inClass = true;
        out += token;
        if (pattern[i] === "^") { out += "^"; i++; }
        if (pattern[i] === "]" && flavour === "py") { out += "\\]"; i++; }  // Python: a literal ]
      } else {
        out += has(OUTSIDE[flavour], token) ? OUTSIDE[flavour][token] : token;
      }
    }
    return new RegExp(out, "u");
  }

  var compiled = new Map();
  function regex(pattern, flavour) {
    var key = flavour + "\u0000" + pattern;
    if (!compiled.has(key)) compiled.set(key, translate(pattern, flavour));
    return compiled.get(key);
  }

  /* ---- formats ---- */

  function isLeap(y) { return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0); }
  function realDate(text, minYear) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) return false;
    var y = +m[1], mo = +m[2], d = +m[3];
    var days = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
    return y >= minYear && mo >= 1 && mo <= 12 && d >= 1 && d <= days;
  }

  var ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
  function utf8Length(text) {
    return Array.from(text).reduce(function (n, ch) {
      var cp = ch.codePointAt(0);
      return n + (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
    }, 0);
  }
  function ipv4(text) {
    var parts = text.split(".");
    return parts.length === 4 && parts.every(function (p) { return /^(0|[1-9]\d{0,2})$/.test(p) && +p <= 255; });
  }
  function ipv6(text) {
    var tail = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/), groups = text;
    if (tail) { if (!ipv4(tail[2])) return false; groups = tail[1] + "0:0"; }
    var halves = groups.split("::");
    if (halves.length > 2) return false;
    var words = function (h) { return h === "" ? [] : h.split(":"); };
    var all = words(halves[0]).concat(halves.length === 2 ? words(halves[1]) : []);
    if (!all.every(function (w) { return /^[0-9A-Fa-f]{1,4}$/.test(w); })) return false;
    return halves.length === 2 ? all.length < 8 : all.length === 8;
  }
  function hostname(text) {
    if (!text.length || text.length > 253 || text[text.length - 1] === ".") return false;
    return text.split(".").every(function (label) {
      return label.length >= 1 && label.length <= 63 && /^[A-Za-z0-9-]+$/.test(label) &&
        label[0] !== "-" && label[label.length - 1] !== "-" &&
        !(label.length >= 4 && label.slice(2, 4) === "--" && label.slice(0, 4) !== "xn--");
    });
  }
  /* jsonschema-rs's `email`: the email_address crate, then the domain as a hostname or literal. */
  function rsEmail(text) {
    var at = text.lastIndexOf("@");
    if (at < 0) return false;
    var local = text.slice(0, at), domain = text.slice(at + 1);
    if (!local.length || utf8Length(local) > 64) return false;
    if (local.length >= 2 && local[0] === '"' && local[local.length - 1] === '"') {
      if (!/^(?:[\t !#-[\]-~]|\\[!-~])*$/.test(local.slice(1, -1))) return false;
    } else if (!local.split(".").every(function (atom) { return ATEXT.test(atom); })) {
      return false;
    }
    if (!domain.length || utf8Length(domain) > 254) return false;
    if (domain[0] === "[" && domain[domain.length - 1] === "]") {
      var literal = domain.slice(1, -1);
      return literal.indexOf("IPv6:") === 0 ? ipv6(literal.slice(5)) : ipv4(literal);
    }
    return hostname(domain);
  }

  var FORMATS = {
    date: { rs: function (s) { return realDate(s, 0); }, py: function (s) { return realDate(s, 1); } },
    email: { rs: rsEmail, py: function (s) { return s.indexOf("@") >= 0; } }
  };

  /* ---- the schema walk: every keyword, or a loud failure ---- */

  var audited = new WeakSet();
  var SUBSCHEMA = ["items", "not", "if", "then", "else", "contains"];
  var SUBSCHEMAS = ["allOf", "anyOf"];

  function fail(what) { throw new Error("dipformsChecks: " + what); }

  /* Throws on a keyword, type, format, $ref or pattern this file cannot check. */
  function audit(node) {
    if (!isObject(node)) throw new Error("dipformsChecks: a schema must be an object");
    Object.keys(node).forEach(function (key) {
      if (!has(KEYWORDS, key) && PASSIVE.indexOf(key) < 0) {
        throw new Error("dipformsChecks: unknown schema keyword " + key);
      }
      var value = node[key];
      if (SUBSCHEMA.indexOf(key) >= 0) audit(value);
      if (SUBSCHEMAS.indexOf(key) >= 0) value.forEach(audit);
      if (key === "properties" || key === "$defs") Object.keys(value).forEach(function (k) { audit(value[k]); });
      if (key === "type") [].concat(value).forEach(function (t) { isType(null, t); });
      if (key === "pattern") { regex(value, "rs"); regex(value, "py"); }
      if (key === "format" && !has(FORMATS, value)) fail("unknown format " + value);
      if (key === "$ref" && !/^#\/\$defs\/[^/~]+$/.test(value)) fail("unsupported $ref " + value);
      if (key === "additionalProperties" && value !== false) fail("additionalProperties must be false");
    });
  }

  function number(v) { return typeof v === "number"; }
  function error(out, path, keyword, value, instance) {
    out.push({ path: path, keyword: keyword, value: value, instance: instance });
  }

  /* keyword -> function(walk, value, instance, schema, path, out); walk knows the flavour. */
  var KEYWORDS = {
    type: function (w, v, x, s, path, out) {
      if (![].concat(v).some(function (t) { return isType(x, t); })) error(out, path, "type", v, x);
    },
    "enum": function (w, v, x, s, path, out) {
      if (!v.some(function (e) { return equal(e, x); })) error(out, path, "enum", v, x);
    },
    "const": function (w, v, x, s, path, out) { if (!equal(v, x)) error(out, path, "const", v, x); },
    pattern: function (w, v, x, s, path, out) {
      if (typeof x === "string" && !regex(v, w.flavour).test(x)) error(out, path, "pattern", v, x);
    },
    format: function (w, v, x, s, path, out) {
      if (typeof x === "string" && !FORMATS[v][w.flavour](x)) error(out, path, "format", v, x);
    },
    minLength: function (w, v, x, s, path, out) {
      if (typeof x === "string" && codePoints(x) < v) error(out, path, "minLength", v, x);
    },
    maxLength: function (w, v, x, s, path, out) {
      if (typeof x === "string" && codePoints(x) > v) error(out, path, "maxLength", v, x);
    },
    minimum: function (w, v, x, s, path, out) { if (number(x) && x < v) error(out, path, "minimum", v, x); },
    maximum: function (w, v, x, s, path, out) { if (number(x) && x > v) error(out, path, "maximum", v, x); },
    exclusiveMinimum: function (w, v, x, s, path, out) {
      if (number(x) && x <= v) error(out, path, "exclusiveMinimum", v, x);
    },
    exclusiveMaximum: function (w, v, x, s, path, out) {
      if (number(x) && x >= v) error(out, path, "exclusiveMaximum", v, x);
    },
    minItems: function (w, v, x, s, path, out) {
      if (Array.isArray(x) && x.length < v) error(out, path, "minItems", v, x);
    },
    maxItems: function (w, v, x, s, path, out) {
      if (Array.isArray(x) && x.length > v) error(out, path, "maxItems", v, x);
    },
    uniqueItems: function (w, v, x, s, path, out) {
      var repeated = Array.isArray(x) && x.some(function (a, i) {
        return x.slice(i + 1).some(function (b) { return equal(a, b); });
      });
      if (v && repeated) error(out, path, "uniqueItems", v, x);
    },
    required: function (w, v, x, s, path, out) {
      if (isObject(x) && v.some(function (name) { return !has(x, name); })) error(out, path, "required", v, x);
    },
    properties: function (w, v, x, s, path, out) {
      if (!isObject(x)) return;
      Object.keys(v).forEach(function (name) {
        if (has(x, name)) w.errors(v[name], x[name], path.concat([name]), out);
      });
    },
    additionalProperties: function (w, v, x, s, path, out) {
      var known = s.properties || {};
      if (isObject(x) && Object.keys(x).some(function (k) { return !has(known, k); })) {
        error(out, path, "additionalProperties", v, x);
      }
    },
    items: function (w, v, x, s, path, out) {
      if (Array.isArray(x)) x.forEach(function (item, i) { w.errors(v, item, path.concat([i]), out); });
    },
    contains: function (w, v, x, s, path, out) {
      if (Array.isArray(x) && !x.some(function (item) { return w.valid(v, item); })) error(out, path, "contains", v, x);
    },
    $ref: function (w, v, x, s, path, out) { w.errors(w.resolve(v), x, path, out); },
    allOf: function (w, v, x, s, path, out) { v.forEach(function (sub) { w.errors(sub, x, path, out); }); },
    anyOf: function (w, v, x, s, path, out) {
      if (!v.some(function (sub) { return w.valid(sub, x); })) error(out, path, "anyOf", v, x);
    },
    not: function (w, v, x, s, path, out) { if (w.valid(v, x)) error(out, path, "not", v, x); },
    "if": function (w, v, x, s, path, out) {
      var branch = w.valid(v, x) ? "then" : "else";
      if (has(s, branch)) w.errors(s[branch], x, path, out);
    }
  };

  /* A walk of one instance with one flavour's regular expressions and formats. */
  function Walk(root, flavour) { this.root = root; this.flavour = flavour; }
  Walk.prototype.errors = function (schema, instance, path, out) {
    var self = this;
    Object.keys(schema).forEach(function (key) {
      if (has(KEYWORDS, key)) KEYWORDS[key](self, schema[key], instance, schema, path, out);
    });
    return out;
  };
  Walk.prototype.valid = function (schema, instance) { return this.errors(schema, instance, [], []).length === 0; };
  Walk.prototype.resolve = function (ref) { return this.root.$defs[ref.slice("#/$defs/".length)]; };

  /* ---- errors -> {field, code, message}, as validation.py words them ---- */

  function pointer(parts) {
    return parts.map(function (p) { return "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1"); }).join("");
  }

  function fieldSchema(schema, parts) {
    var node = schema;
    parts.forEach(function (part) {
      node = typeof part === "number" ? own(node, "items") || {} : own(own(node, "properties") || {}, part) || {};
    });
    return node;
  }

  function message(prop, kind, lang) {
    var text = own(own(prop, "x-dipforms-errors") || {}, kind);
    if (text === undefined || text === null) return null;
    return own(text, lang) || own(text, "en") || null;
  }

  function problem(field, code, text, severity, source) {
    var p = { field: field, code: code, message: text, severity: severity || "refuse" };
    if (Array.isArray(source)) p.source = source.slice();
    return p;
  }

  function forPart(schema, path, name, kind, lang) {
    var parent = fieldSchema(schema, path);
    if (own(parent, "x-dipforms-type") && path.length) {
      return problem(pointer(path.concat([name])), kind, message(parent, name, lang) || message(parent, kind, lang));
    }
    return problem(pointer(path.concat([name])), kind, message(fieldSchema(schema, path.concat([name])), kind, lang));
  }

  function located(schema, path, kind, lang) {
    var prop = fieldSchema(schema, path);
    if (!own(prop, "x-dipforms-type") && path.length) {
      var owner = fieldSchema(schema, path.slice(0, -1));
      var part = String(path[path.length - 1]);
      return problem(pointer(path), kind, message(owner, kind, lang) || message(owner, part, lang));
    }
    return problem(pointer(path), kind, message(prop, kind, lang));
  }

  function explain(schema, e, lang) {
    var kind = has(KEYWORD_KIND, e.keyword) ? KEYWORD_KIND[e.keyword] : "invalid";
    if (e.keyword === "required") {
      return e.value.filter(function (n) { return !has(e.instance, n); })
        .map(function (n) { return forPart(schema, e.path, n, "required", lang); });
    }
    if (e.keyword === "additionalProperties") {
      var known = own(fieldSchema(schema, e.path), "properties") || {};
      return Object.keys(e.instance).filter(function (n) { return !has(known, n); }).map(function (n) {
        return problem(pointer(e.path.concat([n])), "unknown_field", UNKNOWN_FIELD);
      });
    }
    if (e.keyword === "not" && isObject(e.value) && Object.keys(e.value).join() === "required") {
      return e.value.required.map(function (n) {
        return problem(pointer(e.path.concat([n])), "not_applicable", NOT_APPLICABLE);
      });
    }
    if ((e.keyword === "minLength" || e.keyword === "minItems") && e.value === 1) kind = "required";
    return [located(schema, e.path, kind, lang)];
  }

  function explainFast(schema, e, lang) {
    if (has(FAST_KIND, e.keyword)) return [located(schema, e.path, FAST_KIND[e.keyword], lang)];
    return [problem(pointer(e.path), "invalid", null)];
  }

  function byCodePoint(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return x[i].codePointAt(0) - y[i].codePointAt(0);
    }
    return x.length - y.length;
  }

  /* Deduplicated by (field, code), the first kept, sorted as validation.py sorts. */
  function distinct(errors, schema, lang, how) {
    var found = new Map();
    errors.forEach(function (e) {
      how(schema, e, lang).forEach(function (p) {
        var key = p.field + "\u0000" + p.code;
        if (!found.has(key)) found.set(key, p);
      });
    });
    return Array.from(found.values()).sort(function (a, b) {
      return byCodePoint(a.field, b.field) || byCodePoint(a.code, b.code);
    });
  }

  function schemaProblems(schema, data, lang) {
    var rs = new Walk(schema, "rs").errors(schema, data, [], []);
    if (!rs.length) return [];
    var py = distinct(new Walk(schema, "py").errors(schema, data, [], []), schema, lang, explain);
    return py.length ? py : distinct(rs, schema, lang, explainFast);
  }

  /* ---- x-dipforms-rules, evaluated with rules.js (validation.py rule_errors) ---- */

  function unanswered(value) {
    return value === undefined || value === null || value === "" ||
      (Array.isArray(value) && !value.length) || (isObject(value) && !Object.keys(value).length);
  }

  function reads(rule) {
    var names = [rule.field.split("/")[0]], stack = [rule.when, rule.check];
    while (stack.length) {
      var node = stack.pop();
      if (!isObject(node)) continue;
      if (has(node, "field")) names.push(node.field.split(".")[0]);
      (own(node, "args") || []).forEach(function (a) { stack.push(a); });
    }
    return names;
  }

  function touches(names, malformed, at) {
    if (!malformed.length) return false;
    var prefixes = [];
    names.forEach(function (n) { prefixes.push(pointer([n]), pointer(at.concat([n]))); });
    return malformed.some(function (bad) {
      return prefixes.some(function (p) { return bad === p || bad.indexOf(p + "/") === 0; });
    });
  }

  function answered(holder, name) {
    var value = holder;
    name.split("/").forEach(function (part) { value = isObject(value) ? own(value, part) : undefined; });
    return !unanswered(value);
  }

  function apply(rule, data, item, at, today, lang) {
    var rules = root.dipformsRules;
    if (!rules) throw new Error("dipformsChecks: load rules.js before checks.js is used");
    var holder = item !== null ? item : data, name = rule.field, when = own(rule, "when");
    var applies = when === undefined || when === null || rules.holds(when, data, today, item);
    var text = own(rule.message || {}, lang) || own(rule.message || {}, "en") || null;
    var where = pointer(at.concat(name.split("/")));
    if (rule.kind === "check" && applies && answered(holder, name) && !rules.holds(rule.check, data, today, item)) {
      return [problem(where, rule.id, text, has(rule, "severity") ? rule.severity : "refuse", own(rule, "source"))];
    }
    if (rule.kind === "required" && applies && unanswered(own(holder, name))) {
      return [problem(where, "required", text)];
    }
    if (rule.kind === "show" && !applies && has(holder, name)) {
      return [problem(where, "not_applicable", NOT_APPLICABLE)];
    }
    return [];
  }

  function ruleProblems(schema, data, today, made, lang, malformed) {
    var out = [];
    (own(schema, "x-dipforms-rules") || []).forEach(function (rule) {
      var asOf = own(rule, "as_of") === "now" ? today : made;
      var names = malformed.length ? reads(rule) : [];
      var each = own(rule, "each");
      if (each) {
        var items = own(data, each);
        (Array.isArray(items) ? items : []).forEach(function (item, index) {
          if (isObject(item) && !touches(names, malformed, [each, index])) {
            out.push.apply(out, apply(rule, data, item, [each, index], asOf, lang));
          }
        });
      } else if (!touches(names, malformed, [])) {
        out.push.apply(out, apply(rule, data, null, [], asOf, lang));
      }
    });
    return out;
  }

  /* ---- the API ---- */

  function validate(schema, data, options) {
    options = options || {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today || "")) {
      throw new TypeError("dipformsChecks: options.today must be 'YYYY-MM-DD'");
    }
    if (options.made !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.made)) {
      throw new TypeError("dipformsChecks: options.made must be 'YYYY-MM-DD'");
    }
    if (!audited.has(schema)) { audit(schema); audited.add(schema); }
    var lang = options.lang || "en";
    var problems = schemaProblems(schema, data, lang);
    if (isObject(data)) {
      var malformed = problems.filter(function (p) { return p.code !== "required"; })
        .map(function (p) { return p.field; });
      problems = problems.concat(ruleProblems(schema, data, options.today,
                                                 options.made || options.today, lang, malformed));
    }
    if (options.fields) {
      var fields = options.fields;
      problems = problems.filter(function (p) {
        var top = p.field.split("/")[1];
        return p.field === "" || fields.indexOf(top.replace(/~1/g, "/").replace(/~0/g, "~")) >= 0;
      });
    }
    var plain = function (p) {
      var out = { field: p.field, code: p.code, message: p.message };
      if (p.source) out.source = p.source;
      return out;
    };
    return {
      errors: problems.filter(function (p) { return p.severity === "refuse"; }).map(plain),
      warnings: problems.filter(function (p) { return p.severity !== "refuse"; }).map(plain)
    };
  }

  function check(schema, data, options) { return validate(schema, data, options).errors; }

  root.dipformsChecks = { check: check, validate: validate };
})(typeof window !== "undefined" ? window : this);
