"""The personas a module shares (see conftest.py) behave as if each test had built its own:
what one test changes, in the database or in the objects, the next test does not see."""

from __future__ import annotations

from village.accounts.models import User
from village.community import services
from village.community.models import GuardianLink


def test_a_test_may_change_the_personas(personas, request):
    assert request.module.__name__ in request.config.stash[conftest_key(request)]
    personas.sam.first_name = "Changed"
    personas.sam.save(update_fields=["first_name"])
    services.guardian_link(guardian=personas.sam, student=personas.maya)
    User.objects.filter(pk=personas.library.pk).delete()


def test_the_next_test_gets_them_as_built(personas):
    assert personas.sam.first_name == "Sam"
    assert User.objects.get(pk=personas.sam.pk).first_name == "Sam"
    assert User.objects.filter(pk=personas.library.pk).exists()
    assert not GuardianLink.objects.filter(guardian=personas.sam, student=personas.maya).exists()


def test_each_test_gets_its_own_objects(personas, module_personas):
    assert personas.sam is not module_personas.sam
    assert personas.sam.pk == module_personas.sam.pk
    # Objects that were the same stay the same within one copy.
    assert personas.term is personas.year


def conftest_key(request):
    import conftest

    return conftest._SHARING_MODULES
