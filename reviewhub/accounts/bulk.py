"""Inviting many people at once from a CSV file: read the file (``read_csv``), plan what each
row would do without storing anything (``plan``), then carry the plan out (``carry_out``).
Between the preview and the confirmation the rows travel with the page, signed (``seal``,
``unseal``): nothing waits on the server, and any worker or host can take the confirmation.
The caller commits, and sends the invitations only after the commit."""

from __future__ import annotations

import codecs
import csv
import enum
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..dbtypes import DbSession
from ..labels import ROLE
from ..models import Group, Role, User
from ..permissions import Action, role_may
from .credentials import normalise_email
from .errors import AccountError
from .groups import add_member, set_coordinator
from .people import NewPerson, clean, create_people, default_role

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 2000
# The signed rows go back as one form field, which Flask refuses above 500 kB
# (MAX_FORM_MEMORY_SIZE); 2,000 ordinary rows take some 30 kB.
MAX_SEALED = 400_000
SEAL_MAX_AGE = timedelta(hours=12)
_SALT = "reviewhub-bulk-invitation"

FIELDS = ("email", "name", "organisation", "function", "role", "groups", "coordinator")
# Column headings understood, Dutch or English, compared without case, accents, spaces,
# hyphens or brackets ("E-mailadres", "Groep(en)", "Coördinator").
HEADINGS: dict[str, tuple[str, ...]] = {
    "email": ("email", "emailaddress", "emailadres", "mail", "mailadres"),
    "name": ("name", "naam", "fullname", "volledigenaam"),
    "organisation": ("organisation", "organization", "organisatie"),
    "function": ("function", "functie", "jobtitle"),
    "role": ("role", "rol"),
    "groups": ("group", "groups", "groep", "groepen"),
    "coordinator": ("coordinator",),
}
# The template's headings in each language (read back through HEADINGS).
TEMPLATE_HEADINGS = {
    "nl": ("E-mailadres", "Naam", "Organisatie", "Functie", "Rol", "Groepen", "Coördinator"),
    "en": ("E-mail address", "Name", "Organisation", "Function", "Role", "Groups", "Coordinator"),
}
GROUP_SEPARATORS = (";", "|")
YES = frozenset({"yes", "y", "ja", "j", "1", "true", "waar", "x"})
NO = frozenset({"", "no", "n", "nee", "0", "false", "onwaar"})
LIMITS = {"email": 254, "name": 200, "organisation": 200, "function": 200}


class BulkFileError(AccountError):
    """The file as a whole cannot be used; ``str()`` says why."""


class Outcome(enum.StrEnum):
    INVITE = "invite"  # a new account, invited
    ADD = "add"  # an existing account, added to groups (or made coordinator)
    NOTHING = "nothing"  # an existing account that is in those groups already
    ERROR = "error"  # refused, with the reasons


@dataclass(frozen=True)
class Row:
    """One row of the file as written (cells without surrounding spaces); ``number`` counts
    the heading row as row 1, as a spreadsheet does."""

    number: int
    email: str
    name: str = ""
    organisation: str = ""
    function: str = ""
    role: str = ""
    groups: tuple[str, ...] = ()
    coordinator: str = ""


@dataclass
class PlannedRow:
    row: Row
    outcome: Outcome
    errors: list[LazyString] = field(default_factory=list)
    role: Role | None = None
    coordinator: bool = False
    groups: list[Group] = field(default_factory=list)  # all the row names
    person: User | None = None  # the existing account
    new_groups: list[Group] = field(default_factory=list)  # groups to join
    promoted: list[Group] = field(default_factory=list)  # groups joined already, now coordinator


@dataclass
class BulkPlan:
    rows: list[PlannedRow]

    def having(self, outcome: Outcome) -> list[PlannedRow]:
        return [row for row in self.rows if row.outcome is outcome]

    @property
    def actionable(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.outcome in (Outcome.INVITE, Outcome.ADD)]


