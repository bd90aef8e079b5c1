"""Email about what a roster import changed, sent once the import is committed."""

from __future__ import annotations

from village.accounts.models import User
from village.core.mail import send_email


def email_changes_notify(changes: dict[int, str]) -> None:
    """Tell each person whose email address an import changed, at the address they had
    (user id -> old address): a changed address is how an account is taken over."""
    for user in User.objects.filter(pk__in=list(changes)).order_by("pk"):
        send_email(
            template="rostering/email/email_changed",
            context={"user": user},
            to=[changes[user.pk]],
            language=user.ui_language,
            time_zone=user.timezone,
        )
