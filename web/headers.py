"""The browser-hardening headers of every answer: pages, files, no-JavaScript replies and the
API (docs/headers.md). Kept here alone, as plain values, so that the page server sends them
(serve.py) and a later AWS stack can import the same values for its CloudFront
response-headers policy instead of writing them out again.

Pure: no files, sockets or environment; the Cognito domain comes in as an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

#: sha256 of the one inline script the pages keep: GOV.UK Frontend's page template
#: (govuk_frontend_jinja/templates/template.html, outside any block we can fill) adds the
#: `js-enabled` class with it before the page is drawn. Hashed rather than moved: moving it
#: would mean copying GOV.UK's template. tests/functional/test_page_policy.py builds the
#: site and fails if any inline script is not hashed here.
GOVUK_JS_ENABLED = "sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw="
INLINE_SCRIPT_HASHES = (GOVUK_JS_ENABLED,)

#: `frame-ancestors 'none'` also says what X-Frame-Options said; `img-src data:` is for the
#: empty icon (`<link rel="icon" href="data:,">`) that spares the browser a request.
BASE_DIRECTIVES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("default-src", ("'self'",)),
    ("script-src", ("'self'", *(f"'{h}'" for h in INLINE_SCRIPT_HASHES))),
    ("style-src", ("'self'",)),
    ("img-src", ("'self'", "data:")),
    ("connect-src", ("'self'",)),
    ("form-action", ("'self'",)),
    ("base-uri", ("'none'",)),
    ("object-src", ("'none'",)),
    ("frame-ancestors", ("'none'",)),
)

#: same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a form
#: post to its own site (Fetch, "serializing a request origin"), and the server could no
#: longer tell its own pages' posts from another site's. same-origin sends the Referer and
#: Origin to this site only; other sites get neither.
REFERRER_POLICY = "same-origin"

#: The powerful features no page of the forms uses, switched off for every frame.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
    "fullscreen", "geolocation", "gyroscope", "hid", "magnetometer", "microphone", "midi",
    "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
    "serial", "usb", "xr-spatial-tracking"))


def content_security_policy(connect: Iterable[str] = ()) -> str:
    """The policy, with each origin of `connect` (the Cognito hosted UI, whose token
    endpoint cognito.js calls) added to `connect-src`."""
    extra = tuple(dict.fromkeys(origin_of(url) for url in connect if url))
    parts = []
    for name, values in BASE_DIRECTIVES:
        if name == "connect-src":
            values = (*values, *extra)
        parts.append(f"{name} {' '.join(values)}")
    return "; ".join(parts)


def security_headers(connect: Iterable[str] = ()) -> Mapping[str, str]:
    """Every header, by name, as sent with every answer."""
    return {
        "Content-Security-Policy": content_security_policy(connect),
        "Referrer-Policy": REFERRER_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
        "X-Content-Type-Options": "nosniff",
    }


def origin_of(url: str) -> str:
    """`https://x.example/path` -> `https://x.example`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
