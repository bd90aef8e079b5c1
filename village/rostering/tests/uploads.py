"""Roster bundles to upload and the steps of the upload pages, for the upload and import tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from village.accounts.models import User
from village.rostering import services
from village.rostering.models import ImportStatus, RosterImport
from village.rostering.tests.builders import csv_text, manifest

STAMP = "2025-01-06T08:00:00Z"
DISTRICT = "demo-org-riverside"
SCHOOL = "demo-org-riverside-k8"
SISTER = "demo-org-oakhill"


def delta_rows(school: str = SCHOOL) -> dict[str, list[str]]:
    """A delta for Riverside K-8: a new term, course, class, teacher, student and parent."""
    active = f"active,{STAMP}"
    return {
        "orgs": [
            f"{DISTRICT},{active},Riverside Unified School District,district,,",
            f"{school},{active},Riverside K-8 School,school,RK8,{DISTRICT}",
        ],
        "academicSessions": [f"new-term,{active},Spring,term,2025-01-06,2025-06-13,,2025"],
        "courses": [f"new-course,{active},,Art 5,ART5,05,{school},,"],
        "classes": [
            f"new-class,{active},Art 5A,05,new-course,ART5A,scheduled,Studio,{school},new-term,,,2"
        ],
        "users": [
            f"new-teacher,{active},true,{school},teacher,hwong,,Hana,Wong,,,hwong@example.org,,,,,",
            f"new-student,{active},true,{school},student,tbaker,,Tom,Baker,,,,,,,05,",
            f"new-parent,{active},true,{school},parent,rbaker,,Rosa,Baker,,,rbaker@example.org,,,new-student,,",
        ],
        "enrollments": [
            f"new-e1,{active},new-class,{school},new-teacher,teacher,true,,",
            f"new-e2,{active},new-class,{school},new-student,student,false,,",
        ],
    }


def school_delta_rows() -> dict[str, list[str]]:
    """Riverside K-8's own delta: ``delta_rows`` without the new term (terms belong to the
    district, whose roster creates them), its new class in the district's school year."""
    rows = delta_rows()
    del rows["academicSessions"]
    rows["classes"] = [row.replace(",new-term,", ",demo-session-year,") for row in rows["classes"]]
    return rows


def bundle_bytes(rows: dict[str, list[str]], mode: str = "delta") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", manifest(dict.fromkeys(rows, mode)))
        for kind, kind_rows in rows.items():
            archive.writestr(f"{kind}.csv", csv_text(kind, kind_rows))
    return buffer.getvalue()


def zip_upload(content: bytes | None = None, name: str = "roster.zip") -> SimpleUploadedFile:
    data = bundle_bytes(delta_rows()) if content is None else content
    return SimpleUploadedFile(name, data, content_type="application/zip")


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def upload(client: Client, capture, org, file=None):
    with capture(execute=True):
        return client.post(
            reverse("rostering:upload"),
            {"organisation": org.pk, "file": file or zip_upload()},
        )


def confirm(client: Client, capture, roster_import: RosterImport):
    """Confirm, let the apply run, then open the page the confirm redirects to."""
    with capture(execute=True):
        response = client.post(reverse("rostering:confirm", args=[roster_import.pk]))
    assert response.status_code == 302
    return client.get(response["Location"])


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def validated_import(personas, capture) -> RosterImport:
    with capture(execute=True):
        roster_import = services.roster_import_create(
            uploaded_by=personas.priya, organisation=personas.district, upload=zip_upload()
        )
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.VALIDATED
    return roster_import
