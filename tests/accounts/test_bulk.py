"""Inviting people from a CSV file, the domain part (reviewhub.accounts.bulk): reading the
files spreadsheets write, what each row would do, carrying it out, and the signed rows
between the preview and the confirmation. The pages are tested in tests/views/test_admin_bulk.py."""

from __future__ import annotations

import codecs

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.accounts import bulk
from reviewhub.accounts.bulk import BulkFileError, Outcome, Row
from reviewhub.models import AuditEvent, Group, GroupKind, Role, User
from tests.factories import group_named, make_user, user_with_role

ROLE_NAMES = {
    "Lezer": Role.READER,
    "Reader": Role.READER,
    "Partner": Role.PARTNER,
    "Reviewgroep": Role.REVIEWER,
    "Auteur": Role.AUTHOR,
    "Beheerder": Role.ADMIN,
    "Administrator": Role.ADMIN,
}
DUTCH = "E-mailadres;Naam;Organisatie;Functie;Rol;Groepen;Coördinator\r\n"
ENGLISH = "Email address,Name,Organisation,Function,Role,Group(s),Coordinator\n"


def rows_of(text: str, encoding: str = "utf-8") -> list[Row]:
    rows, _ignored = bulk.read_csv(text.encode(encoding))
    return rows


# Reading the file --------------------------------------------------------------------------


def test_a_dutch_excel_file_in_windows_1252_with_semicolons_is_read():
    text = DUTCH + (
        "josé@example.org;José Müller;Gemeente Enschede;Adviseur;lezer;"
        '"Regio Twente; Proeftuin Utrecht";ja\r\n'
    )
    [row] = rows_of(text, "cp1252")
    assert row == Row(2, "josé@example.org", "José Müller", "Gemeente Enschede", "Adviseur",
                      "lezer", ("Regio Twente", "Proeftuin Utrecht"), "ja")  # fmt: skip


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["utf-8", "utf-8 with bom"])
def test_utf_8_with_or_without_a_byte_order_mark_and_commas(bom):
    data = (
        bom
        + (ENGLISH + "anne@example.org,Anne Ørsted,,,,Regio Twente|Proeftuin Utrecht,no\n").encode()
    )
    [row], ignored = bulk.read_csv(data)
    assert row.email == "anne@example.org" and row.name == "Anne Ørsted"
    assert row.groups == ("Regio Twente", "Proeftuin Utrecht") and ignored == []


def test_utf_16_as_excel_saves_unicode_text_with_tabs():
    data = codecs.BOM_UTF16_LE + "E-mail\tNaam\nkees@example.org\tKëes\n".encode("utf-16-le")
    assert bulk.read_csv(data)[0][0].name == "Këes"


def test_headings_in_any_case_order_and_spelling_and_unknown_columns_reported():
    text = (
        "Naam;Opmerking;E-MAIL;Groep(en)\nPiet;Anna's buur;piet@example.org;Regio Twente\n\n;;;\n"
    )
    rows, ignored = bulk.read_csv(text.encode())
    assert rows == [Row(2, "piet@example.org", "Piet", groups=("Regio Twente",))]
    assert ignored == ["Opmerking"]  # blank rows are skipped


def test_the_same_group_twice_in_a_cell_counts_once():
    assert bulk.split_groups(" Regio Twente ;regio twente| Proeftuin Utrecht;;") == (
        "Regio Twente",
        "Proeftuin Utrecht",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"Naam;Organisatie\nPiet;X\n", "E-mail address"),
        (b"E-mail;Naam\n", "no people"),
        (b"PK\x03\x04\x00\x00binary", "not a CSV file"),
        (b"E-mail\n" + b"a@example.org\n" * (bulk.MAX_ROWS + 1), "at most 2000"),
        (b"E-mail\n" + b"x" * bulk.MAX_FILE_BYTES, "larger than 1 MB"),
    ],
    ids=["empty", "no e-mail column", "no rows", "binary", "too many rows", "too large"],
)
def test_a_file_that_cannot_be_used_says_why(app, data, message):
    with app.test_request_context(), force_locale("en"), pytest.raises(BulkFileError) as refused:
        bulk.read_csv(data)
    assert message in str(refused.value)


