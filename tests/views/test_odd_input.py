"""No 5xx from odd input: every route of the app, with odd values in each URL variable and odd
query arguments and form fields, for GET and POST, anonymous and as an administrator. A route
added later is covered too; only a new URL variable needs valid values in ``valid``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import product
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub import create_app
from reviewhub.feedback.posting import NewComment, post_comment
from reviewhub.feedback.questions import add_question
from reviewhub.models import (
    Attachment,
    AuditEvent,
    Comment,
    CommentKind,
    Document,
    Group,
    GroupKind,
    Question,
    Role,
    Section,
    User,
    Version,
    VersionStatus,
)
from tests.factories import SAMPLE_SLUG, Auth, Outbox, make_document, publish, user_with_role

ANONYMOUS = "anonymous"
# A document whose comparison has control characters and lists nested four levels deep;
# its versions have the sample's numbers and key, so the same URLs reach it.
ODD_SLUG = "vreemde-tekens"
CONTROL_CHARACTERS = (
    "# Veiligheid {{#veiligheid}}\n\nStuurtekens:\x01\x02\x0b\x0c\x1b\x1f {word}.\n"
)
DEEP_LISTS = "# Veiligheid {{#veiligheid}}\n\n- een\n  - twee\n    - drie\n      - vier {word}\n"
ODD_SOURCE = CONTROL_CHARACTERS + "\n" + DEEP_LISTS.partition("\n\n")[2]
CLOSED = VersionStatus.CLOSED
RULE_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
ODD_NUMBERS = [str(2**63), str(2**64), "-1", "0", "%C2%B2", "99999999999999999999999"]
ODD_TEXT = ["x" * 300, "%00", quote("é"), "%2e%2e", "%C0%AF", "%FF"]
ODD_QUERIES = [
    "endpoint=x&_method=DELETE&_external=1&_anchor=x&_scheme=javascript"
    f"&page=99999999999999999999&page=-1&from={2**64}&with=-1&group=%C2%B2&actor={2**63}"
    "&kind=%00&view=%00&role=%00&since=99999-01-01&until=x&q=" + "x" * 300,
    f"page=-1&page=2&from=2&with={2**63}&group={2**64}&actor=%C2%B2&mine=1&unanswered=1"
    "&next=//example.org&language=%00",
    f"page={2**63 - 1}&from=%00&with=%00&group=-1&actor=-1&endpoint=&_method=",
    "endpoint=x&_method=DELETE&_external=1&page=2",  # a real page: its links are rendered
]
ODD_FORM = {
    "endpoint": "x",
    "_method": "DELETE",
    "page": str(2**64),
    "group": "²",
    "groups": str(2**63),
    "coordinates": "-1",
    "language": "\x00",
    "email": "x" * 300,
    "password": "\x00",
    "name": "é" * 300,
    "role": "\x00",
    "kind": "\x00",
    "reason": "\x00" + "x" * 2000,
    "body": "\r\n" * 3000,
    "premoderation": "on",
    "visibility": "\x00",
    "owner": str(2**64),
    "status": "\x00",
    "closes_on": "99999-99-99",
}


@pytest.fixture
def valid(app: Flask, session: Session) -> dict[str, list[str]]:
    """Per URL variable, the values that name something that exists."""
    _publish_odd_document(app, session)
    _fill_admin_lists(session)
    comment = _partner_question(app, session)
    question = _question(app, session)
    reader = user_with_role(session, Role.READER)
    group = session.scalar(select(Group).order_by(Group.id).limit(1))
    assert group is not None
    return {
        "slug": [SAMPLE_SLUG, ODD_SLUG],
        "number": ["3"],
        "a": ["2"],
        "b": ["3"],
        "key": ["veiligheid"],
        "fmt": ["html", "docx"],
        "step": ["change", "close", "again", "reword"],
        "question_id": [str(question.id)],
        "job_id": ["1"],
        "notification_id": ["1"],
        "export_id": ["1"],
        "token_id": ["1"],
        "token": ["onzin"],
        "person_id": [str(reader.id)],
        "group_id": [str(group.id)],
        "comment_id": [str(comment.id)],
        "reference": [str(comment.reference)],
        "filename": ["js/annotate.js", "standpunt.pdf"],
        "attachment_id": [str(_attachment_of(session, comment).id)],
    }


def _attachment_of(session: Session, comment: Comment) -> Attachment:
    """A file's row (the file itself need not exist: its download then answers 404)."""
    attachment = Attachment(comment=comment, filename="standpunt.pdf", size=1,
                            content_type="application/pdf", sha256="0" * 64,
                            stored_name="odd-input-test")  # fmt: skip
    session.add(attachment)
    session.commit()
    return attachment