@dataclass(frozen=True)
class BulkResult:
    invited: list[User]
    added: list[User]


# Reading the file --------------------------------------------------------------------------


def read_csv(data: bytes) -> tuple[list[Row], list[str]]:
    """The rows of a CSV file and the headings of the columns not used; BulkFileError when
    the file cannot be used at all. UTF-8 with or without a byte order mark, UTF-16 with
    one, or Windows-1252 as Excel saves "CSV"; ";", "," or tab between the cells."""
    if len(data) > MAX_FILE_BYTES:
        raise BulkFileError(
            lazy_gettext("The file is larger than %(size)s: split it into smaller files.",
                         size="1 MB")
        )  # fmt: skip
    text = _decoded(data)
    try:
        records = [
            [cell.strip() for cell in record]
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        ]
    except csv.Error as error:
        raise BulkFileError(
            lazy_gettext("The file cannot be read as CSV: save it again from the spreadsheet.")
        ) from error
    if not records:
        raise BulkFileError(lazy_gettext("The file is empty."))
    columns, ignored = _columns(records[0])
    rows = [
        _row(number, record, columns)
        for number, record in enumerate(records[1:], 2)
        if any(record)  # blank lines at the end, or between the rows
    ]
    if not rows:
        raise BulkFileError(lazy_gettext("The file has a heading row but no people."))
    if len(rows) > MAX_ROWS:
        raise BulkFileError(
            lazy_gettext(
                "The file has %(count)d rows; at most %(max)d at a time. Split it into "
                "smaller files.", count=len(rows), max=MAX_ROWS
            )
        )  # fmt: skip
    return rows, ignored


