"""Who may see or change what of an account: a personal API token is its owner's alone."""

from __future__ import annotations

from village.accounts.models import PersonalToken, User
from village.core.policies import one_or_404


def token_for_editor(user: User, token_id: int) -> PersonalToken:
    """One of ``user``'s own API tokens, or ``Http404``: another's does not exist for them."""
    return one_or_404(PersonalToken.objects.filter(pk=token_id, user=user), "No such token.")
