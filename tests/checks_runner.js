/* Runs generator/static/checks.js (with rules.js) as the pages do, for the Python tests.
 *
 * stdin:  {"schemas": {key: schema}, "jobs": [{"schema": key, "data": ..., "options": {...}}]}
 * stdout: one entry per job: {"errors": [...], "warnings": [...]} or {"exception": "..."}
 * The scripts are run as plain scripts with `window` as the global object, as in a browser.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");

const STATIC = path.join(__dirname, "..", "generator", "static");
globalThis.window = globalThis;
for (const name of ["rules.js", "checks.js"]) {
  const file = path.join(STATIC, name);
  vm.runInThisContext(fs.readFileSync(file, "utf8"), { filename: file });
}

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const results = input.jobs.map((job) => {
  try {
    return window.dipformsChecks.validate(input.schemas[job.schema], job.data, job.options);
  } catch (error) {
    return { exception: String(error && error.message) };
  }
});
process.stdout.write(JSON.stringify(results));
