/* GOV.UK Frontend's components, started on every page. A module (only the browsers GOV.UK
 * Frontend supports run it) and a file, not an inline script: the pages' Content Security
 * Policy allows scripts from this site only (web/headers.py, docs/headers.md). */
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();
