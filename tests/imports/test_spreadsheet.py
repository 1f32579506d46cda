"""Feedback from a spreadsheet (our template, a meeting's CSV, the ISO commenting template):
a preview of every reaction it would make and every row it cannot place with the reason;
confirmed, all of it is stored as one import, by whom and from which file; refused, none.
Bad files get a clear message and nothing else."""

from __future__ import annotations

import gc
import io
import re
import warnings
import zipfile

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewhub.models import AuditEvent, Comment, CommentKind, Import, Role
from tests.factories import SAMPLE_SLUG, Auth, group_named, sample_section

BASE = f"/documents/{SAMPLE_SLUG}/v/3/import"


def upload(client: FlaskClient, data: bytes, name: str, kind: str = "spreadsheet", group=""):
    return client.post(BASE, data={"kind": kind, "group": group,
                                   "upload": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")  # fmt: skip


def token_of(response) -> str:
    found = re.search(r'name="token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert found, "no confirmation form"
    return found.group(1)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def reviewer(client: FlaskClient, auth: Auth) -> FlaskClient:
    auth.login(Role.REVIEWER)
    return client


def count(session: Session, model=Comment) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_template_round_trips_into_the_right_sections(reviewer, session):
    template = load_workbook(io.BytesIO(reviewer.get(f"{BASE}/template.xlsx").data))
    header = [cell.value for cell in template.active[1]]
    assert header[:4] == ["Paragraaf", "Groep", "Soort", "Reactie"]
    section = sample_section(session)
    quote = section.text.split(".")[0][:30].strip()
    data = xlsx([header,
                 [section.number, "Regio Twente", "Suggestie", "Noem ook de school.", quote,
                  quote + " en de school", "Anna de Vries", "Gemeente Hengelo"],
                 [None] * 8,  # an empty row is left out
                 ["regie", "", "vraag", "Wie beslist?", "", "", "", ""]])  # fmt: skip
    preview = upload(reviewer, data, "vergadering.xlsx")
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "2 reacties aanmaken" in page and "Noem ook de school." in page
    assert count(session) == 0  # a preview stores nothing
    done = reviewer.post(f"{BASE}/confirm", data={"token": token_of(preview)})
    assert done.status_code == 302
    made = session.scalars(select(Comment).order_by(Comment.id)).all()
    assert [(c.section.key, c.kind) for c in made] == [
        (section.key, CommentKind.SUGGESTION),
        ("regie", CommentKind.QUESTION),
    ]
    assert made[0].quote_exact == quote and made[0].proposed_text == quote + " en de school"
    assert made[0].group.name == "Regio Twente" and made[0].reference
    assert made[0].imported_author == "Anna de Vries · Gemeente Hengelo"
    record = session.scalars(select(Import)).one()
    assert (record.filename, record.reactions, record.imported_by.email) == (
        "vergadering.xlsx",
        2,
        "reviewer@example.org",
    )
    assert made[0].import_id == record.id
    assert session.scalar(select(func.count()).where(AuditEvent.action == "feedback.imported"))
    # The same confirmation again finds no file: nothing is imported twice.
    again = reviewer.post(f"{BASE}/confirm", data={"token": token_of(preview)},
                          follow_redirects=True)  # fmt: skip
    assert "verlopen" in again.get_data(as_text=True) and count(session) == 2


def test_rows_that_cannot_be_placed_are_listed_and_nothing_is_imported(reviewer, session):
    data = (b"Paragraaf;Groep;Soort;Reactie;Citaat\n"
            b"2.1;Regio Twente;Vraag;Goed.;\n"
            b"9.9;Regio Twente;Vraag;Waar?;\n"
            b"2.1;Onbekende Regio;Vraag;Wie?;\n"
            b"2.1;;Onzin;Wat?;\n"
            b"2.1;;Vraag;;\n"
            b"2.1;;Vraag;Citaat klopt niet.;staat nergens in de tekst\n")  # fmt: skip
    preview = upload(reviewer, data, "vergadering.csv")
    assert preview.status_code == 422
    page = preview.get_data(as_text=True)
    for reason in ("Geen paragraaf 9.9 in deze versie.", "Geen groep heet Onbekende Regio.",
                   "Onbekende soort Onzin.", "De tekst van de reactie is leeg.",
                   "Het citaat staat niet in de tekst van paragraaf 2.1."):  # fmt: skip
        assert reason in page
    assert 'name="token"' not in page  # no confirmation: all or nothing
    assert count(session) == 0


def test_the_iso_template_is_read_as_well(reviewer, session):
    data = xlsx([["MB/NC", "Line number", "Clause/Subclause", "Paragraph/Figure/Table/Note",
                  "Type of comment", "Comments", "Proposed change"],
                 ["Regio Twente", "", "2.1", "", "ge", "Algemeen punt.", ""]])  # fmt: skip
    preview = upload(reviewer, data, "iso.xlsx")
    assert preview.status_code == 200
    reviewer.post(f"{BASE}/confirm", data={"token": token_of(preview)})
    made = session.scalars(select(Comment)).one()
    assert made.kind is CommentKind.GENERAL and made.group.name == "Regio Twente"


def bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.7 niet een spreadsheet \x00\x01", "x.pdf", "Dit is geen spreadsheet"),
        (b"Naam;Opmerking\nAnna;Goed\n", "x.csv", "De eerste rij heeft de kolommen"),
        (bomb(), "bom.xlsx", "pakt uit tot veel meer"),
        (b"PK\x03\x04 stuk", "stuk.xlsx", "beschadigd"),
        (b"", "leeg.csv", "Kies een bestand"),
    ],
    ids=["pdf", "missing columns", "zip bomb", "damaged", "empty"],
)
def test_bad_files_get_a_clear_message(reviewer, session, data, name, message):
    response = upload(reviewer, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(session) == 0 and count(session, Import) == 0


def test_more_than_10_mb_is_refused_with_a_message_not_a_413(reviewer, session):
    response = upload(reviewer, bytes(range(256)) * 42000, "junk.xlsx")  # 10.75 MB
    status, page = response.status_code, response.get_data(as_text=True)
    response.request.input_stream.close()  # the test client spools the body to a file
    del response
    assert status == 400 and "Het bestand is groter dan 10 MB" in page
    assert count(session) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gc.collect()


def test_a_formula_is_refused_rather_than_taken_as_text(reviewer, session):
    data = xlsx([["Paragraaf", "Reactie"], ["2.1", '=HYPERLINK("http://x.example")']])
    page = upload(reviewer, data, "formule.xlsx").get_data(as_text=True)
    assert "Een cel bevat een formule" in page and count(session) == 0


def test_only_the_review_group_imports_spreadsheets(client, auth: Auth, session):
    auth.login(Role.PARTNER)  # a partner reacts with a Word file of their own, no more
    assert "Een spreadsheet" not in client.get(BASE).get_data(as_text=True)
    response = upload(client, b"Paragraaf;Reactie\n2.1;Hoi\n", "x.csv",
                      group=str(group_named(session).id))  # fmt: skip
    assert response.status_code == 400 and "geen Word-document" in response.get_data(as_text=True)
    assert client.get(f"{BASE}/template.xlsx").status_code == 403
    assert count(session) == 0
