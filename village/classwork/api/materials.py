"""Materials through the API: the download (for anyone who may see the work) and, for teachers,
adding and removing them."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from village.accounts.api import api_caller
from village.classwork import downloads, policies
from village.classwork.api.common import invalid, staff_assignment
from village.classwork.downloads import material_api_path
from village.classwork.models import (
    AssignmentMaterial,
)
from village.classwork.services import materials as material_services
from village.classwork.services.materials import MATERIAL_SUFFIXES, MAX_MATERIAL_BYTES
from village.core.api import (
    READ,
    WRITE,
    ErrorOut,
    Id,
    ValidationErrorOut,
)
from village.core.text import single_line

#: The download, which students and families use too (listed first, before the teachers' own).
files_router = Router()
router = Router()


class MaterialOut(Schema):
    id: int
    title: str
    url: str = Field(description="The link, or where to download the file (web session).")
    is_file: bool
    download: str | None = Field(
        description="For a file: where to download it in this API (a personal token works)."
    )


def material_out(material: AssignmentMaterial) -> MaterialOut:
    is_file = bool(material.file)
    return MaterialOut(
        id=material.pk,
        title=material.title,
        url=reverse("classwork:material_file", args=[material.pk]) if is_file else material.url,
        is_file=is_file,
        download=material_api_path(material.pk) if is_file else None,
    )


@files_router.get(
    "/materials/{material_id}/file",
    url_name="material_download",
    response=READ,
    tags=["classwork"],
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with the media type of its kind (e.g. application/pdf).",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    summary="Download a file that goes with an assignment",
    description=(
        "The file as an attachment, for anyone who may see its assignment: the class's staff, "
        "its students once the work is published, and their families where the work is shown "
        "to families and their link allows classwork. 404 for anyone else, or for a link."
    ),
    operation_id="village_classwork_api_teacher_material_download",
)
def material_download(request: HttpRequest, material_id: Id) -> FileResponse:
    return downloads.material_download(api_caller(request), material_id)


@router.post(
    "/assignments/{assignment_id}/materials",
    response={201: MaterialOut, **WRITE},
    summary="Attach a file or a link to an assignment",
    description=(
        "A multipart form (``multipart/form-data``) with a ``title`` and either a ``file`` or a "
        "``url`` (``http`` or ``https``), not both; without a title, the file's name or the link "
        "is the title. The material comes after the work's others. A file is at most "
        f"{MAX_MATERIAL_BYTES // 1024 // 1024} MB, of one of these types: "
        f"{', '.join(sorted(s.lstrip('.') for s in MATERIAL_SUFFIXES))}; it is "
        "downloaded from the ``url`` answered, by anyone who may see the work (a page of the "
        "site: it takes a browser session, not a token). 403 for an admin of the school; 422 "
        "naming the field (``file`` or ``url``) for bad input, and nothing is attached."
    ),
    operation_id="village_classwork_api_teacher_material_add",
)
def material_add(
    request: HttpRequest,
    assignment_id: Id,
    title: Form[str] = "",
    url: Form[str] = "",
    file: File[UploadedFile | None] = None,
) -> Status[Any]:
    work = staff_assignment(api_caller(request), assignment_id, change=True)
    try:
        single_line(title, field="title")
        material = material_services.material_add(assignment=work, title=title, url=url, file=file)
    except ValidationError as error:
        return invalid(error, fields={})
    return Status(201, material_out(material))


@router.delete(
    "/assignments/{assignment_id}/materials/{material_id}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Remove a material from an assignment",
    description=(
        "Removes a file or link from the work; a file is deleted with it. 404 for a material "
        "of another assignment; 403 for an admin of the school."
    ),
    operation_id="village_classwork_api_teacher_material_remove",
)
def material_remove(request: HttpRequest, assignment_id: Id, material_id: Id) -> Status[None]:
    work = staff_assignment(api_caller(request), assignment_id, change=True)
    material = policies.material_for_editor(work, material_id)
    material_services.material_remove(material=material)
    return Status(204, None)