def _publish_odd_document(
    app: Flask, session: Session, slug: str = ODD_SLUG, source: str = ODD_SOURCE
) -> None:
    """Three closed versions of ``source``, each with other words (and control characters)."""
    with app.app_context():
        document = make_document(session, slug, "Vreemde tekens")
        for number in (1, 2, 3):
            word = "\x0e" * number + f"versie {number}"
            text = source.format(word=word)
            publish(session, document, text, label=f"Versie {number}", status=CLOSED)
    session.commit()


def _fill_admin_lists(session: Session) -> None:
    """More people, groups and audit events than one page holds: the page links render."""
    for n in range(30):
        session.add(Group(name=f"Extra groep {n}", kind=GroupKind.WORKGROUP))
        session.add(User(email=f"extra{n}@example.org", name=f"Extra {n}"))
    session.add_all(AuditEvent(action="test.filler", summary=str(n)) for n in range(60))
    session.commit()


def _partner_question(app: Flask, session: Session) -> Comment:
    partner = user_with_role(session, Role.PARTNER)
    target = session.scalars(
        select(Section)
        .join(Version)
        .join(Document)
        .where(Document.slug == SAMPLE_SLUG, Version.number == 3, Section.key == "veiligheid")
    ).one()
    new = NewComment(CommentKind.QUESTION, "Vraag?", "odd-input",
                     group_id=partner.memberships[0].group_id)  # fmt: skip
    with app.app_context():
        comment = post_comment(session, partner, target, new)
    session.commit()
    return comment


def _question(app: Flask, session: Session) -> Question:
    """A consultation question about the open version as a whole."""
    version = _open_version(session)
    with app.app_context():
        question = add_question(session, user_with_role(session, Role.AUTHOR), version, "Wat?")
    session.commit()
    return question


def _open_version(session: Session) -> Version:
    return session.scalars(
        select(Version).join(Document).where(Document.slug == SAMPLE_SLUG, Version.number == 3)
    ).one()


def _variables(rule: str) -> list[tuple[str, str]]:
    """The (converter, name) of each variable in a rule such as ``/v/<int:number>``."""
    return [(converter or "default", name) for converter, name in RULE_VARIABLE.findall(rule)]


def _url(rule: str, values: dict[str, str]) -> str:
    return RULE_VARIABLE.sub(lambda m: values[m.group(2)], rule)


def requests(rule: str, valid: dict[str, list[str]]) -> Iterator[str]:
    """The rule filled with valid values, with and without odd query arguments; then with one
    odd value at a time in a URL variable, the others valid."""
    names = [name for _, name in _variables(rule)]
    missing = [name for name in names if name not in valid]
    assert not missing, f"give {missing} of {rule} valid values in the ``valid`` fixture"
    combinations = product(*(valid[name] for name in names))  # both documents, both formats
    for values in combinations:
        url = _url(rule, dict(zip(names, values, strict=True)))
        yield url
        yield from (f"{url}?{query}" for query in ODD_QUERIES)
    base = {name: valid[name][0] for name in names}
    for converter, name in _variables(rule):
        for odd in ODD_NUMBERS if converter == "int" else ODD_TEXT:
            yield _url(rule, base | {name: odd})


