"""Classwork endpoints for a class's teachers: ``/api/v1/classwork/…``.

A class's work, topics and grading categories, each student's status on a piece of work, and
feedback. Every endpoint loads through ``village.classwork.policies``: a class or assignment the
caller does not see as staff (teacher, aide, or admin of its school) answers 404, as if it did not
exist; one they see but may not change (an admin's) answers 403 to a change. Bad input answers
422 naming the field, and changes nothing. Times without an offset are read in the caller's own
time zone; times are answered in UTC.
"""

from ninja import Router

from village.accounts.api_auth import api_auth
from village.classwork.api import assignments, categories, grading, materials, notes, topics

router = Router(auth=api_auth, tags=["classwork: teachers"])
router.add_router("", materials.files_router)
router.add_router("", assignments.router)
router.add_router("", materials.router)
router.add_router("", grading.router)
router.add_router("", topics.router)
router.add_router("", categories.router)
router.add_router("", notes.router)
