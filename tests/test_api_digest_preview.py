"""The digest preview in the API: a guardian's own next digest, each child within its link;
404 for everyone who is not a guardian."""

from __future__ import annotations

import pytest

from tests.authorization import EVERYONE, api_client_for
from village.core.models import AuditEvent

URL = "/api/v1/notifications/digest/preview"
#: Whose digests name which children (a guardian sees only their own children).
COVERS = {"sam": {"ada", "leo"}, "jordan": {"leo"}, "olga": {"mina"}, "eve": {"finn"}}


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", EVERYONE)
def test_each_guardian_previews_only_their_own_childrens_digest(personas, viewer):
    response = api_client_for(getattr(personas, viewer)).get(URL)
    if viewer not in COVERS:
        assert response.status_code == 404
        assert "children" not in response.json()
        return
    assert response.status_code == 200
    body = response.json()
    covered = {getattr(personas, name) for name in COVERS[viewer]}
    assert {child["id"] for child in body["children"]} == {child.pk for child in covered}
    others = {"ada", "leo", "maya", "mina", "finn"} - COVERS[viewer]
    for name in others:
        other = getattr(personas, name)
        assert f"/family/children/{other.pk}/" not in body["text"] + body["html"]


@pytest.mark.django_db
def test_sams_preview_is_in_spanish_and_jordans_has_no_grades(personas):
    from village.classwork.tests.factories import assignment, feedback

    work = assignment(personas.science8, "Density lab", due_in_days=-1)
    feedback(work, personas.leo, score=4)
    sam = api_client_for(personas.sam).get(URL).json()
    assert sam["language"] == "es"
    assert {child["name"] for child in sam["children"]} == {"Ada", "Leo"}
    assert "Density lab" in sam["text"]
    jordan = api_client_for(personas.jordan).get(URL).json()
    assert [child["name"] for child in jordan["children"]] == ["Leo"]
    assert "Density lab" in jordan["text"]
    assert "Density lab (Grade 8 Science): 4 de 10 (40%)" in sam["text"]
    assert "4 of 10" not in jordan["text"]
    assert "40%" not in jordan["text"] + jordan["html"]
    assert AuditEvent.objects.filter(actor=personas.jordan, student=personas.leo).exists()
