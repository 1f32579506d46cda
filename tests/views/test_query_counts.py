"""The pages cost the same number of SQL statements whatever the amount of feedback: each page,
anonymous, as a partner and as a moderator, with no reactions, a few, and a few hundred spread
over the sections (with replies, group-only and waiting ones). An N+1 pattern (a query per
reaction, per thread, per section with reactions) makes the counts differ and fails here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from reviewhub.extensions import db
from reviewhub.feedback.display import render_body
from reviewhub.models import (
    Comment,
    CommentKind,
    CommentState,
    CommentVisibility,
    Document,
    Group,
    GroupKind,
    Role,
    Section,
    Version,
)
from tests.factories import SAMPLE_SLUG, Auth, group_named, make_user, user_with_role

SAMPLE = f"/documents/{SAMPLE_SLUG}"
OPEN = f"{SAMPLE}/v/3"
KEY = "veiligheid"
PAGES = {
    "version page": OPEN,
    "version page, filtered": f"{OPEN}?unanswered=1&kind=question",
    "section page": f"{OPEN}/s/{KEY}",
    "section page 2": f"{OPEN}/s/{KEY}?page=2",
    "thread fragment": f"{OPEN}/s/{KEY}/reactions",
    "thread fragment 2": f"{OPEN}/s/{KEY}/reactions?page=2",
    "thread fragment, filtered": f"{OPEN}/s/{KEY}/reactions?group={{group}}&unanswered=1",
    "compare": f"{SAMPLE}/compare/2...3",
    "section history": f"{SAMPLE}/sections/{KEY}/history",
    "document list": "/documents/",
    "my reactions": "/me/feedback",
    "my reactions, filtered": "/me/feedback?status=new&group={group}",
    "group reactions": "/groups/{group}/feedback",
    "group positions": f"/groups/{{group}}/positions/{SAMPLE_SLUG}/v/3",
    "compose a position": f"/groups/{{group}}/positions/{SAMPLE_SLUG}/v/3/s/{KEY}",
    "open objections": f"{OPEN}/objections",
    "moderation": f"{SAMPLE}/moderation",
    "review workspace": f"{OPEN}/feedback",
    "review workspace, filtered": f"{OPEN}/feedback?status=new&sort=created&order=desc&q=reactie",
    "progress": f"{OPEN}/progress",
}
FEW, MANY = 90, 300  # a third on one section: even FEW take it past one page of threads
# Loading threads for the first time costs a statement per relationship loaded with them
# (authors, groups, replies and theirs, the decisions' history and answers, attachments): with
# no reactions at all those are not run.
LOADERS = 9


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_per_page(app: Flask, client: FlaskClient, session: Session) -> dict[str, int]:
    found = {}
    group = group_named(session).id
    for name, url in PAGES.items():
        with counted(app) as statements:
            response = client.get(url.format(group=group))
        assert response.status_code in (200, 302, 403), (name, response.status_code)
        found[name] = len(statements)
    return found


def add_reactions(session: Session, count: int, start: int = 0) -> None:
    """``count`` reactions on the open version through the models, a third of them on one
    section (so that its threads take several pages), the rest spread over the others; every
    fourth answered, some for the group only, some waiting, by the partner and by people and
    groups new in each batch (so that a query per author or group would show)."""
    partner, reviewer, author = (
        user_with_role(session, role) for role in (Role.PARTNER, Role.REVIEWER, Role.AUTHOR)
    )
    twente = group_named(session)
    newcomers = [
        make_user(session, f"batch{start}-{i}@example.org", Role.PARTNER,
                  Group(name=f"Regio {start}-{i}", kind=GroupKind.REGION))
        for i in range(5)
    ]  # fmt: skip
    sections = session.scalars(
        select(Section)
        .join(Version)
        .join(Document)
        .where(Document.slug == SAMPLE_SLUG, Version.number == 3)
        .order_by(Section.position)
    ).all()
    target = next(s for s in sections if s.key == KEY)
    kinds = list(CommentKind)
    at = datetime(2026, 12, 1, tzinfo=UTC)
    for n in range(start, start + count):
        body = f"Reactie {n} met *nadruk*."
        comment = Comment(
            section=target if n % 3 == 0 else sections[n % len(sections)],
            author=partner if n % 4 == 1 else newcomers[n % 5] if n % 4 == 3 else author,
            group=twente if n % 4 == 1 else newcomers[n % 5].groups[0] if n % 4 == 3 else None,
            kind=kinds[n % len(kinds)],
            body=body,
            body_html=render_body(body),
            visibility=CommentVisibility.GROUP if n % 10 == 1 else CommentVisibility.PUBLIC,
            state=CommentState.PENDING if n % 15 == 4 else CommentState.PUBLISHED,
            client_token=f"count-{n}",
            created_at=at + timedelta(minutes=n),
        )
        session.add(comment)
        if n % 4 == 0:
            answer = f"Antwoord op {n}."
            session.add(
                Comment(
                    section=comment.section,
                    parent=comment,
                    author=reviewer,
                    body=answer,
                    body_html=render_body(answer),
                    official=True,
                    client_token=f"answer-{n}",
                    visibility=comment.visibility,
                    created_at=at + timedelta(minutes=n, seconds=1),
                )
            )
    session.commit()


@pytest.mark.parametrize(
    "who", [None, Role.PARTNER, Role.REVIEWER], ids=["anonymous", "partner", "reviewer"]
)
def test_no_page_needs_more_statements_for_more_reactions(
    app: Flask, client: FlaskClient, session: Session, who: Role | None
) -> None:
    if who is not None:
        assert Auth(client).login(who).status_code == 302
    statements_per_page(app, client, session)  # the text of a version is kept after its first
    none = statements_per_page(app, client, session)
    add_reactions(session, FEW)
    few = statements_per_page(app, client, session)
    add_reactions(session, MANY - FEW, start=FEW)
    many = statements_per_page(app, client, session)
    assert many == few, "a page sends more statements for more reactions"
    over = {name: many[name] - none[name] for name in PAGES if many[name] > none[name] + LOADERS}
    assert not over, over


def test_the_version_page_shows_no_thread_at_all(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """Its size does not grow with the threads either: counts only, the threads come later."""
    add_reactions(session, MANY)
    html = client.get(OPEN).get_data(as_text=True)
    assert 'class="comment' not in html and "Reactie 3 met" not in html
    assert 'href="#f-veiligheid">' in html and html.count('class="threads-link"') > 10
    fragment = client.get(f"{OPEN}/s/{KEY}/reactions").get_data(as_text=True)
    assert fragment.count('<article class="comment') <= 20 * 2  # 20 threads and their replies
    assert "<em>nadruk</em>" in fragment and 'rel="next"' in fragment


def test_a_reaction_in_the_workspace_costs_the_same_whatever_its_thread(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """Its replies, decisions, notes and their people load with it, not one by one."""
    from reviewhub.feedback.decisions import Decision, add_note, decide
    from reviewhub.feedback.posting import post_comment
    from reviewhub.models import Disposition
    from tests.factories import reaction, sample_section

    partner = user_with_role(session, Role.PARTNER)
    with app.app_context():
        comment = post_comment(
            session, partner, sample_section(session), reaction(group=group_named(session))
        )
    session.commit()
    path = f"{OPEN}/feedback/{comment.reference}?status=new"
    assert Auth(client).login(Role.REVIEWER).status_code == 302
    client.get(path)
    with counted(app) as bare:
        assert client.get(path).status_code == 200
    add_reactions(session, 20)
    with app.app_context():
        for n in range(5):
            someone = make_user(session, f"thread-{n}@example.org", Role.REVIEWER)
            post_comment(
                session, someone, comment.section, reaction(f"Antwoord {n}", kind=None), comment
            )
            add_note(session, someone, comment, f"Notitie {n}")
            decide(session, someone, comment, Decision(Disposition.IN_PROGRESS))
    session.commit()
    client.get(path)
    with counted(app) as full:
        assert client.get(path).status_code == 200
    # Loaded for the first time, each kind of thing costs a statement; never one per item.
    assert len(full) - len(bare) <= LOADERS, (len(bare), len(full))
