"""What the authorization matrices share: the persona district's people, its classes and their
students (``village.demo.personas``), and signed-in clients for the web and the API."""

from __future__ import annotations

from django.test import Client

from village.accounts.models import User
from village.accounts.tokens import token_create
from village.community import services as community_services
from village.demo.personas import Personas

#: Staff of Riverside K-8 and Oakhill (the sister school), district staff, students, families,
#: the partner library, and Lakeside (another district: Olga's child Finn, Eve, Park, Stone).
STAFF = ["rivera", "chen", "park", "stone", "nguyen", "priya"]
STUDENTS = ["ada", "leo", "maya", "mina", "finn"]
FAMILIES = ["sam", "jordan", "olga", "eve"]
EVERYONE = [*STAFF, *STUDENTS, *FAMILIES, "library"]
#: Everyone but the students of the other schools (Mina, Finn): the pages of the matrices that
#: use it check those students' own views through their classes.
RIVERSIDE_STUDENTS_AND_ADULTS = [name for name in EVERYONE if name not in ("mina", "finn")]

#: Each class of the matrices and the student it is checked with.
CLASSES = {
    "homeroom5": "ada",
    "science8": "leo",
    "math8": "leo",
    "sister_class": "mina",
    "other_class": "finn",
}


def client_for(user: User) -> Client:
    """A browser signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def api_client_for(user: User) -> Client:
    """An API client with a new personal token of ``user``."""
    _token, secret = token_create(user=user, name="authorization matrix")
    return Client(headers={"authorization": f"Bearer {secret}"})


def olga_at_both_schools(personas: Personas) -> User:
    """Olga as PRODUCT.md has her: Mina at Oak Hill and Maya at Riverside K-8."""
    community_services.guardian_link(guardian=personas.olga, student=personas.maya)
    return personas.olga
