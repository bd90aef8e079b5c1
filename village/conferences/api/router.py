"""Conference endpoints: ``/api/v1/conferences/…``.

Rounds, slots and bookings through ``village.conferences.policies``, as on the pages: staff see
and change the rounds and slots of their schools (a teacher their own slots, an admin any
teacher's) and the bookings of those slots; a guardian sees the published rounds of their
children's schools, each child's free times, and books, moves and cancels the children's
conferences. What the caller may not see answers 404, as if it did not exist; a round they see
but may not change answers 403. Bad input, and a change the rules refuse (a time just taken,
the cut-off passed), answer 422 naming the field, and change nothing. Times without an offset
are read in the caller's own time zone; times are answered in UTC.
"""

from ninja import Router

from village.accounts.api_auth import api_auth
from village.conferences.api import bookings, rounds

router = Router(auth=api_auth, tags=["conferences"])
router.add_router("", rounds.router)
router.add_router("", bookings.router)