def _app_rules() -> list[str]:
    """Every rule of the app, read from an app of its own (the fixtures do not exist yet)."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted({rule.rule for rule in app.url_map.iter_rules()})


@pytest.mark.parametrize("who", [ANONYMOUS, Role.ADMIN], ids=str)
@pytest.mark.parametrize("rule", _app_rules())
def test_no_route_answers_odd_input_with_a_server_error(
    client: FlaskClient, valid: dict[str, list[str]], outbox: Outbox, rule: str, who: str
) -> None:
    """GET and POST (CSRF is off in the tests, so the forms are read), odd form fields too."""
    if who != ANONYMOUS:
        assert Auth(client).login(Role.ADMIN).status_code == 302
    failures = []
    for target in requests(rule, valid):
        for method in ("GET", "POST"):
            data = ODD_FORM if method == "POST" else None
            try:  # TESTING is on: an error is raised here rather than answered as a 500
                with client.open(target, method=method, data=data) as response:
                    status = response.status_code  # closed: a static file's stays open else
            except Exception as error:  # collect them all, report them at the end
                failures.append(f"{method} {target[:160]} → {error!r:.300}")
            else:
                if status >= 500:
                    failures.append(f"{method} {target[:160]} → {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("source", [CONTROL_CHARACTERS, DEEP_LISTS], ids=["control", "lists"])
def test_the_word_export_takes_control_characters_and_deep_lists(
    app: Flask, client: FlaskClient, session: Session, source: str
) -> None:
    """Each on its own: lxml refused control characters, the template had no 'List Bullet 4'."""
    _publish_odd_document(app, session, "woord-export", source)
    response = client.get("/documents/woord-export/compare/2...3/export.docx")
    assert response.status_code == 200


# The findings of the every-route test, one by one -------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/documents/{SAMPLE_SLUG}/v/{2**63}",
        f"/documents/{SAMPLE_SLUG}/v/{2**31}",  # past PostgreSQL's INTEGER
        f"/comments/{2**31}",
        f"/api/v1/reactions/{2**31}/replies?after={2**31}",
        f"/documents/{SAMPLE_SLUG}/v/{2**64}/source.md",
        f"/documents/{SAMPLE_SLUG}/compare/1...{2**64}",
        f"/documents/{SAMPLE_SLUG}/compare/{2**63}...3/export.docx",
        f"/comments/{2**63}/edit",
        f"/admin/people/{2**63}",
    ],
)
def test_ids_beyond_what_the_database_holds_are_not_found(
    client: FlaskClient, auth: Auth, url: str
) -> None:
    auth.login(Role.ADMIN)
    assert client.get(url).status_code == 404


def test_numbers_in_the_query_string_beyond_64_bits_are_ignored(
    client: FlaskClient, auth: Auth
) -> None:
    compare = f"/documents/{SAMPLE_SLUG}/compare"
    # A number no version can have is no choice: back to the document, with a message.
    document = f"/documents/{SAMPLE_SLUG}"
    for odd in (str(2**64), "%C2%B2"):
        response = client.get(f"{compare}?from={odd}&with=1")
        assert response.status_code == 302 and response.location.endswith(document), odd
    assert client.get(f"{compare}?from=3&with=1").location.endswith("/compare/1...3")
    assert client.get(f"/documents/{SAMPLE_SLUG}/v/3?group={2**64}").status_code == 200
    auth.login(Role.ADMIN)
    assert client.get(f"/admin/audit?actor={2**63}").status_code == 200
    assert client.get(f"/admin/people?page={2**64}").status_code == 200


def test_page_links_keep_the_filters_and_ignore_url_for_arguments(
    client: FlaskClient, auth: Auth, session: Session
) -> None:
    _fill_admin_lists(session)
    auth.login(Role.ADMIN)
    query = "endpoint=x&_method=DELETE&_external=1&_anchor=top&kind=workgroup&page=2"
    response = client.get(f"/admin/groups?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    links = re.findall(r'<a href="([^"]*)" rel="prev"', html)
    assert links == [
        "/admin/groups?endpoint=x&amp;_method=DELETE&amp;_external=1&amp;_anchor=top"
        "&amp;kind=workgroup&amp;page=1"
    ]
    huge = client.get(f"/admin/groups?page={2**63 - 1}")  # past the end: an empty page
    assert huge.status_code == 200 and "Extra groep" not in huge.get_data(as_text=True)


def test_a_nul_character_is_refused_before_it_reaches_the_database(
    client: FlaskClient, auth: Auth
) -> None:
    """PostgreSQL refuses NUL in text: in a slug, a search or a reason it was a 500 there."""
    assert client.get("/documents/%00").status_code == 400
    assert client.get(f"/documents/{SAMPLE_SLUG}/v/3?kind=%00").status_code == 400
    auth.login(Role.ADMIN)
    assert client.get("/admin/people?q=a%00").status_code == 400
    assert client.post("/admin/groups/new", data={"name": "a\x00"}).status_code == 400