def test_the_template_is_read_back_in_both_languages():
    for language in ("nl", "en"):
        header = bulk.template_csv(language)
        rows, ignored = bulk.read_csv(
            (header + "a@example.org;A;O;F;lezer;Regio Twente;nee\n").encode()
        )
        assert ignored == [] and rows[0].function == "F" and rows[0].coordinator == "nee"


# What each row would do --------------------------------------------------------------------


def plan_of(session: Session, *rows: Row) -> list[bulk.PlannedRow]:
    return bulk.plan(session, list(rows), ROLE_NAMES).rows


def errors(planned: bulk.PlannedRow) -> str:
    return " | ".join(str(error) for error in planned.errors)


def test_a_new_person_is_invited_as_reader_when_no_role_is_given(session):
    [planned] = plan_of(session, Row(2, "Nieuw@Example.org", "Nina", groups=("regio twente",)))
    assert planned.outcome is Outcome.INVITE and planned.role is Role.READER
    assert planned.groups == [group_named(session)]


def test_roles_by_value_or_by_their_names_in_either_language(session):
    planned = plan_of(
        session,
        Row(2, "a@example.org", "A", role="partner"),
        Row(3, "b@example.org", "B", role="REVIEWGROEP"),
        Row(4, "c@example.org", "C", role="Auteur"),
    )
    assert [p.role for p in planned] == [Role.PARTNER, Role.REVIEWER, Role.AUTHOR]


@pytest.mark.parametrize("role", ["admin", "Beheerder", "administrator"])
def test_the_administrator_role_is_never_given_from_a_file(app, session, role):
    with app.test_request_context(), force_locale("en"):
        [planned] = plan_of(session, Row(2, "baas@example.org", "Baas", role=role))
        assert planned.outcome is Outcome.ERROR and "never given from a file" in errors(planned)


def test_each_bad_row_says_why(app, session):
    long_name = "x" * 201
    with app.test_request_context(), force_locale("en"):
        planned = plan_of(
            session,
            Row(2, "geen-adres", "Geen"),
            Row(3, "", "Leeg"),
            Row(4, "rol@example.org", "Rol", role="koning"),
            Row(5, "groep@example.org", "Groep", groups=("Regio Atlantis",)),
            Row(6, "naamloos@example.org", ""),
            Row(7, "coord@example.org", "Coord", coordinator="misschien"),
            Row(8, "coord2@example.org", "Coord", coordinator="ja"),
            Row(9, "lang@example.org", long_name),
            Row(10, "ROL@example.org", "Twee keer"),
        )
        reasons = [errors(p) for p in planned]
    assert all(p.outcome is Outcome.ERROR for p in planned)
    assert "not a valid e-mail address" in reasons[0]
    assert "missing" in reasons[1]
    assert "Unknown role “koning”" in reasons[2]
    assert "Unknown group “Regio Atlantis”" in reasons[3]
    assert "needs a name" in reasons[4]
    assert "yes or no" in reasons[5]
    assert "which group" in reasons[6]
    assert "at most 200 characters" in reasons[7]
    assert "in row 4 already" in reasons[8]  # addresses compare without case


def test_a_deactivated_group_takes_no_new_members_from_a_file(app, session):
    session.add(Group(name="Oude werkgroep", kind=GroupKind.WORKGROUP, active=False))
    session.flush()
    with app.test_request_context(), force_locale("en"):
        [planned] = plan_of(session, Row(2, "x@example.org", "X", groups=("Oude werkgroep",)))
        assert "deactivated" in errors(planned)


def test_people_with_an_account_are_added_to_groups_and_keep_their_role(session):
    reader = user_with_role(session, Role.READER)
    partner = user_with_role(session, Role.PARTNER)  # in Regio Twente already
    noord = group_named(session, "Regio Noord-Holland Noord")
    added, unchanged, promoted = plan_of(
        session,
        Row(2, reader.email.upper(), "", role="auteur", groups=("Regio Noord-Holland Noord",)),
        Row(3, partner.email, "Dewi", groups=("Regio Twente",)),
        Row(4, make_user(session, "lid@example.org", Role.PARTNER, noord).email, "",
            groups=("Regio Noord-Holland Noord",), coordinator="yes"),
    )  # fmt: skip
    assert added.outcome is Outcome.ADD and added.new_groups == [noord]
    assert added.person is reader and reader.role is Role.READER
    assert unchanged.outcome is Outcome.NOTHING
    assert promoted.outcome is Outcome.ADD and promoted.promoted == [noord]


