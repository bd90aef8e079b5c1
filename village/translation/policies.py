"""Who may change a school's glossary: an admin of the school or of its district (as for the
school's other settings); anyone else finds no such page."""

from __future__ import annotations

from django.http import Http404

from village.community import policies
from village.community.models import Organisation
from village.community.policies import AnyUser
from village.core.policies import one_or_404
from village.translation.models import GlossaryTerm


def may_manage_glossary(user: AnyUser, school: Organisation) -> bool:
    return policies.can_manage_school(user, school)


def school_for_glossary(user: AnyUser, school_id: int) -> Organisation:
    """A school whose glossary ``user`` may change, or ``Http404``."""
    return one_or_404(policies.administered_schools(user).filter(pk=school_id), "No such school.")


def glossary_term_for_editor(user: AnyUser, school_id: int, term_id: int) -> GlossaryTerm:
    """A term of a school's glossary ``user`` may change, or ``Http404``."""
    school = school_for_glossary(user, school_id)
    entry = GlossaryTerm.objects.filter(school=school, pk=term_id).first()
    if entry is None:
        raise Http404("No such term.")
    return entry
