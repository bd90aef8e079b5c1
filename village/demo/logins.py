"""The demo's sign-in sheet: one login per persona of PRODUCT.md and what to look at."""

from __future__ import annotations

from dataclasses import dataclass

from village.demo.personas import DEMO_PASSWORD


@dataclass(frozen=True)
class DemoLogin:
    persona: str
    role: str
    username: str
    look_at: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "Ms. Rivera",
        "Teacher",
        "rivera",
        "Grade 5 Homeroom and Grade 8 Science: rosters, families, home languages",
    ),
    DemoLogin("Mr. Chen", "Teacher", "chen", "Grade 8 Math: the class and its families"),
    DemoLogin("Ada", "Student, grade 5", "ada", "Her homeroom, teacher and classmates"),
    DemoLogin("Leo", "Student, grade 8", "leo", "Science and Math: his own work only"),
    DemoLogin(
        "Sam Okoye",
        "Guardian (Spanish)",
        "sam",
        "Ada and Leo in one family view, in Spanish",
    ),
    DemoLogin(
        "Jordan Bell",
        "Guardian, limited",
        "jordan",
        "Leo's classwork and goals only; never Ada",
    ),
    DemoLogin(
        "Principal Nguyen",
        "School admin",
        "nguyen",
        "All of Riverside K-8: classes, families, guardian coverage",
    ),
    DemoLogin(
        "Priya Raman",
        "District IT",
        "priya",
        "Both district schools: rosters, accounts, audit log",
    ),
    DemoLogin(
        "Grace Holloway",
        "Partner (Riverside Library)",
        "library",
        "Only what the schools share with partners",
    ),
    DemoLogin(
        "Eve Walsh",
        "Outsider (Lakeside)",
        "eve",
        "Nothing of Riverside: every page should refuse her",
    ),
)

HEADINGS = ("Persona", "Role", "Username", "Password", "Look at")


def logins_table(logins: tuple[DemoLogin, ...] = DEMO_LOGINS) -> str:
    """The logins as an aligned plain-text table, headings first."""
    rows = [HEADINGS, *((x.persona, x.role, x.username, DEMO_PASSWORD, x.look_at) for x in logins)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADINGS) - 1)]
    rule = ("-" * width for width in [*widths, len(HEADINGS[-1])])
    lines = [_line(rows[0], widths), _line(tuple(rule), widths)]
    lines += [_line(row, widths) for row in rows[1:]]
    return "\n".join(lines)


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join([*padded, cells[-1]]).rstrip()
