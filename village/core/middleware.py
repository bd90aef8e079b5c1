"""Response headers every Village answer carries: a Content-Security-Policy, and ``no-store``
on everything that may show a person's records.

- The policy comes from ``settings.VILLAGE_CONTENT_SECURITY_POLICY`` (directive → sources);
  Village's pages need no inline script, inline style or ``eval``, so the policy allows none.
  A view that needs another policy sets the header itself, and it is kept.
- ``Cache-Control: no-store`` goes on every response to a signed-in user and on every API
  response (a token caller is not signed in through the session): neither a shared cache nor
  the browser's back button keeps a child's record. Static files stay cacheable; WhiteNoise
  answers them before this middleware runs, and in development they are left alone here too.
- Neither header depends on anything that can fail: when who is signed in cannot be told (the
  session store is down and the answer is the error page), the answer is treated as private.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

CSP_HEADER = "Content-Security-Policy"

logger = logging.getLogger(__name__)


def content_security_policy(directives: Mapping[str, Sequence[str]]) -> str:
    """The header value: ``directive source source; directive ...`` in the given order."""
    return "; ".join(
        " ".join([name, *sources]) if sources else name for name, sources in directives.items()
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy(settings.VILLAGE_CONTENT_SECURITY_POLICY)
        self.private_prefixes = tuple(settings.VILLAGE_NO_STORE_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        if not _debug_error_page(response):
            response.headers.setdefault(CSP_HEADER, self.policy)
        if self._is_private(request):
            add_never_cache_headers(response)
        return response

    def _is_private(self, request: HttpRequest) -> bool:
        if request.path.startswith(self.private_prefixes):
            return True
        user = getattr(request, "user", None)
        if user is None:
            return False
        try:
            return bool(user.is_authenticated)  # reads the session, and maybe the database
        except Exception:
            logger.warning("Who is signed in could not be told; the answer is kept private")
            return True


def _debug_error_page(response: HttpResponseBase) -> bool:
    """Django's own error pages in development (``DEBUG``) style themselves inline."""
    return settings.DEBUG and response.status_code in (404, 500)
