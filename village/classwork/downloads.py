"""Handing out stored files (submissions, assignment materials): always as a download under the
file's own name, never something a browser may guess the type of or run."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.urls import reverse

from village.accounts.models import User
from village.classwork import policies
from village.classwork.models import Submission


def attachment(field_file: FieldFile, name: str, content_type: str) -> FileResponse:
    """The file as a download under its own name; browsers must not guess its type or run it.
    ``field_file`` comes from a ``village.classwork.policies`` loader (404 if storage lost it)."""
    response = FileResponse(
        policies.stored_file_for_viewer(field_file),
        as_attachment=True,
        filename=name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def submission_download(user: User, submission_id: int) -> tuple[FileResponse, Submission]:
    """A handed-in file, for whoever may open the submission (``policies.visible_submissions``:
    the student, staff of the class, a guardian whose link allows classwork); else 404. The
    caller audits a download by anyone but the student."""
    submission = policies.submission_file_for_viewer(user, submission_id)
    name = submission.file_name or PurePosixPath(submission.file.name or "").name
    return attachment(submission.file, name, submission.content_type), submission


def material_download(user: User, material_id: int) -> FileResponse:
    """A file that goes with an assignment, for anyone who may see the assignment; else 404."""
    material = policies.material_file_for_viewer(user, material_id)
    name = PurePosixPath(material.file.name or "").name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return attachment(material.file, name, content_type)


def material_api_path(material_id: int) -> str:
    """Where a material's file is downloaded through the JSON API (a personal token works)."""
    return reverse("api:material_download", args=[material_id])
