"""What apps' pages share to answer a "delete this?" question."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def delete_asked(
    request: HttpRequest, delete: Callable[[], None], title: str, done: str
) -> tuple[HttpResponse | None, list[str]]:
    """Answer a page asking "delete ``title``?": on POST, ``delete()`` runs; done, the answer is
    a redirect to ``done`` saying so, else the reasons the service refused, for the page to ask
    again with them. A GET changes nothing: no answer and no reasons."""
    if request.method != "POST":
        return None, []
    try:
        delete()
    except ValidationError as error:
        return None, error.messages
    messages.success(request, _("“%(title)s” is deleted.") % {"title": title})
    return redirect(done), []
