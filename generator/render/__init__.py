"""The model -> HTML: `site` (every page through Jinja and govuk-frontend-jinja), `views`
(what a question shows), `questions`, `cases`, `text` (the pages' words), `components`
(cached GOV.UK macros) and `offline` (the service worker's files)."""