def test_planning_stores_nothing(session):
    before = session.scalars(select(User.id)).all()
    plan_of(session, Row(2, "nieuw@example.org", "Nieuw", groups=("Regio Twente",)))
    session.rollback()
    assert session.scalars(select(User.id)).all() == before


def test_planning_two_thousand_rows_takes_a_few_queries(app, session):
    from tests.views.test_query_counts import counted

    rows = [Row(n, f"p{n}@example.org", f"P {n}", groups=("Regio Twente",)) for n in range(2000)]
    with counted(app) as statements:
        planned = plan_of(session, *rows)
    assert {p.outcome for p in planned} == {Outcome.INVITE}
    assert len(statements) <= 10, len(statements)  # never one per row


# Carrying it out ---------------------------------------------------------------------------


def test_carrying_out_creates_invites_and_adds_with_an_audit_trail(session):
    admin = user_with_role(session, Role.ADMIN)
    reader = user_with_role(session, Role.READER)
    twente, noord = group_named(session), group_named(session, "Regio Noord-Holland Noord")
    plan = bulk.plan(session, [
        Row(2, "nieuw@example.org", "Nina Nieuw", "Gemeente X", "Adviseur", "partner",
            ("Regio Twente", "Regio Noord-Holland Noord"), "ja"),
        Row(3, reader.email, "", groups=("Regio Twente",)),
        Row(4, "fout", "Fout"),
    ], ROLE_NAMES)  # fmt: skip
    result = bulk.carry_out(session, admin, plan, "lijst.csv")
    [nina] = result.invited
    assert (nina.name, nina.organisation, nina.function, nina.role) == (
        "Nina Nieuw", "Gemeente X", "Adviseur", Role.PARTNER
    )  # fmt: skip
    assert {(m.group, m.coordinator) for m in nina.memberships} == {(twente, True), (noord, True)}
    assert result.added == [reader] and twente in reader.groups
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == admin.id).order_by(AuditEvent.id)
    ).all()
    assert actions[-4:] == ["person.created", "person.groups_changed", "group.member_added",
                            "person.csv_imported"]  # fmt: skip
    summary = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert summary.details == {"file": "lijst.csv", "invited": 1, "added": 1}


# Between the preview and the confirmation ----------------------------------------------------


ROWS = [Row(2, "a@example.org", "A", groups=("Regio Twente", "Proeftuin Utrecht"), role="lezer")]


def test_the_rows_come_back_as_sealed():
    sealed = bulk.seal(ROWS, actor_id=7, filename="lijst.csv", secret="s")
    assert bulk.unseal(sealed, actor_id=7, secret="s") == ("lijst.csv", ROWS)


def test_2000_rows_fit_in_a_form_field():
    rows = [Row(n, f"persoon.{n}@gemeente.nl", f"Voornaam {n} van Achternaam", "Gemeente",
                "Beleidsmedewerker", "partner", ("Regio Twente",), "nee")
            for n in range(2000)]  # fmt: skip
    assert len(bulk.seal(rows, actor_id=1, filename="f.csv", secret="s")) < bulk.MAX_SEALED


@pytest.mark.parametrize("how", ["altered", "other person", "other secret", "expired"])
def test_sealed_rows_that_were_altered_or_are_not_yours_are_refused(app, how, monkeypatch):
    sealed = bulk.seal(ROWS, actor_id=7, filename="lijst.csv", secret="s")
    actor, secret = 7, "s"
    if how == "altered":
        sealed = ("B" if sealed[0] != "B" else "C") + sealed[1:]
    elif how == "other person":
        actor = 8
    elif how == "other secret":
        secret = "t"
    else:
        monkeypatch.setattr(bulk, "SEAL_MAX_AGE", bulk.SEAL_MAX_AGE * -1)
    with app.test_request_context(), force_locale("en"), pytest.raises(BulkFileError) as refused:
        bulk.unseal(sealed, actor_id=actor, secret=secret)
    assert "upload the file again" in str(refused.value)
