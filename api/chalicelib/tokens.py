"""Verify a bearer JWT -> Claims: HS256 with the local secret, or RS256 against a Cognito JWKS.

Pins the algorithm (never 'none', never the header's choice) and checks every claim with the
`now` passed in. Never logs, and never puts a token, a claim value or a key in an exception.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet
from jwt.types import Options

from .domain.access import ROLES
from .settings import SESSION_SECONDS

LOCAL_ISSUER = "dipforms-local"
LOCAL_AUDIENCE = "dipforms-api"
LEEWAY_SECONDS = 30              # clock skew allowed on exp, iat and nbf; never more
MAX_LIFETIME_SECONDS = 86_400    # exp - iat; Cognito's own maximum for ID and access tokens
MIN_SECRET_BYTES = 32            # RFC 7518 3.2: an HS256 key at least as long as the hash
SECRET_FILE = "jwt-secret"
MAX_TOKEN_CHARS = 8192
#: Where a Cognito token carries the role and the agency (see docs/auth.md).
COGNITO_ROLE_CLAIM = "cognito:groups"
COGNITO_AGENCY_CLAIM = "custom:agency"

USER_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
AGENCY_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}")
TOKEN68 = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

ERROR_MESSAGES = {
    "missing": "Sign in: this request has no bearer token",
    "malformed": "The bearer token cannot be read",
    "expired": "The token has expired: sign in again",
    "bad_signature": "The token's signature is not valid",
    "wrong_issuer": "The token was not issued for this service",
    "wrong_audience": "The token was not issued for this service",
    "bad_claims": "The token does not say who you are, or is not valid yet",
    "inactive": "The token's user is unknown or disabled: ask your administrator",
}


class TokenError(Exception):
    """A token was refused: answer 401 with `code`. The message is fixed text per code."""

    def __init__(self, code: str) -> None:
        if code not in ERROR_MESSAGES:
            raise ValueError("unknown token error code")
        super().__init__(ERROR_MESSAGES[code])
        self.code = code


class KeysUnavailable(Exception):
    """The Cognito JWKS could not be fetched: a server fault (503), not the caller's."""


@dataclass(frozen=True)
class Claims:
    """What a verified token says: who, in which role, for which agency, and when."""

    subject: str
    role: str
    agency: str
    expires_at: int
    issued_at: int


class Verifier(Protocol):
    def verify(self, token: str, now: int) -> Claims: ...


# --- the local verifier ------------------------------------------------------------------

class LocalVerifier:
    """HS256 tokens signed with the secret made at set-up (`ensure_local_secret`), lasting
    at most `max_lifetime_seconds` (the sign-in's, settings.session_seconds), however they
    were minted. Build once per process and reuse."""

    algorithm = "HS256"

    def __init__(self, secret: bytes, issuer: str = LOCAL_ISSUER,
                 audience: str = LOCAL_AUDIENCE, *,
                 max_lifetime_seconds: int = SESSION_SECONDS) -> None:
        self._secret = _checked_secret(secret)
        self.issuer = issuer
        self.audience = audience
        if not 0 < max_lifetime_seconds <= MAX_LIFETIME_SECONDS:
            raise ValueError(f"the lifetime must be 1 to {MAX_LIFETIME_SECONDS} seconds")
        self.max_lifetime_seconds = max_lifetime_seconds

    def __repr__(self) -> str:
        return f"LocalVerifier(issuer={self.issuer!r}, audience={self.audience!r})"

    def verify(self, token: str, now: int) -> Claims:
        payload = _decode(token, self._secret, self.algorithm, issuer=self.issuer,
                          audience=self.audience,
                          require=["sub", "role", "agency", "iss", "aud", "exp", "iat"])
        return _claims(payload, payload.get("role"), payload.get("agency"), now,
                       self.max_lifetime_seconds)


