"""One area of the API as a Chalice blueprint. `Area.route` is the one decorator every
route has: it verifies the bearer token (unless the route is public), hands the view the
caller, answers the view's result through responses.py, and turns any failure nobody
foresaw into a 500 in the one error shape, logging only the failure's type.

The HTTP edge: views read the request through the Area (`json_body`, `query`, `header`)
and return a result; nothing below this folder sees the request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from .. import responses
from ..domain.results import Refused, Result
from ..runtime import runtime
from ..settings import MAX_BODY_BYTES
from . import jsonbody

#: The content types a route with a body accepts: we check the type ourselves, so as to
#: answer in our own error shape rather than chalice's.
ANY = ["*/*"]


class RequestRefused(Exception):
    """Raised by a view (through the Area's readers) to answer a refusal at once."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.code)
        self.refused = refused


class Area:
    def __init__(self, name: str) -> None:
        self.blueprint = Blueprint(name)

    # -- the one decorator ------------------------------------------------------------------

    def route(self, path: str, methods: tuple[str, ...] = ("GET",), *,
              public: bool = False) -> Callable:
        """Register `view` at `path`. Signed in (not `public`), the view is called as
        view(who, **path params), `who` the verified caller; public, as view(**params).
        It returns a result, or a Response when it must answer outside the one shape."""
        extra = {} if methods == ("GET",) else {"content_types": ANY}

        def register(view: Callable[..., Result | Response]) -> Callable:
            def handler(**params: str) -> Response:
                return self._answer(view, params, public)

            handler.__name__, handler.__doc__ = view.__name__, view.__doc__
            self.blueprint.route(path, methods=list(methods), **extra)(handler)
            return view
        return register

    def _answer(self, view: Callable[..., Result | Response], params: dict[str, str],
                public: bool) -> Response:
        try:
            if public:
                result = view(**params)
            elif self.credentials_repeated():  # one Authorization, or none: never two
                return responses.error("unauthenticated",
                                       headers={"WWW-Authenticate": 'Bearer realm="dipforms"'})
            else:
                who = self._caller()
                if isinstance(who, Response):
                    return who
                result = view(who, **params)
        except RequestRefused as refusal:
            return responses.answer(refusal.refused)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            from ..stage_config import StageConfigUnavailable
            from ..store.base import StoreError

            if isinstance(exc, StoreError):
                self.blueprint.log.error("store unavailable: %s", type(exc).__name__)
                return responses.error("unavailable")
            if isinstance(exc, StageConfigUnavailable):   # names a variable, never a value
                self.blueprint.log.error("stage settings unavailable: %s", exc)
                return responses.error("unavailable")
            self.blueprint.log.error("unhandled %s", type(exc).__name__)
            return responses.error("internal")
        return result if isinstance(result, Response) else responses.answer(result)

    def _caller(self):
        """The verified caller, or the 401 (503 when the keys or the directory cannot be
        had) to answer. A token is good only while its user exists and is enabled: the
        user directory is asked on every request (directory.py), so a disabled user's next
        request is refused, as is a token naming a user there never was."""
        from ..clock import epoch_seconds
        from ..directory import DirectoryUnavailable
        from ..domain.access import Principal
        from ..tokens import KeysUnavailable, TokenError, bearer_token

        try:
            token = bearer_token(self.request.headers)
            claims = runtime().verifier.verify(token, epoch_seconds(runtime().clock))
            if not runtime().users.is_active(claims.subject):
                raise TokenError("inactive")
            return Principal.from_claims(claims)
        except (KeysUnavailable, DirectoryUnavailable):
            return responses.error("unavailable")  # our fault (no keys, no directory)
        except (TokenError, ValueError):
            return responses.error("unauthenticated",
                                   headers={"WWW-Authenticate": 'Bearer realm="dipforms"'})

    # -- reading the request ---------------------------------------------------------------

    @property
    def request(self):
        return self.blueprint.current_request

    @property
    def log(self):
        return self.blueprint.log

    def request_id(self) -> str:
        """API Gateway's id for this request (made up on one machine), for the audit log."""
        context = self.request.context or {}
        return context.get("requestId") or str(uuid.uuid4())

    def source_ip(self) -> str | None:
        identity = (self.request.context or {}).get("identity") or {}
        return identity.get("sourceIp")

    def query(self) -> dict[str, str]:
        return self.request.query_params or {}

    def header(self, name: str) -> str:
        return (self.request.headers.get(name) or "").strip()

    def json_body(self) -> Any:
        """The parsed JSON body; refused when it is not JSON (415), too large (413) or
        unreadable (400)."""
        kind = (self.request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise RequestRefused(Refused("unsupported_media_type"))
        raw = self.request.raw_body or b""
        if len(raw) > MAX_BODY_BYTES:
            raise RequestRefused(Refused("too_large"))
        parsed = jsonbody.parse(raw)  # nested too deep, lone surrogates, Infinity: 400
        if isinstance(parsed, Refused):
            raise RequestRefused(parsed)
        return parsed

    def credentials_repeated(self) -> bool:
        """Whether the request carries more than one Authorization: sent twice (API
        Gateway keeps each in multiValueHeaders) or joined into one (the local server
        joins a repeated header with ', '; a bearer token never holds a comma)."""
        event = self.request.to_original_event() or {}
        sent = [values for name, values in (event.get("multiValueHeaders") or {}).items()
                if name.lower() == "authorization"]
        if sum(len(values or ()) for values in sent) > 1:
            return True
        return "," in (self.request.headers.get("authorization") or "")
