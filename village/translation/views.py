"""The glossary page of a school: terms translation keeps as written, or always gives one way.

For the school's admins (and its district's): anyone else finds no such page. Views load the
school and its terms through ``policies`` and write through ``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from village.accounts.models import User
from village.community.models import Organisation
from village.translation import policies, selectors, services
from village.translation.forms import GlossaryTermForm
from village.translation.models import GlossaryTerm


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _save(
    request: HttpRequest, school: Organisation, form: GlossaryTermForm, entry: GlossaryTerm | None
) -> bool:
    """Save the form's term through the service; its refusals go on the form's fields."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        saved = services.glossary_term_save(
            school=school,
            term=data["term"],
            rule=data["rule"],
            source_language=data["source_language"],
            target_language=data["target_language"],
            replacement=data["replacement"],
            changed_by=_viewer(request),
            entry=entry,
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    messages.success(
        request,
        _("“%(term)s” is saved. Translations at %(school)s are being made again with it.")
        % {"term": saved.term, "school": school.name},
    )
    return True


@login_required
@require_http_methods(["GET", "POST"])
def glossary(request: HttpRequest, school_id: int) -> HttpResponse:
    school = policies.school_for_glossary(_viewer(request), school_id)
    form = GlossaryTermForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _save(request, school, form, None):
        return redirect("translation:glossary", school_id=school.pk)
    context = {"school": school, "terms": selectors.glossary_terms(school.pk), "form": form}
    return render(request, "translation/glossary.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def glossary_term_edit(request: HttpRequest, school_id: int, term_id: int) -> HttpResponse:
    entry = policies.glossary_term_for_editor(_viewer(request), school_id, term_id)
    school = entry.school
    data = request.POST if request.method == "POST" else None
    form = GlossaryTermForm(data, entry=entry)
    if request.method == "POST" and _save(request, school, form, entry):
        return redirect("translation:glossary", school_id=school.pk)
    return render(
        request, "translation/glossary_term.html", {"school": school, "entry": entry, "form": form}
    )


@login_required
@require_POST
def glossary_term_remove(request: HttpRequest, school_id: int, term_id: int) -> HttpResponse:
    entry = policies.glossary_term_for_editor(_viewer(request), school_id, term_id)
    services.glossary_term_delete(entry=entry)
    messages.success(request, _("“%(term)s” is no longer in the glossary.") % {"term": entry.term})
    return redirect("translation:glossary", school_id=school_id)
