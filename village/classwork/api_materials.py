"""A piece of work's materials (links and files) as both classwork APIs show them."""

from __future__ import annotations

from django.urls import reverse
from ninja import Field, Schema

from village.classwork.downloads import material_api_path
from village.classwork.models import AssignmentMaterial


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
