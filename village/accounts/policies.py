"""Who may see or change what of an account: a personal API token is its owner's alone."""

from __future__ import annotations

from django.http import Http404

from village.accounts.models import PersonalToken, User


def token_for_editor(user: User, token_id: int) -> PersonalToken:
    """One of ``user``'s own API tokens, or ``Http404``: another's does not exist for them."""
    token = PersonalToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404("No such token.")
    return token
