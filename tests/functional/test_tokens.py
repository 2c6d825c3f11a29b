"""Tokens, offline: local HS256 tokens, Cognito-like RS256 tokens against a self-made JWKS
(a PyJWKSet, or served from a local HTTP server for key rotation), the bearer header, the
local secret file and the local user directory."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import sqlite3
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import PyJWKSet
from jwt.algorithms import RSAAlgorithm

from api.chalicelib.tokens import (
    Claims,
    CognitoVerifier,
    KeysUnavailable,
    LocalVerifier,
    TokenError,
    bearer_token,
    ensure_local_secret,
    mint_local_token,
)
from api.chalicelib.users import InvalidUser, UnknownUser, UserDirectory, UserExists

NOW = 1_800_000_000
SECRET = bytes(range(64))
LOCAL = LocalVerifier(SECRET)
ISSUER = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Test12345"
CLIENT = "4example0client0id0abcdefg"
SUB = "6f1c2a9e-1111-4c2d-9e3f-0a1b2c3d4e5f"


def b64(data: bytes | dict) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def local_payload(**changes) -> dict:
    payload = {"iss": "dipforms-local", "aud": "dipforms-api", "sub": "jo.worker",
               "role": "cjit", "agency": "northshire_cjit", "iat": NOW, "exp": NOW + 3600}
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None}


def local_token(secret: bytes = SECRET, **changes) -> str:
    return jwt.encode(local_payload(**changes), secret, algorithm="HS256")


def refused(verifier, token: str, now: int = NOW) -> str:
    with pytest.raises(TokenError) as error:
        verifier.verify(token, now)
    return error.value.code


# --- local tokens ----------------------------------------------------------------------

def test_a_minted_token_verifies():
    token = mint_local_token(SECRET, subject="jo.worker", role="cjit",
                             agency="northshire_cjit", now=NOW, ttl_seconds=600)
    assert LOCAL.verify(token, NOW + 1) == Claims("jo.worker", "cjit", "northshire_cjit",
                                                  NOW + 600, NOW)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_expiry_allows_at_most_30_seconds_of_clock_skew():
    token = local_token(exp=NOW + 60)
    assert LOCAL.verify(token, NOW + 60 + 29).expires_at == NOW + 60
    assert refused(LOCAL, token, NOW + 60 + 30) == "expired"
    assert refused(LOCAL, token, NOW + 86_400) == "expired"


def test_a_token_issued_in_the_future_is_refused_beyond_the_skew():
    assert LOCAL.verify(local_token(iat=NOW + 20, exp=NOW + 600), NOW).issued_at == NOW + 20
    assert refused(LOCAL, local_token(iat=NOW + 120, exp=NOW + 600)) == "bad_claims"
    assert refused(LOCAL, local_token(nbf=NOW + 120)) == "bad_claims"


@pytest.mark.parametrize("changes", [
    {"exp": NOW + 86_401},                        # longer than a day
    {"iat": NOW + 10, "exp": NOW + 10},           # issued when it expires
    {"exp": "later"}, {"iat": True}, {"iat": None}, {"exp": None},
    {"role": None}, {"agency": None}, {"sub": None},
    {"role": "superuser"}, {"role": ["cjit"]}, {"role": "CJIT"},
    {"agency": "Northshire CJIT"}, {"agency": 7}, {"sub": ""}, {"sub": "has space"},
])
def test_claims_that_are_missing_or_wrong_are_refused(changes):
    assert refused(LOCAL, local_token(**changes)) == "bad_claims"


def test_every_role_is_accepted():
    for role in ("police", "cps", "cjit", "probation", "carat", "dat_admin"):
        assert LOCAL.verify(local_token(role=role), NOW).role == role


@pytest.mark.parametrize("changes,code", [
    ({"iss": "someone-else"}, "wrong_issuer"), ({"iss": None}, "wrong_issuer"),
    ({"aud": "another-api"}, "wrong_audience"), ({"aud": None}, "wrong_audience"),
    ({"aud": ["dipforms-api", "another-api"]}, "wrong_audience"),
])
def test_issuer_and_audience_must_match(changes, code):
    assert refused(LOCAL, local_token(**changes)) == code
    other = LocalVerifier(SECRET, issuer="x", audience="y")
    assert refused(other, local_token()) == "wrong_issuer"


def test_a_token_signed_with_another_secret_is_refused():
    assert refused(LOCAL, local_token(secret=bytes(64))) == "bad_signature"


def test_alg_none_is_refused():
    for alg in ("none", "None", "NONE"):
        token = f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64(local_payload())}."
        assert refused(LOCAL, token) in ("bad_signature", "malformed")
    token = f"{b64({'alg': 'none'})}.{b64(local_payload())}.{b64(b'x')}"
    assert refused(LOCAL, token) == "bad_signature"


def test_a_tampered_payload_is_refused():
    header, _, signature = local_token().split(".")
    forged = f"{header}.{b64(local_payload(role='dat_admin'))}.{signature}"
    assert refused(LOCAL, forged) == "bad_signature"


def test_an_rs256_token_is_refused_by_the_local_verifier(keys):
    token = jwt.encode(local_payload(), keys["k1"], algorithm="RS256")
    assert refused(LOCAL, token) == "bad_signature"


@pytest.mark.parametrize("token,code", [
    ("", "missing"), ("abc", "malformed"), ("a.b", "malformed"), ("a.b.c", "malformed"),
    ("a.b.c.d", "malformed"), ("x" * 9000, "malformed"), ("é.é.é", "malformed"),
])
def test_garbage_is_malformed(token, code):
    assert refused(LOCAL, token) == code


def test_a_short_secret_is_refused():
    for short in (b"", b"secret", bytes(31)):
        with pytest.raises(ValueError):
            LocalVerifier(short)
        with pytest.raises(ValueError):
            mint_local_token(short, subject="jo", role="cjit", agency="northshire_cjit",
                             now=NOW)
    LocalVerifier(bytes(32))


@pytest.mark.parametrize("changes", [
    {"subject": "Jo Worker"}, {"role": "admin"}, {"agency": "North Shire"},
    {"ttl_seconds": 0}, {"ttl_seconds": 86_401},
])
def test_minting_refuses_bad_values(changes):
    args = {"subject": "jo", "role": "cjit", "agency": "northshire_cjit", "now": NOW,
            **changes}
    with pytest.raises(ValueError):
        mint_local_token(SECRET, **args)


def test_errors_carry_a_code_and_fixed_text_never_the_token():
    token = local_token(role="evil-role-value")
    with pytest.raises(TokenError) as error:
        LOCAL.verify(token, NOW)
    assert error.value.code == "bad_claims"
    assert "evil" not in str(error.value) and token not in str(error.value)
    for bad in (token, local_token(iss="x"), local_token(secret=bytes(64)), "a.b.c"):
        with pytest.raises(TokenError) as error:
            LOCAL.verify(bad, NOW)
        assert error.value.__cause__ is None     # no library message in a logged traceback
        assert error.value.__context__ is None or error.value.__suppress_context__
    assert "secret" not in repr(LOCAL).lower() and repr(SECRET) not in repr(LOCAL)


# --- the bearer header -----------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer a.b.c"}, {"authorization": "bearer a.b.c"},
    {"AUTHORIZATION": "BEARER   a.b.c  "}, {"Authorization": "Bearer a.b.", "X-Other": "1"},
])
def test_bearer_token_reads_the_authorization_header(headers):
    assert bearer_token(headers) in ("a.b.c", "a.b.")


@pytest.mark.parametrize("headers,code", [
    ({}, "missing"), ({"Authorization": ""}, "missing"), ({"Authorization": "  "}, "missing"),
    ({"X-Authorization": "Bearer a.b.c"}, "missing"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "malformed"),
    ({"Authorization": "Bearer"}, "malformed"), ({"Authorization": "Bearer a b"}, "malformed"),
    ({"Authorization": "Bearer not-a-jwt"}, "malformed"),
    ({"Authorization": "Bearer a.b.c", "authorization": "Bearer d.e.f"}, "malformed"),
])
def test_bearer_token_refusals(headers, code):
    with pytest.raises(TokenError) as error:
        bearer_token(headers)
    assert error.value.code == code


# --- Cognito-like tokens ---------------------------------------------------------------

@pytest.fixture(scope="module")
def keys() -> dict:
    return {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048)
            for kid in ("k1", "k2")}


def jwk(private_key, kid: str) -> dict:
    return {**RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True), "kid": kid,
            "alg": "RS256", "use": "sig"}


def jwks(keys: dict, *kids: str) -> dict:
    return {"keys": [jwk(keys[kid], kid) for kid in kids]}


def id_claims(**changes) -> dict:
    claims = {"sub": SUB, "aud": CLIENT, "iss": ISSUER, "token_use": "id", "iat": NOW,
              "exp": NOW + 3600, "auth_time": NOW, "cognito:username": "jo.worker",
              "cognito:groups": ["cjit"], "custom:agency": "northshire_cjit"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def access_claims(**changes) -> dict:
    claims = {**id_claims(token_use="access", aud=None, client_id=CLIENT,
                          scope="aws.cognito.signin.user.admin")}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def signed(keys: dict, claims: dict, kid: str = "k1", key: str | None = None) -> str:
    return jwt.encode(claims, keys[key or kid], algorithm="RS256", headers={"kid": kid})


def cognito(keys, *kids, token_use="id", **options) -> CognitoVerifier:
    return CognitoVerifier(issuer=ISSUER, client_id=CLIENT, token_use=token_use,
                           jwks=PyJWKSet.from_dict(jwks(keys, *kids or ("k1",))), **options)


def test_a_cognito_id_token_verifies(keys):
    claims = cognito(keys).verify(signed(keys, id_claims()), NOW)
    assert claims == Claims(SUB, "cjit", "northshire_cjit", NOW + 3600, NOW)


def test_a_cognito_access_token_verifies_by_client_id(keys):
    verifier = cognito(keys, token_use="access")
    assert verifier.verify(signed(keys, access_claims()), NOW).role == "cjit"
    assert refused(verifier, signed(keys, access_claims(client_id="other"))) == \
        "wrong_audience"
    assert refused(verifier, signed(keys, id_claims())) == "bad_claims"  # no client_id


def test_token_use_must_match(keys):
    assert refused(cognito(keys), signed(keys, id_claims(token_use="access"))) == "bad_claims"
    assert refused(cognito(keys), signed(keys, access_claims())) == "wrong_audience"  # no aud
    both = access_claims(aud=CLIENT)
    assert refused(cognito(keys), signed(keys, both)) == "bad_claims"


@pytest.mark.parametrize("changes,code", [
    ({"aud": "another-client"}, "wrong_audience"),
    ({"iss": "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Other"}, "wrong_issuer"),
    ({"cognito:groups": None}, "bad_claims"), ({"cognito:groups": []}, "bad_claims"),
    ({"cognito:groups": ["reviewers"]}, "bad_claims"),
    ({"cognito:groups": ["cjit", "dat_admin"]}, "bad_claims"),   # two roles: ambiguous
    ({"cognito:groups": "cjit"}, "bad_claims"),
    ({"custom:agency": None}, "bad_claims"), ({"custom:agency": "Bad Agency"}, "bad_claims"),
    ({"exp": NOW - 31}, "expired"), ({"iat": NOW + 300, "exp": NOW + 900}, "bad_claims"),
])
def test_cognito_claims_are_checked(keys, changes, code):
    assert refused(cognito(keys), signed(keys, id_claims(**changes))) == code


def test_a_role_group_among_other_groups_is_the_role(keys):
    token = signed(keys, id_claims(**{"cognito:groups": ["reviewers", "probation"]}))
    assert cognito(keys).verify(token, NOW).role == "probation"


def test_the_key_must_be_the_listed_one(keys):
    assert refused(cognito(keys), signed(keys, id_claims(), kid="k1", key="k2")) == \
        "bad_signature"
    assert refused(cognito(keys), signed(keys, id_claims(), kid="k2")) == "bad_signature"
    no_kid = jwt.encode(id_claims(), keys["k1"], algorithm="RS256")
    assert refused(cognito(keys), no_kid) == "malformed"


def test_the_hs256_with_the_public_key_confusion_attack_is_refused(keys):
    pem = keys["k1"].public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64({"alg": "HS256", "typ": "JWT", "kid": "k1"})
    body = f"{header}.{b64(id_claims())}"
    for secret in (pem, pem.strip(), json.dumps(jwk(keys["k1"], "k1")).encode()):
        forged = f"{body}.{b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())}"
        assert refused(cognito(keys), forged) == "bad_signature"
    unsigned = f"{b64({'alg': 'none', 'kid': 'k1'})}.{b64(id_claims())}."
    assert refused(cognito(keys), unsigned) == "bad_signature"


def test_a_local_token_is_refused_by_cognito_and_the_reverse(keys):
    assert refused(cognito(keys), local_token()) == "malformed"     # no kid
    hs = jwt.encode(id_claims(), SECRET, algorithm="HS256", headers={"kid": "k1"})
    assert refused(cognito(keys), hs) == "bad_signature"
    assert refused(LOCAL, signed(keys, id_claims())) == "bad_signature"


def test_cognito_verifier_needs_exactly_one_key_source(keys):
    with pytest.raises(ValueError):
        CognitoVerifier(issuer=ISSUER, client_id=CLIENT)
    with pytest.raises(ValueError):
        CognitoVerifier(issuer=ISSUER, client_id=CLIENT, jwks_url="http://127.0.0.1:1/",
                        jwks=PyJWKSet.from_dict(jwks(keys, "k1")))
    with pytest.raises(ValueError):
        cognito(keys, token_use="refresh")
    with pytest.raises(ValueError):      # a JWKS over plain http could be swapped in transit
        CognitoVerifier(issuer=ISSUER, client_id=CLIENT, jwks_url="http://example.org/j")
    pool = CognitoVerifier.for_user_pool("eu-west-2", "eu-west-2_Test12345", CLIENT)
    assert pool.issuer == ISSUER


class JwksServer:
    """Serves whatever `document` holds at /jwks.json and counts the fetches."""

    def __init__(self, document: dict) -> None:
        self.document, self.fetches = document, 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.fetches += 1
                body = json.dumps(server.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/jwks.json"
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def jwks_server(keys):
    server = JwksServer(jwks(keys, "k1"))
    yield server
    server.close()


def test_keys_are_fetched_once_and_a_rotated_key_is_found(keys, jwks_server):
    verifier = CognitoVerifier(issuer=ISSUER, client_id=CLIENT, jwks_url=jwks_server.url,
                               jwks_cooldown_seconds=0)
    for _ in range(3):
        verifier.verify(signed(keys, id_claims()), NOW)
    assert jwks_server.fetches == 1
    jwks_server.document = jwks(keys, "k1", "k2")          # Cognito rotates: k2 is new
    assert verifier.verify(signed(keys, id_claims(), kid="k2"), NOW).subject == SUB
    assert jwks_server.fetches == 2
    assert refused(verifier, signed(keys, id_claims(), kid="k3", key="k2")) == "bad_signature"
    assert verifier.verify(signed(keys, id_claims(), kid="k1"), NOW).role == "cjit"


def test_unknown_kids_cannot_force_a_fetch_each_during_the_cooldown(keys, jwks_server):
    verifier = CognitoVerifier(issuer=ISSUER, client_id=CLIENT, jwks_url=jwks_server.url,
                               jwks_cooldown_seconds=300)
    verifier.verify(signed(keys, id_claims()), NOW)
    for kid in ("x1", "x2", "x3"):
        assert refused(verifier, signed(keys, id_claims(), kid=kid, key="k2")) == \
            "bad_signature"
    assert jwks_server.fetches == 1


def test_an_unreachable_jwks_is_a_server_fault_not_a_bad_token(keys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    verifier = CognitoVerifier(issuer=ISSUER, client_id=CLIENT,
                               jwks_url=f"http://127.0.0.1:{port}/jwks.json",
                               jwks_timeout_seconds=2)
    with pytest.raises(KeysUnavailable):
        verifier.verify(signed(keys, id_claims()), NOW)


# --- the local secret file -------------------------------------------------------------

def test_the_secret_file_is_made_once_owner_only_and_reused(tmp_path):
    data = tmp_path / ".data"
    secret = ensure_local_secret(data)
    path = data / "jwt-secret"
    assert len(secret) == 64 and path.read_bytes() == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_local_secret(data) == secret
    assert sorted(p.name for p in data.iterdir()) == ["jwt-secret"]
    assert ensure_local_secret(tmp_path / "other") != secret


def test_a_secret_file_others_can_read_or_a_short_one_is_refused(tmp_path):
    ensure_local_secret(tmp_path)
    (tmp_path / "jwt-secret").chmod(0o644)
    with pytest.raises(PermissionError):
        ensure_local_secret(tmp_path)
    (tmp_path / "jwt-secret").write_bytes(b"short")
    (tmp_path / "jwt-secret").chmod(0o600)
    with pytest.raises(ValueError):
        ensure_local_secret(tmp_path)


# --- the local user directory ----------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture
def users(tmp_path) -> UserDirectory:
    return UserDirectory.in_data_dir(tmp_path / ".data")


def test_add_get_list_and_disable(users):
    added = users.add("jo.worker", "cjit", "northshire_cjit", PASSWORD)
    users.add("pc-1234", "police", "northshire_police")
    assert users.get("jo.worker") == added
    assert (added.role, added.agency, added.disabled, added.has_password) == \
        ("cjit", "northshire_cjit", False, True)
    assert [u.user_id for u in users.list()] == ["jo.worker", "pc-1234"]
    assert users.get("nobody") is None
    assert users.disable("pc-1234").disabled
    with pytest.raises(UnknownUser):
        users.disable("nobody")


def test_a_duplicate_id_is_refused(users):
    users.add("jo.worker", "cjit", "northshire_cjit")
    with pytest.raises(UserExists) as error:
        users.add("jo.worker", "police", "northshire_police")
    assert "jo.worker" not in str(error.value)
    assert users.get("jo.worker").role == "cjit"


@pytest.mark.parametrize("args,field", [
    (("Jo", "cjit", "northshire_cjit"), "user_id"), (("jo worker", "cjit", "x_y"), "user_id"),
    (("", "cjit", "northshire_cjit"), "user_id"), (("-jo", "cjit", "x_y"), "user_id"),
    (("jo", "admin", "northshire_cjit"), "role"), (("jo", "cjit", "North"), "agency"),
    (("jo", "cjit", "northshire_cjit", "short"), "password"),
])
def test_bad_values_are_refused(users, args, field):
    with pytest.raises(InvalidUser) as error:
        users.add(*args)
    assert error.value.field == field
    assert users.list() == []


def test_passwords_are_checked_right_wrong_missing_disabled(users):
    users.add("jo.worker", "cjit", "northshire_cjit", PASSWORD)
    users.add("no.password", "cps", "northshire_cps")
    assert users.check_password("jo.worker", PASSWORD)
    assert not users.check_password("jo.worker", PASSWORD.upper())
    assert not users.check_password("jo.worker", "")
    assert not users.check_password("nobody", PASSWORD)
    assert not users.check_password("no.password", "")
    users.disable("jo.worker")
    assert not users.check_password("jo.worker", PASSWORD)


def test_a_missing_user_costs_about_what_a_wrong_password_costs(users):
    users.add("jo.worker", "cjit", "northshire_cjit", PASSWORD)

    def cost(user_id: str) -> float:
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            users.check_password(user_id, "not the password at all")
            runs.append(time.perf_counter() - start)
        return min(runs)

    wrong, missing = cost("jo.worker"), cost("nobody")
    assert missing > 0.5 * wrong and wrong > 0.5 * missing


def test_the_hash_is_salted_argon2id_at_owasps_parameters_and_never_leaves_the_file(users):
    users.add("a.user", "cjit", "northshire_cjit", PASSWORD)
    users.add("b.user", "cjit", "northshire_cjit", PASSWORD)
    with sqlite3.connect(users.path) as db:
        hashes = [row[0] for row in db.execute("SELECT password_hash FROM users")]
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert hashes[0] != hashes[1]
    _, scheme, version, parameters, salt, _ = hashes[0].split("$")
    assert (scheme, version, parameters) == ("argon2id", "v=19", "m=19456,t=2,p=1")
    assert len(base64.b64decode(salt + "==")) == 16
    for user in users.list():
        assert hashes[0] not in repr(user) and hashes[1] not in repr(user)
        assert not any("hash" in name for name in vars(user))
    assert stat.S_IMODE(users.path.stat().st_mode) == 0o600
