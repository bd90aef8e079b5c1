"""Plan users: accounts the roster creates, changes, keeps or ends, and the checks on their
usernames, addresses and lengths."""

from __future__ import annotations

from collections import Counter, namedtuple
from typing import Any

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.rostering import reach
from village.rostering.plan import Context, file_mode, load_rows, text_limits
from village.rostering.plan import deletions as deleted_ids
from village.rostering.plan_people import shared
from village.rostering.plan_people.shared import (
    ACTIVE,
    INACTIVE,
    Loaded,
    Scope,
    load,
)
from village.rostering.schema import FileMode

# What a roster says about a person, in the order of the fields it sets.
USER_FIELDS = (
    "username", "first_name", "last_name", "middle_name", "email", "phone", "grade", "status",
    "is_active",
)  # fmt: skip
# Left blank by the roster, these stay whatever the person chose in Village.
CHOSEN_FIELDS = ("preferred_name", "pronouns")
USER_COLUMNS = ("sourced_id", *USER_FIELDS, *CHOSEN_FIELDS)


_UserRow = namedtuple("_UserRow", ["id", *USER_COLUMNS])  # type: ignore[misc]


def plan_users(
    ctx: Context, scope: Scope, in_scope: set[int]
) -> tuple[dict[str, int], dict[str, int]]:
    """Plan users; return the users this import deactivates and those it withdraws from its
    organisations without deactivating them (``reach``), each as sourcedId -> pk."""
    users = User.objects.filter(sourced_id__isnull=False).order_by()
    if scope.users is not None:
        users = users.filter(sourced_id__in=scope.users)
    loaded = load(_UserRow, users, "id", *USER_COLUMNS)
    existing = {row.sourced_id: row for row in loaded}
    ctx.pks["users"] = {sourced_id: row.id for sourced_id, row in existing.items()}
    kind_plan = ctx.plan["users"]
    kind_plan.columns = USER_COLUMNS
    create, update = kind_plan.create, kind_plan.update
    wanted: list[tuple[Any, ...]] = []
    emails: dict[int, str] = {}  # user id -> the address an update replaces
    size = len(USER_FIELDS)
    for sourced_id, user in ctx.roster.users.items():
        grade = user.grades[0] if user.grades else ""
        said = (user.username, user.given_name, user.family_name, user.middle_name, user.email,
                user.phone, grade, ACTIVE, user.enabled)  # fmt: skip
        preferred, pronouns = user.preferred_name, user.pronouns
        row = (sourced_id, *said, preferred, pronouns)
        wanted.append(row)
        old = existing.get(sourced_id)
        if old is None:
            create.append(row)
            continue
        if (
            said == old[2 : size + 2]
            and (not preferred or preferred == old.preferred_name)
            and (not pronouns or pronouns == old.pronouns)
        ):
            continue
        fields = {
            name: value
            for name, value, was in zip(USER_FIELDS, said, old[2 : size + 2], strict=True)
            if value != was
        }
        if preferred and preferred != old.preferred_name:
            fields["preferred_name"] = preferred
        if pronouns and pronouns != old.pronouns:
            fields["pronouns"] = pronouns
        if "email" in fields and old.email:
            emails[old.id] = old.email
        update.append((old.id, fields))
    _check_usernames(ctx, scope, loaded)
    _check_emails(ctx, existing)
    _check_user_lengths(ctx, wanted)
    gone = _gone_users(ctx, existing, in_scope)
    withdrawn = _keep_accounts_outside_reach(ctx, existing, gone)
    gone = [row for row in gone if row.sourced_id not in withdrawn]
    kind_plan.deactivate.extend((row.id, {"status": INACTIVE, "is_active": False}) for row in gone)
    ctx.plan.email_changes = {pk: emails[pk] for pk, _fields in update if pk in emails}
    return {row.sourced_id: row.id for row in gone}, withdrawn


def _keep_accounts_outside_reach(
    ctx: Context, existing: dict[str, Loaded], gone: list[Loaded]
) -> dict[str, int]:
    """Take out of the plan the account changes of people who belong to organisations outside
    the import's reach, and say so row by row. Return those of ``gone`` (sourcedId -> pk): they
    are withdrawn from the reach instead of deactivated."""
    if ctx.organisations is None:
        return {}
    update = ctx.plan["users"].update
    candidates = {pk for pk, _fields in update} | {row.id for row in gone}
    kept = reach.people_outside_reach(ctx.organisations, candidates)
    if not kept:
        return {}
    names = {row.id: row.sourced_id for row in existing.values() if row.id in kept}
    lines = ctx.roster.lines_of_users(set(names.values()))
    for pk, fields in update:
        if pk in kept:
            _warn_kept(ctx, names[pk], lines, _("not changed: %(fields)s") % {
                "fields": ", ".join(sorted(fields))
            })  # fmt: skip
    update[:] = [(pk, fields) for pk, fields in update if pk not in kept]
    withdrawn = {row.sourced_id: row.id for row in gone if row.id in kept}
    for sourced_id in withdrawn:
        _warn_kept(
            ctx,
            sourced_id,
            lines,
            _(
                "not deactivated: only their roles, enrolments and guardian links in the "
                "organisations of this import end"
            ),
        )
    return withdrawn