def _decoded(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")  # five bytes cp1252 leaves undefined
    if "\x00" in text or text.count("\ufffd") > len(text) // 100:
        raise BulkFileError(
            lazy_gettext("This is not a CSV file. Save the spreadsheet as CSV and upload that.")
        )
    return text


def _delimiter(text: str) -> str:
    """The one of ";", "," and tab that the heading row holds most of (a heading row is
    required, and headings hold none of them)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max((";", ",", "\t"), key=first.count)


def _heading_key(heading: str) -> str:
    plain = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


_FIELD_OF_HEADING = {key: name for name, keys in HEADINGS.items() for key in keys}


def _columns(headings: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, heading in enumerate(headings):
        name = _FIELD_OF_HEADING.get(_heading_key(heading))
        if name is not None and name not in columns:
            columns[name] = index
        elif heading:
            ignored.append(heading)
    if "email" not in columns:
        raise BulkFileError(
            lazy_gettext(
                "The first row must name the columns, and one of them must be “E-mail "
                "address” (or “E-mailadres”). Start from the template."
            )
        )
    return columns, ignored


def _row(number: int, record: list[str], columns: dict[str, int]) -> Row:
    def cell(name: str) -> str:
        index = columns.get(name)
        return record[index] if index is not None and index < len(record) else ""

    return Row(
        number=number,
        email=cell("email"),
        name=cell("name"),
        organisation=cell("organisation"),
        function=cell("function"),
        role=cell("role"),
        groups=split_groups(cell("groups")),
        coordinator=cell("coordinator"),
    )


def split_groups(text: str) -> tuple[str, ...]:
    """The group names of a cell, "Regio Twente; Proeftuin Utrecht" or with "|": each once."""
    for separator in GROUP_SEPARATORS[1:]:
        text = text.replace(separator, GROUP_SEPARATORS[0])
    names: dict[str, str] = {}
    for name in text.split(GROUP_SEPARATORS[0]):
        if name.strip():
            names.setdefault(name.strip().casefold(), name.strip())
    return tuple(names.values())


def template_csv(language: str) -> str:
    """The heading row of an empty file to fill in, in ``language`` ("nl" or "en")."""
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerow(
        TEMPLATE_HEADINGS.get(language, TEMPLATE_HEADINGS["en"])
    )
    return out.getvalue()


# What each row would do --------------------------------------------------------------------


def plan(session: DbSession, rows: Sequence[Row], role_names: Mapping[str, Role]) -> BulkPlan:
    """What each row would do, nothing stored. ``role_names``: the words for each role a file
    may use besides its value ("lezer", "Reader"), compared without case."""
    groups = {g.name.casefold(): g for g in session.scalars(select(Group))}
    existing = _existing(session, {normalise_email(row.email) for row in rows if row.email})
    names = {name.strip().casefold(): role for name, role in role_names.items()}
    names.update({role.value: role for role in Role})
    first_row: dict[str, int] = {}  # the row each address was first seen in
    planned = []
    for row in rows:
        email = normalise_email(row.email)
        first = first_row.setdefault(email, row.number) if email else row.number
        duplicate_of = first if first != row.number else None
        planned.append(_plan_row(row, groups, existing.get(email), names, duplicate_of))
    return BulkPlan(planned)


def _existing(session: DbSession, emails: set[str]) -> dict[str, User]:
    """The accounts of these addresses with their memberships, a few queries for any number."""
    found: dict[str, User] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), 500):  # well within every database's parameter limit
        chunk = ordered[start : start + 500]
        people = session.scalars(
            select(User)
            .options(selectinload(User.memberships))
            .where(func.lower(User.email).in_(chunk))
        )
        found.update({person.email.lower(): person for person in people})
    return found


def _plan_row(row: Row, groups: Mapping[str, Group], person: User | None,
              role_names: Mapping[str, Role], duplicate_of: int | None) -> PlannedRow:  # fmt: skip
    planned = PlannedRow(row, Outcome.ERROR, person=person)
    errors = planned.errors
    if duplicate_of is not None:
        errors.append(
            lazy_gettext("This e-mail address is in row %(row)d already.", row=duplicate_of)
        )
    else:
        errors.extend(_email_errors(row.email))
    errors.extend(_length_errors(row))
    planned.role = _role(row.role, role_names, errors)
    planned.coordinator = _yes_or_no(row.coordinator, errors)
    planned.groups = _groups(row.groups, groups, errors)
    if planned.coordinator and not row.groups:
        errors.append(lazy_gettext("Coordinator of which group? Name the group in this row."))
    if person is None and not clean(row.name):
        errors.append(lazy_gettext("A new account needs a name."))
    if errors:
        return planned
    if person is None:
        planned.outcome = Outcome.INVITE
        return planned
    joined = {m.group_id: m for m in person.memberships}
    planned.new_groups = [g for g in planned.groups if g.id not in joined]
    if planned.coordinator:
        planned.promoted = [g for g in planned.groups
                            if g.id in joined and not joined[g.id].coordinator]  # fmt: skip
    changes = planned.new_groups or planned.promoted
    planned.outcome = Outcome.ADD if changes else Outcome.NOTHING
    return planned


def _email_errors(email: str) -> list[LazyString]:
    if not email:
        return [lazy_gettext("The e-mail address is missing.")]
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return [lazy_gettext("“%(email)s” is not a valid e-mail address.", email=email)]
    return []


_FIELD_NAMES = {
    "email": lazy_gettext("E-mail address"),
    "name": lazy_gettext("Name"),
    "organisation": lazy_gettext("Organisation"),
    "function": lazy_gettext("Function"),
}


def _length_errors(row: Row) -> list[LazyString]:
    return [
        lazy_gettext("%(field)s: at most %(max)d characters.", field=_FIELD_NAMES[name], max=limit)
        for name, limit in LIMITS.items()
        if len(getattr(row, name)) > limit
    ]


def _role(text: str, role_names: Mapping[str, Role], errors: list[LazyString]) -> Role | None:
    if not text:
        return default_role()
    role = role_names.get(text.casefold())
    if role is None:
        errors.append(lazy_gettext("Unknown role “%(role)s”.", role=text))
    elif role_may(role, Action.MANAGE_PEOPLE):
        errors.append(
            lazy_gettext(
                "The role %(role)s is never given from a file: give it on the person's own "
                "page.", role=ROLE[role]
            )
        )  # fmt: skip
        return None
    return role


def _yes_or_no(text: str, errors: list[LazyString]) -> bool:
    value = text.casefold()
    if value not in YES | NO:
        errors.append(lazy_gettext("Coordinator: write yes or no, not “%(value)s”.", value=text))
    return value in YES


def _groups(names: Iterable[str], groups: Mapping[str, Group],
            errors: list[LazyString]) -> list[Group]:  # fmt: skip
    found = []
    for name in names:
        group = groups.get(name.casefold())
        if group is None:
            errors.append(lazy_gettext("Unknown group “%(group)s”.", group=name))
        elif not group.active:
            errors.append(lazy_gettext("The group %(group)s is deactivated.", group=group.name))
        else:
            found.append(group)
    return found


# Carrying it out ---------------------------------------------------------------------------


def carry_out(session: DbSession, actor: User, bulk: BulkPlan, filename: str) -> BulkResult:
    """Create and add what the plan says, audited; rows with errors or nothing to do are
    left alone. The caller commits, then sends the invited their invitations."""
    new = [
        NewPerson(name=p.row.name, email=p.row.email, role=p.role,
                  organisation=p.row.organisation, function=p.row.function, groups=p.groups,
                  coordinates=p.groups if p.coordinator else ())
        for p in bulk.having(Outcome.INVITE)
    ]  # fmt: skip
    invited = create_people(session, actor, new) if new else []
    added = []
    for planned in bulk.having(Outcome.ADD):
        assert planned.person is not None
        for group in planned.new_groups:
            add_member(session, actor, group, planned.person, coordinator=planned.coordinator)
        for group in planned.promoted:
            set_coordinator(session, actor, group, planned.person, True)
        added.append(planned.person)
    if invited or added:
        audit.record(session, actor, "person.csv_imported", None, filename[:200],
                     file=filename[:200], invited=len(invited), added=len(added))  # fmt: skip
    session.flush()
    return BulkResult(invited, added)


# Between the preview and the confirmation ----------------------------------------------------


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def seal(rows: Iterable[Row], *, actor_id: int, filename: str, secret: str) -> str:
    """The rows, signed with ``secret`` (the app's SECRET_KEY) for the person who saw the
    preview: a page can carry them to the confirmation unchanged, and nobody can alter them."""
    payload = {
        "by": actor_id,
        "file": filename,
        "rows": [[r.number, r.email, r.name, r.organisation, r.function, r.role,
                  list(r.groups), r.coordinator] for r in rows],
    }  # fmt: skip
    sealed = _serializer(secret).dumps(payload)
    if len(sealed) > MAX_SEALED:
        raise BulkFileError(
            lazy_gettext("This file holds too much to confirm in one go: split it into smaller "
                         "files.")
        )  # fmt: skip
    return sealed


def unseal(sealed: str, *, actor_id: int, secret: str) -> tuple[str, list[Row]]:
    """The file name and rows ``seal`` signed; BulkFileError when expired, altered, or
    sealed for someone else."""
    try:
        payload: Any = _serializer(secret).loads(sealed, max_age=int(SEAL_MAX_AGE.total_seconds()))
    except BadSignature as error:  # SignatureExpired too
        raise BulkFileError(_expired()) from error
    if not isinstance(payload, dict) or payload.get("by") != actor_id:
        raise BulkFileError(_expired())
    rows = [
        Row(number, email, name, organisation, function, role, tuple(groups), coordinator)
        for number, email, name, organisation, function, role, groups, coordinator
        in payload["rows"]
    ]  # fmt: skip
    return str(payload["file"]), rows


def _expired() -> LazyString:
    return lazy_gettext("The preview has expired or was made by someone else: upload the "
                        "file again.")  # fmt: skip
