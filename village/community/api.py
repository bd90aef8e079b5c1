"""Community endpoints of the JSON API: the caller, their children, classes, rosters, students.

Thin by design: each endpoint loads through ``api_queries`` (which starts from the access policy)
and shapes the answer with ``schemas``. What the caller may not see answers 404, exactly as if it
did not exist; a visible class whose roster is closed to the caller answers 403.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from village.accounts.api import api_caller
from village.accounts.api_auth import api_auth
from village.accounts.models import User
from village.community import api_queries
from village.community.models import GuardianLink, SchoolClass
from village.community.policies import class_for_viewer, student_for_viewer
from village.community.schemas import (
    ChildOut,
    ClassOut,
    MeOut,
    RosterEntryOut,
    StudentOut,
)
from village.core.api import LISTED, READ, SIGNED_IN, ErrorOut, Id, Pages

#: The most items one page may hold, whatever ``limit`` asks for.
MAX_PAGE_SIZE = 200

me_router = Router(auth=api_auth, tags=["me"])
classes_router = Router(auth=api_auth, tags=["classes"])
students_router = Router(auth=api_auth, tags=["students"])


@me_router.get(
    "",
    response={200: MeOut, **SIGNED_IN},
    summary="The caller",
    description="The signed-in person's profile and current roles in each organisation.",
)
def me(request: HttpRequest) -> User:
    return api_caller(request)


@me_router.get(
    "/children",
    response={200: list[ChildOut], **LISTED},
    summary="The caller's children",
    description=(
        "For a guardian: each child they may see, with the areas (scopes) this guardian may see "
        "and the child's current classes. Anyone else gets an empty list. The view of each "
        "child is written to the audit log."
    ),
)
@paginate(Pages, max_limit=MAX_PAGE_SIZE)
def my_children(request: HttpRequest) -> QuerySet[GuardianLink]:
    return api_queries.children_of_guardian(api_caller(request), request=request)


@classes_router.get(
    "",
    response={200: list[ClassOut], **LISTED},
    summary="Classes",
    description=(
        "The classes the caller may see: their own, their children's, or, for school and "
        "district administrators, every class of their schools. Ordered by title."
    ),
)
@paginate(Pages, max_limit=MAX_PAGE_SIZE)
def class_list(request: HttpRequest) -> QuerySet[SchoolClass]:
    return api_queries.classes_for_api(api_caller(request))


@classes_router.get(
    "/{class_id}",
    response={200: ClassOut, **READ},
    summary="One class",
    description="A class the caller may see, with course, school and teachers; 404 otherwise.",
)
def class_detail(request: HttpRequest, class_id: Id) -> SchoolClass:
    return api_queries.class_for_api(class_for_viewer(api_caller(request), class_id))


@classes_router.get(
    "/{class_id}/roster",
    response={200: list[RosterEntryOut], 403: ErrorOut, **READ},
    summary="A class's students",
    description=(
        "The students of a class, by last name. Staff of the class and administrators of its "
        "school get full names and student ids (and the view is written to the audit log); "
        "students of the class get names as the class's roster visibility allows. 404 if the "
        "class is not visible to the caller, 403 if it is but its roster is not."
    ),
)
@paginate(Pages, max_limit=MAX_PAGE_SIZE)
def class_roster(request: HttpRequest, class_id: Id) -> QuerySet[User]:
    user = api_caller(request)
    school_class = class_for_viewer(user, class_id)
    return api_queries.roster_for_api(user, school_class, request=request)


@students_router.get(
    "/{student_id}",
    response={200: StudentOut, **READ},
    summary="One student",
    description=(
        "A student the caller may see: profile, school and the current classes the caller may "
        "see. School staff also get the student's guardian links; a guardian gets only their own "
        "link with its scopes. Every view by anyone but the student is written to the audit log. "
        "404 if the student is not visible to the caller."
    ),
)
def student_detail(request: HttpRequest, student_id: Id) -> StudentOut:
    user = api_caller(request)
    student = student_for_viewer(user, student_id, request=request, channel="api")
    return StudentOut.build(api_queries.student_detail_for_api(user, student))