def _warn_kept(ctx: Context, sourced_id: str, lines: dict[str, int], what: str) -> None:
    ctx.report.warning(
        "account_outside_reach",
        _(
            '"%(id)s" also belongs to a school or district outside this import, so the import '
            "does not change their account; %(what)s"
        )
        % {"id": sourced_id, "what": what},
        file="users.csv",
        line=lines.get(sourced_id),
    )


def _gone_users(ctx: Context, existing: dict[str, Loaded], in_scope: set[int]) -> list[Loaded]:
    """Active users a bulk snapshot leaves out (of those it speaks for) or a delta deletes."""
    mode = file_mode(ctx.roster, "users")
    if mode is FileMode.BULK:
        present = ctx.roster.users
        return [
            row
            for sourced_id, row in existing.items()
            if sourced_id not in present and row.status == ACTIVE and row.id in in_scope
        ]
    if mode is FileMode.DELTA:
        deleted = deleted_ids(ctx.roster, "users")
        return [
            row
            for sourced_id, row in existing.items()
            if sourced_id in deleted and row.status == ACTIVE
        ]
    return []


def _check_usernames(ctx: Context, scope: Scope, loaded: list[Loaded]) -> None:
    """Refuse a username two people would share. Sign-in names are not case-sensitive
    ("Olga" signs in as "olga"), so neither is this check."""
    users = ctx.roster.users
    accounts = User.objects.order_by()
    if scope.users is None:
        # Every rostered account is loaded already; only those Village made are missing.
        owners = {row.username.lower(): row.sourced_id for row in loaded}
        accounts = accounts.filter(sourced_id__isnull=True)
    else:
        owners = {}
        if scope.usernames is not None:
            accounts = accounts.annotate(username_lower=Lower("username")).filter(
                username_lower__in={username.lower() for username in scope.usernames}
            )
    for username, sourced_id in load_rows(accounts, "username", "sourced_id"):
        owners[username.lower()] = sourced_id
    counts = Counter(user.username.lower() for user in users.values())
    lines: dict[str, int] | None = None
    for sourced_id, user in users.items():
        username = user.username
        folded = username.lower()
        if counts[folded] > 1:
            code = "duplicate_username"
            message = f'username "{username}" of "{sourced_id}" is used by {counts[folded]} users'
        elif owners.get(folded, sourced_id) != sourced_id:
            code = "username_taken"
            message = f'username "{username}" of "{sourced_id}" belongs to another Village account'
        else:
            continue
        if lines is None:
            lines = ctx.roster.lines_of_users(set(users))
        ctx.report.error(
            code, message, file="users.csv", line=lines.get(sourced_id), column="username"
        )


def _check_emails(ctx: Context, existing: dict[str, Loaded]) -> None:
    """Refuse to give a new account, or an account the import changes, the email address of
    an account outside the import's reach: signing in by that address would become ambiguous,
    and a password reset would go to both. Nothing more is said about the other account."""
    if ctx.organisations is None:
        return
    plan = ctx.plan["users"]
    position = USER_COLUMNS.index("email")
    wanted = {row[0]: row[position] for row in plan.create if row[position]}
    changed = {pk for pk, fields in plan.update if fields.get("email")}
    for sourced_id, row in existing.items():
        if row.id in changed:
            wanted[sourced_id] = ctx.roster.users[sourced_id].email
    if not wanted:
        return
    folded = {email.lower() for email in wanted.values()}
    accounts = User.objects.order_by().exclude(email="")
    if len(folded) <= shared.LIMIT:
        accounts = accounts.filter(
            pk__in=User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=folded)
            .values("pk")
        )
    holders = accounts.values_list("pk", "email", "sourced_id")
    others = {pk: (email.lower(), who) for pk, email, who in holders if email.lower() in folded}
    if not others:
        return
    outside = reach.people_outside_reach(ctx.organisations, others)
    taken: dict[str, set[str | None]] = {}
    for pk in outside:
        email, who = others[pk]
        taken.setdefault(email, set()).add(who)
    lines = ctx.roster.lines_of_users(set(wanted))
    for sourced_id, email in wanted.items():
        holders_of = taken.get(email.lower(), set())
        if holders_of - {sourced_id}:
            ctx.report.error(
                "email_taken",
                _('the email address of "%(id)s" belongs to an account this import may not change')
                % {"id": sourced_id},
                file="users.csv",
                line=lines.get(sourced_id),
                column="email",
            )


def _check_user_lengths(ctx: Context, wanted: list[tuple[Any, ...]]) -> None:
    """Report text too long for its column (PostgreSQL would refuse it mid-import)."""
    if not wanted:
        return
    limits = text_limits(User)
    columns = list(zip(*wanted, strict=True))
    over = [
        (position, name, limits[name])
        for position, name in enumerate(USER_COLUMNS)
        if name != "sourced_id"
        and name in limits
        and max(map(len, columns[position]), default=0) > limits[name]
    ]
    if not over:
        return
    for row in wanted:
        for position, name, limit in over:
            value = row[position]
            if isinstance(value, str) and len(value) > limit:
                ctx.report.error(
                    "too_long",
                    f'"{row[0]}": {len(value)} characters; Village keeps at most {limit}',
                    file="users.csv",
                    column=name,
                )
