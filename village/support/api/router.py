"""Support endpoints: ``/api/v1/support/…``.

Everything through ``village.support.policies``, as on the pages: a student opens their own
profile, a guardian their children's where the link allows the support plan, staff the profiles
of the students they are current staff of; each reads the entries their visibility allows
(restricted ones: only the named staff). Each writes their own entries of the section they may
write, and the admins of the student's school and its support team set accommodations. What the
caller may not see answers 404, as if it did not exist; what they see but may not change, 403.
Bad input, and a change the rules refuse, answer 422 naming the field, and change nothing.
Every answer that shows a student's profile is written to the audit log (channel ``api``), with
one more entry for each restricted entry shown.
"""

from ninja import Router

from village.accounts.api_auth import api_auth
from village.support.api.accommodations import router as accommodations_router
from village.support.api.plan_record import router as plan_record_router
from village.support.api.plans import router as plans_router
from village.support.api.profiles import router as profiles_router

router = Router(auth=api_auth, tags=["support"])
router.add_router("", profiles_router)
router.add_router("", accommodations_router)
router.add_router("", plans_router)
router.add_router("", plan_record_router)
