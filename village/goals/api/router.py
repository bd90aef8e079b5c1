"""Learning-goal endpoints: ``/api/v1/goals/…``.

Everything through ``village.goals.policies``, as on the pages: staff see the sets and plans of
the classes they teach (admins, of their schools), and only a class's teachers answer efforts;
students see the published sets of their current classes and their own plans, and record their
efforts; guardians see the published sets of their children's classes and the children's plans
where their link allows goals, encourage, and answer the children's requests for help at home.
What the caller may not see answers 404, as if it did not exist; what they see but may not
change, 403. Bad input, and a change the rules refuse, answer 422 naming the field, and change
nothing. Every answer that shows a student's record is written to the audit log (channel
``api``), one entry per student. Evidence files are not part of the API.
"""

from ninja import Router

from village.accounts.api_auth import api_auth
from village.goals.api.efforts import router as efforts_router
from village.goals.api.family import router as family_router
from village.goals.api.plans import router as plans_router
from village.goals.api.sets import router as sets_router

router = Router(auth=api_auth, tags=["goals"])
router.add_router("", sets_router)
router.add_router("", plans_router)
router.add_router("", efforts_router)
router.add_router("", family_router)
