"""Village as the family-home benchmark serves it: production settings on the loopback.

``bench/family_home.py`` sets ``VILLAGE_PRODUCTION=1``, a bench secret key and
``VILLAGE_ALLOWED_HOSTS=127.0.0.1`` before Django starts, so everything production turns on
(DEBUG off, secure cookies, HSTS, manifest static files, persistent database connections) is on
here too. The load generator talks plain HTTP to 127.0.0.1 and says ``X-Forwarded-Proto: https``
as the TLS proxy in front of Village would; the HTTPS redirect is switched off all the same, so a
client that forgets the header measures Village rather than a redirect.
"""

import os

from village.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False

# bench/inbox.py measures the inbox once more with nothing kept: every list rendered afresh.
if os.environ.get("VILLAGE_BENCH_NOTHING_KEPT"):
    CACHES = {
        **CACHES,  # noqa: F405
        "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
