"""The exports report per consultation question: the register's question column (CSV, Excel),
the question in JSON (id and text), the workspace's filter on it, and the reactienota's part
"Antwoorden per vraag" in Word and in the PDF's HTML."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import docx
import pytest
from flask import Flask, render_template
from sqlalchemy.orm import Session

from reviewhub.exports.formats import make_export
from reviewhub.exports.nota import build_nota, byline, decision_line, objection_line
from reviewhub.exports.rows import ExportRequest, Scope, export_rows
from reviewhub.feedback import questions
from reviewhub.feedback.posting import post_comment
from reviewhub.feedback.register import WorkspaceFilter
from reviewhub.models import Role
from tests.factories import group_named, reaction, sample_section, user_with_role

MADE_ON = date(2026, 12, 1)


@pytest.fixture
def answered(app: Flask, session: Session) -> dict:
    """Two questions on Dialoogversie 3 (the version, and section "veiligheid"), one answered
    twice, the other once, and a reaction that answers none."""
    author, partner = user_with_role(session, Role.AUTHOR), user_with_role(session, Role.PARTNER)
    section, twente = sample_section(session), group_named(session)
    with app.app_context():
        whole = questions.add_question(session, author, section.version, "Wat mist u?")
        here = questions.add_question(session, author, section.version, "Helder?", section)
        questions.move_question(session, author, here, -1)  # the nota follows this order
        made = [
            post_comment(session, partner, section,
                         reaction(body, group=twente, question_id=question_id))
            for body, question_id in [("De school.", whole.id), ("Ja, helder.", here.id),
                                      ("Het netwerk.", whole.id), ("Los.", None)]
        ]  # fmt: skip
    session.commit()
    return {"whole": whole, "here": here, "made": made}


def request_for(session: Session, scope: Scope = Scope.REGISTER, **filters) -> ExportRequest:
    version = sample_section(session).version
    return ExportRequest(version.document, version, None, scope, WorkspaceFilter(**filters))


def exported(app: Flask, session: Session, fmt: str, **filters) -> bytes:
    with app.test_request_context():
        return b"".join(make_export(session, request_for(session, **filters), fmt, MADE_ON).chunks)


def test_csv_and_json_name_the_question_each_reaction_answers(app, session, answered):
    table = list(csv.reader(io.StringIO(exported(app, session, "csv").decode("utf-8-sig"))))
    column = table[0].index("Consultatievraag")
    assert sorted(row[column] for row in table[1:]) == ["", "Helder?", "Wat mist u?", "Wat mist u?"]
    data = json.loads(exported(app, session, "json"))
    by_text = {item["text"]: item["question"] for item in data["reactions"]}
    assert by_text["De school."] == {"id": answered["whole"].id, "text": "Wat mist u?"}
    assert by_text["Los."] is None


def test_a_filter_on_a_question_narrows_the_export(app, session, answered):
    data = json.loads(exported(app, session, "json", question_id=answered["whole"].id))
    assert [item["text"] for item in data["reactions"]] == ["De school.", "Het netwerk."]


def test_the_excel_register_has_the_question_column(app, session, answered):
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    sheet = load_workbook(io.BytesIO(exported(app, session, "xlsx"))).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    column = headers.index("Consultatievraag") + 1
    values = {sheet.cell(row=n, column=column).value for n in range(2, sheet.max_row + 1)}
    assert values == {"Wat mist u?", "Helder?", None}


def test_the_reactienota_in_word_has_the_answers_per_question(app, session, answered):
    word = docx.Document(io.BytesIO(exported(app, session, "docx")))
    paragraphs = [(p.style.name, p.text) for p in word.paragraphs]
    headings = [text for style, text in paragraphs if style.startswith("Heading")]
    part = headings.index("Antwoorden per vraag")
    # After the reactions per section, before who took part; in the authors' order.
    assert headings.index("Reacties per paragraaf") < part < headings.index("Wie deden mee")
    assert headings[part + 1 : part + 3] == ["Helder?", "Wat mist u?"]
    text = "\n".join(t for _, t in paragraphs[[t for _, t in paragraphs].index("Wat mist u?") :])
    assert "Over: De hele versie · 2 antwoorden" in text
    assert "De school." in text and "Het netwerk." in text


def test_the_pdf_reactienota_has_the_answers_per_question(app, session, answered):
    with app.test_request_context():
        version = sample_section(session).version
        rows = export_rows(session, request_for(session, Scope.PUBLIC))
        nota = build_nota(version.document, version, rows, MADE_ON)
        helpers = {"byline": byline, "decision_line": decision_line,
                   "objection_line": objection_line}  # fmt: skip
        html = render_template("exports/reactienota.html", nota=nota, **helpers)
    part = html.index("<h2>Antwoorden per vraag</h2>")
    assert html.index("<h2>Reacties per paragraaf</h2>") < part < html.index("<h2>Wie deden mee")
    assert html.index("<h3>Helder?</h3>") < html.index("<h3>Wat mist u?</h3>")
    assert "Over: 2.1 Veiligheid voorop · 1 antwoord" in html
    assert [q.text for q in nota.questions] == ["Helder?", "Wat mist u?"]


def test_a_nota_without_answers_to_questions_has_no_such_part(app, session):
    word = docx.Document(io.BytesIO(exported(app, session, "docx")))
    assert "Antwoorden per vraag" not in [p.text for p in word.paragraphs]
