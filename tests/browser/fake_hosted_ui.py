"""A stand-in for Cognito's hosted UI (managed login) for one public app client, on a
loopback port, for the browser tests: /oauth2/authorize approves a fixed user and redirects
with a code (or `error=access_denied` when told to deny); /oauth2/token gives tokens only for
that code, once, to the same client and redirect URI, with a code verifier whose S256 hash is
the challenge (else 400 invalid_grant, as Cognito answers); the tokens are RS256 with
Cognito's claims; the JWKS is at <issuer>/.well-known/jwks.json; /logout redirects only to
an allowed sign-out URL. It records what it was asked, for the tests to check.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "3n4b5urk1ft4fl3mg5e7q4example"
POOL = "eu-west-2_TestPool1"
USER, GROUPS, AGENCY = "pc.jones", ["police", "custody-suite-a"], "northshire_police"
VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class FakeHostedUI:
    """Cognito's hosted UI endpoints for one public app client, on 127.0.0.1."""

    def __init__(self, callbacks: list[str], sign_out_urls: list[str]) -> None:
        self.callbacks, self.sign_out_urls = callbacks, sign_out_urls
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []     # each: the form fields and the outcome
        self.issued: list[dict] = []             # each: {id_token, access_token}
        self.logouts: list[dict] = []
        self.deny = False                        # authorize answers error=access_denied
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                fake.get(self)

            def do_POST(self):  # noqa: N802
                fake.post(self)

            def do_OPTIONS(self):  # noqa: N802 - Cognito answers CORS on the token endpoint
                fake.reply(self, 204, b"")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.issuer = f"{self.url}/{POOL}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- HTTP ------------------------------------------------------------------------------

    def reply(self, handler, status: int, body: bytes, kind: str = "application/json",
              headers: dict | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Access-Control-Allow-Origin", "*")   # as Cognito's token endpoint
        handler.send_header("Access-Control-Allow-Headers", "Content-Type")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def redirect(self, handler, location: str) -> None:
        self.reply(handler, 302, b"", "text/plain", {"Location": location})

    def get(self, handler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/oauth2/authorize":
            return self.authorize(handler, query)
        if parts.path == f"/{POOL}/.well-known/jwks.json":
            jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            jwk.update(kid=self.kid, alg="RS256", use="sig")
            return self.reply(handler, 200, json.dumps({"keys": [jwk]}).encode())
        if parts.path == "/logout":
            self.logouts.append(query)
            if query.get("client_id") != CLIENT_ID or query.get("logout_uri") not in \
                    self.sign_out_urls:
                return self.reply(handler, 400, b"bad logout request", "text/plain")
            return self.redirect(handler, query["logout_uri"])
        self.reply(handler, 404, b"not found", "text/plain")

    def authorize(self, handler, query: dict) -> None:
        if (query.get("response_type") != "code" or query.get("client_id") != CLIENT_ID
                or query.get("redirect_uri") not in self.callbacks
                or "openid" not in query.get("scope", "").split()
                or query.get("code_challenge_method") != "S256"
                or not re.fullmatch(r"[A-Za-z0-9_-]{43}", query.get("code_challenge", ""))
                or not query.get("state")):
            return self.reply(handler, 400, b"bad authorize request", "text/plain")
        back = {"state": query["state"]}
        if self.deny:
            back["error"] = "access_denied"
        else:
            code = str(uuid.uuid4())
            self.codes[code] = {"challenge": query["code_challenge"],
                                "redirect_uri": query["redirect_uri"], "used": False}
            back["code"] = code
        self.redirect(handler, query["redirect_uri"] + "?" + urlencode(back))

    def post(self, handler) -> None:
        if urlsplit(handler.path).path != "/oauth2/token":
            return self.reply(handler, 404, b"not found", "text/plain")
        length = int(handler.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        kind = (handler.headers.get("Content-Type") or "").split(";")[0].strip()
        outcome = self.check_token_request(kind, form)
        self.token_requests.append({**form, "outcome": outcome})
        if outcome != "ok":
            return self.reply(handler, 400, json.dumps({"error": "invalid_grant"}).encode())
        tokens = self.tokens()
        self.issued.append(tokens)
        self.reply(handler, 200, json.dumps({**tokens, "refresh_token": secrets.token_urlsafe(32),
                                             "expires_in": 3600,
                                             "token_type": "Bearer"}).encode())

    def check_token_request(self, kind: str, form: dict) -> str:
        """'ok', or what was wrong (every refusal is invalid_grant to the browser)."""
        grant = self.codes.get(form.get("code", ""))
        if kind != "application/x-www-form-urlencoded":
            return "content_type"
        if form.get("grant_type") != "authorization_code" or grant is None:
            return "code"
        if grant["used"]:
            return "code_reused"
        grant["used"] = True
        if form.get("client_id") != CLIENT_ID:
            return "client_id"
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return "redirect_uri"
        verifier = form.get("code_verifier", "")
        if not VERIFIER.fullmatch(verifier) or \
                b64url(hashlib.sha256(verifier.encode("ascii")).digest()) != grant["challenge"]:
            return "pkce"
        return "ok"

    def tokens(self) -> dict:
        """An ID token and an access token with Cognito's claims for the fixed user."""
        now, sub = int(time.time()), "6f2c9a5e-0d3b-4b4e-9a51-3c1f0e7d2b88"
        common = {"sub": sub, "iss": self.issuer, "iat": now, "auth_time": now,
                  "exp": now + 3600, "cognito:groups": GROUPS}
        id_claims = {**common, "aud": CLIENT_ID, "token_use": "id",
                     "cognito:username": USER, "custom:agency": AGENCY}
        access_claims = {**common, "client_id": CLIENT_ID, "token_use": "access",
                         "scope": "openid", "username": USER, "jti": str(uuid.uuid4())}
        headers = {"kid": self.kid}
        return {"id_token": jwt.encode(id_claims, self.key, "RS256", headers),
                "access_token": jwt.encode(access_claims, self.key, "RS256", headers)}
