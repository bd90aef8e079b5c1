"""When failed sign-ins lock an account out (django-axes keeps the count).

Two limits hold together, both over the last ``AXES_COOLOFF_TIME``:

- ``AXES_FAILURE_LIMIT`` (5) failures for one username from one client (an IPv4 address or an
  IPv6 /64, see ``village.core.clientip``) lock that pair out. Somebody else behind the same
  address, a school's say, still signs in to their own account.
- ``VILLAGE_LOGIN_FAILURE_LIMIT_PER_ACCOUNT`` (20) failures for one username from all clients
  together lock the account out everywhere, so guesses spread over many addresses are stopped.
  Resetting the password lifts it.

A successful sign-in clears only its own client's failures: the owner signing in does not
give somebody guessing from elsewhere a fresh allowance.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest


class AccountLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures that count against this attempt: those of its (username, client) pair,
        or the limit itself once the username's failures from all clients reach theirs."""
        username = get_client_username(request, credentials)
        if username is None:
            return super().get_failures(request, credentials)
        client = getattr(request, "axes_ip_address", None)
        counts = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(
            pair=Sum("failures_since_start", filter=Q(ip_address=client)),
            account=Sum("failures_since_start"),
        )
        pair, account = counts["pair"] or 0, counts["account"] or 0
        if account >= settings.VILLAGE_LOGIN_FAILURE_LIMIT_PER_ACCOUNT:
            return max(pair, get_failure_limit(request, credentials))
        return pair
