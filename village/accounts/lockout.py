"""When failed sign-ins lock an account out (django-axes keeps the count).

Two limits hold together, both over the last ``AXES_COOLOFF_TIME``:

- ``AXES_FAILURE_LIMIT`` (5) failures for one username from one client (an IPv4 address or an
  IPv6 /64, see ``village.core.clientip``) lock that pair out. Somebody else behind the same
  address, a school's say, still signs in to their own account.
- ``VILLAGE_LOGIN_FAILURE_LIMIT_PER_ACCOUNT`` (20) failures for one username from all clients
  together lock the account out everywhere, so guesses spread over many addresses are stopped.
  Each client counts towards it with at most ``AXES_FAILURE_LIMIT`` failures, so no one client
  locks anybody out everywhere. Resetting the password lifts it.

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
from django.db.models import QuerySet, Sum
from django.http import HttpRequest


class AccountLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures that count against this attempt: those of its (username, client) pair,
        or the limit itself once the username's failures from all clients reach theirs."""
        username = get_client_username(request, credentials)
        if username is None:
            return super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        recent = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        )
        client = getattr(request, "axes_ip_address", None)
        pair = recent.filter(ip_address=client).aggregate(n=Sum("failures_since_start"))["n"] or 0
        if pair < limit and _account_failures(recent, per_client=limit) >= _account_limit():
            return limit
        return pair


def _account_limit() -> int:
    return int(settings.VILLAGE_LOGIN_FAILURE_LIMIT_PER_ACCOUNT)


def _account_failures(recent: QuerySet[AccessAttempt], *, per_client: int) -> int:
    """The failures of all clients together, each client's counted up to ``per_client``: one
    client alone (a classmate at the school's shared address, say) cannot lock the account
    out everywhere. Counting stops at the account's limit."""
    by_client = (
        recent.values("ip_address")
        .annotate(n=Sum("failures_since_start"))
        .order_by()
        .values_list("n", flat=True)
    )
    # Every client has at least one failure: as many clients as the limit reach it.
    return sum(min(failures, per_client) for failures in by_client[: _account_limit()])