def mint_local_token(secret: bytes, *, subject: str, role: str, agency: str, now: int,
                     ttl_seconds: int = 3600, issuer: str = LOCAL_ISSUER,
                     audience: str = LOCAL_AUDIENCE) -> str:
    """A signed HS256 token for a local user; `dipforms token` prints it."""
    _checked_secret(secret)
    if not USER_ID.fullmatch(subject):
        raise ValueError("the user id must be lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise ValueError(f"the role must be one of {', '.join(ROLES)}")
    if not AGENCY_ID.fullmatch(agency):
        raise ValueError("the agency must be an agency id from the protocol")
    if not 0 < ttl_seconds <= MAX_LIFETIME_SECONDS:
        raise ValueError(f"the lifetime must be 1 to {MAX_LIFETIME_SECONDS} seconds")
    payload = {"iss": issuer, "aud": audience, "sub": subject, "role": role,
               "agency": agency, "iat": int(now), "exp": int(now) + ttl_seconds}
    return jwt.encode(payload, secret, algorithm="HS256")


def ensure_local_secret(data_dir: str | os.PathLike[str], name: str = SECRET_FILE) -> bytes:
    """Return `<data_dir>/<name>` (default jwt-secret), first creating 64 random bytes with
    mode 0600."""
    folder = Path(data_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        temporary = folder / f".{name}.{secrets.token_hex(8)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, secrets.token_bytes(64))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temporary, path)     # never replaces a secret another process made
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    if path.stat().st_mode & 0o077:
        raise PermissionError(f"{path} must be readable by its owner only: chmod 600 it")
    return _checked_secret(path.read_bytes())


# --- the Cognito verifier ----------------------------------------------------------------

class CognitoVerifier:
    """RS256 tokens from a Cognito user pool, against its JWKS (a PyJWKSet, or its URL).

    Role: the one group of `cognito:groups` named after a role. Agency: `custom:agency`.
    ID tokens are matched to the app client by `aud`, access tokens by `client_id`.
    Build once per process and reuse: with a URL, the JWKS is fetched once and cached.
    """

    algorithm = "RS256"

    def __init__(self, *, issuer: str, client_id: str,
                 token_use: Literal["id", "access"] = "id",
                 jwks: PyJWKSet | None = None, jwks_url: str | None = None,
                 agency_claim: str = COGNITO_AGENCY_CLAIM,
                 jwks_lifespan_seconds: float = 3600, jwks_cooldown_seconds: float = 30,
                 jwks_timeout_seconds: float = 5) -> None:
        if (jwks is None) == (jwks_url is None):
            raise ValueError("give either jwks or jwks_url")
        if token_use not in ("id", "access"):
            raise ValueError("token_use must be 'id' or 'access'")
        if not issuer or not client_id:
            raise ValueError("issuer and client_id are required")
        if jwks_url is not None and not _trusted_url(jwks_url):
            raise ValueError("the JWKS URL must be https (http only on localhost)")
        self.issuer = issuer
        self.client_id = client_id
        self.token_use = token_use
        self.agency_claim = agency_claim
        self._keys = jwks
        self._client = None if jwks_url is None else PyJWKClient(
            jwks_url, cache_jwk_set=True, lifespan=jwks_lifespan_seconds,
            cooldown_duration=jwks_cooldown_seconds, timeout=jwks_timeout_seconds)

    @classmethod
    def for_user_pool(cls, region: str, user_pool_id: str, client_id: str,
                      token_use: Literal["id", "access"] = "id", **options: Any
                      ) -> CognitoVerifier:
        """Issuer and JWKS URL from the pool's region and id (e.g. eu-west-2_AbCdEf123)."""
        issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        return cls(issuer=issuer, client_id=client_id, token_use=token_use,
                   jwks_url=f"{issuer}/.well-known/jwks.json", **options)

    def __repr__(self) -> str:
        return f"CognitoVerifier(issuer={self.issuer!r}, token_use={self.token_use!r})"

    def verify(self, token: str, now: int) -> Claims:
        key = self._signing_key(_header_kid(token))
        is_id = self.token_use == "id"
        payload = _decode(
            token, key, self.algorithm, issuer=self.issuer,
            audience=self.client_id if is_id else None,
            require=["sub", "iss", "exp", "iat", "token_use",
                     "aud" if is_id else "client_id", COGNITO_ROLE_CLAIM, self.agency_claim])
        if payload.get("token_use") != self.token_use:
            raise TokenError("bad_claims")
        if not is_id and payload.get("client_id") != self.client_id:
            raise TokenError("wrong_audience")
        return _claims(payload, _role_from_groups(payload.get(COGNITO_ROLE_CLAIM)),
                       payload.get(self.agency_claim), now)

    def _signing_key(self, kid: str) -> PyJWK:
        """The RSA key with this kid; PyJWKClient refetches once for an unknown kid."""
        if self._client is None:
            assert self._keys is not None
            found = [k for k in self._keys.keys
                     if k.key_id == kid and k.public_key_use in ("sig", None)]
            key = found[0] if len(found) == 1 else None
        else:
            try:
                key = self._client.get_signing_key(kid)
            except jwt.PyJWKClientConnectionError as error:
                raise KeysUnavailable("the Cognito JWKS could not be fetched") from error
            except jwt.PyJWKSetError as error:
                raise KeysUnavailable("the Cognito JWKS holds no usable key") from error
            except jwt.PyJWKClientError:
                key = None
        if key is None or key.key_type != "RSA" or key.algorithm_name != self.algorithm:
            raise TokenError("bad_signature")
        return key


# --- shared checks -----------------------------------------------------------------------

def _trusted_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"))


def _checked_secret(secret: bytes) -> bytes:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the token secret must be at least {MIN_SECRET_BYTES} bytes")
    return secret


def _header_kid(token: str) -> str:
    _check_shape(token)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise TokenError("malformed") from None
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenError("malformed")
    return kid


def _check_shape(token: str) -> None:
    if not isinstance(token, str) or not token:
        raise TokenError("missing")
    if len(token) > MAX_TOKEN_CHARS or not TOKEN68.fullmatch(token):
        raise TokenError("malformed")


def _decode(token: str, key: bytes | PyJWK, algorithm: str, *, issuer: str,
            audience: str | None, require: list[str]) -> dict[str, Any]:
    """Signature, issuer and audience through PyJWT; time is checked by `_claims` with `now`."""
    _check_shape(token)
    options: Options = {"require": require, "verify_exp": False, "verify_iat": False,
                        "verify_nbf": False, "verify_aud": audience is not None,
                        "strict_aud": True, "enforce_minimum_key_length": True}
    try:
        return jwt.decode(token, key, algorithms=[algorithm], options=options,
                          issuer=issuer, audience=audience)
    except jwt.MissingRequiredClaimError as error:
        code = {"iss": "wrong_issuer", "aud": "wrong_audience"}.get(error.claim, "bad_claims")
        raise TokenError(code) from None
    except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError, jwt.InvalidKeyError):
        raise TokenError("bad_signature") from None
    except jwt.InvalidIssuerError:
        raise TokenError("wrong_issuer") from None
    except jwt.InvalidAudienceError:
        raise TokenError("wrong_audience") from None
    except jwt.DecodeError:
        raise TokenError("malformed") from None
    except jwt.PyJWTError:
        raise TokenError("bad_claims") from None


def _numeric_date(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TokenError("bad_claims")
    return int(value)


def _claims(payload: dict[str, Any], role: Any, agency: Any, now: int,
            max_lifetime: int = MAX_LIFETIME_SECONDS) -> Claims:
    expires_at = _numeric_date(payload.get("exp"))
    issued_at = _numeric_date(payload.get("iat"))
    if now - LEEWAY_SECONDS >= expires_at:
        raise TokenError("expired")
    if issued_at > now + LEEWAY_SECONDS or issued_at >= expires_at:
        raise TokenError("bad_claims")
    if expires_at - issued_at > max_lifetime:
        raise TokenError("bad_claims")
    if "nbf" in payload and _numeric_date(payload["nbf"]) > now + LEEWAY_SECONDS:
        raise TokenError("bad_claims")
    subject = payload.get("sub")
    if not isinstance(subject, str) or not SUBJECT.fullmatch(subject):
        raise TokenError("bad_claims")
    if not isinstance(role, str) or role not in ROLES:
        raise TokenError("bad_claims")
    if not isinstance(agency, str) or not AGENCY_ID.fullmatch(agency):
        raise TokenError("bad_claims")
    return Claims(subject=subject, role=role, agency=agency, expires_at=expires_at,
                  issued_at=issued_at)


def _role_from_groups(groups: Any) -> str | None:
    """Exactly one of the user's groups must be a role; none or several is refused."""
    if not isinstance(groups, list):
        return None
    roles = {g for g in groups if isinstance(g, str) and g in ROLES}
    return roles.pop() if len(roles) == 1 else None


# --- the request header ------------------------------------------------------------------

def bearer_token(headers: Mapping[str, str]) -> str:
    """The token from `Authorization: Bearer <token>` (any case of the header name)."""
    values = [v for k, v in headers.items() if isinstance(k, str) and k.lower() == "authorization"]
    if not values or not (values[0] or "").strip():
        raise TokenError("missing")
    if len(values) > 1 or not isinstance(values[0], str):
        raise TokenError("malformed")
    parts = values[0].split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise TokenError("malformed")
    _check_shape(parts[1])
    return parts[1]
