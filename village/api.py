"""The JSON API: ``/api/v1/…``, documented at ``/api/docs`` (OpenAPI at ``/api/openapi.json``).

Every endpoint needs a signed-in caller (a personal token or the browser session) and answers only
with what that caller may see. Errors are ``{"detail": "..."}``: 401 without a valid sign-in, 404
for anything the caller may not see, 403 where the caller sees an object but not the part asked
for, 400 for a body that cannot be read, 422 naming the field for bad input (the shapes are in
``village.core.api``).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI

from village.announcements import api as announcements_api
from village.classwork.api import student as classwork_student
from village.classwork.api import teacher as classwork_teacher
from village.classwork.family import api as family_api
from village.community.api import classes_router, me_router, students_router
from village.conferences.api import router as conferences_api
from village.goals.api import router as goals_api
from village.messaging import api as messaging_api
from village.notifications import api as notifications_api
from village.support.api import router as support_api

api = NinjaAPI(
    title="Village API",
    version="1",
    description="Village's JSON API. Every endpoint answers only with what the caller may see.",
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The access policies raise 404 with a neutral message ("No such student.") that reveals
    # nothing about whether the object exists.
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(MultiPartParserError)
def unreadable_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A multipart body without its boundary, or cut short: like a JSON body that cannot be
    # parsed, the request itself is malformed.
    return api.create_response(
        request, {"detail": f"Cannot read the multipart form: {exc}"}, status=400
    )


api.add_router("/v1/me", me_router)
api.add_router("/v1/classes", classes_router)
api.add_router("/v1/students", students_router)
api.add_router("/v1/classwork", classwork_teacher.router)
api.add_router("/v1/my-work", classwork_student.router)
api.add_router("/v1/family", family_api.router)
api.add_router("/v1/notifications", notifications_api.router)
api.add_router("/v1/messages", messaging_api.router)
api.add_router("/v1/conferences", conferences_api.router)
api.add_router("/v1/goals", goals_api.router)
api.add_router("/v1/announcements", announcements_api.router)
api.add_router("/v1/support", support_api.router)
