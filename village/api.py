"""The JSON API: ``/api/v1/…``, documented at ``/api/docs`` (OpenAPI at ``/api/openapi.json``)."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Village API",
    version="1",
    description="Village's JSON API. Every endpoint answers only with what the caller may see.",
    urls_namespace="api",
)
