/* GOV.UK Frontend's components, started on every page. A module (only the browsers GOV.UK
 * Frontend supports run it) and a file, not an inline script: the pages' Content Security
 * Policy allows scripts from this site only (web/headers.py, docs/headers.md). */
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();

// This browser runs the pages' scripts: on one machine the local server then sends the
// case, list and record pages as they are, for their scripts to fill (a browser without
// JavaScript never sets it and gets them filled on the server, web/casepages.py). Not a
// secret; it ends with the browser session.
document.cookie = "dipforms_js=1; SameSite=Strict; Path=/";
