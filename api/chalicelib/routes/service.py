"""About the service itself: whether it is up, and the OpenAPI document. Both public."""

from __future__ import annotations

from .. import responses
from ..runtime import runtime
from .area import Area

area = Area("service")


@area.route("/v1/health", public=True)
def health():
    return responses.ok({"service": "dipforms"})


@area.route("/v1/openapi.json", public=True)
def openapi():
    """Built from the catalogue's manifest and each form's current schema."""
    from ..domain.openapi import build_openapi

    catalogue = runtime().context.catalogue
    schemas = {form_id: catalogue.current(form_id).schema for form_id in catalogue.forms}
    return responses.document(build_openapi(catalogue.manifest, schemas))
