"""Migrations that change existing data: run on a database as the step before left it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_migrate import upgrade
from sqlalchemy import text

from reviewhub import create_app
from reviewhub.extensions import db

BEFORE_REGISTER = "6bd580677eb5"  # 0006: the feedback revision


def test_the_register_gives_existing_documents_codes_and_reactions_references(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.sqlite3",
                      "SECRET_KEY": "x"})  # fmt: skip
    at = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    with app.app_context():
        upgrade(revision=BEFORE_REGISTER)
        for statement in [
            "INSERT INTO documents (id, slug, title, description, visibility, premoderation, "
            "created_at) VALUES (1, 'kader', 'Handelingskader Veiligheid', '', 'public', 0, :at)",
            "INSERT INTO versions (id, document_id, number, label, status, change_summary, "
            "change_summary_html, source, source_hash, published_at, feedback_revision) "
            "VALUES (1, 1, 2, 'Dialoogversie 2', 'open', '', '', '# A', 'h', :at, 0)",
            "INSERT INTO sections (id, version_id, key, position, number, level, heading, "
            "heading_html, body, html, text, content_hash, change_kind) VALUES "
            "(1, 1, 'a', 0, '1', 1, 'A', 'A', '', '<h1>A</h1>', 'A', 'h', 'new')",
        ]:
            db.session.execute(text(statement), {"at": at})
        for n, parent in [(1, None), (2, 1), (3, None)]:
            db.session.execute(
                text("INSERT INTO comments (id, section_id, parent_id, body, body_html, "
                     "visibility, state, official, client_token, created_at) VALUES "
                     "(:id, 1, :parent, 'x', '', 'public', 'published', 0, :token, :at)"),
                {"id": n, "parent": parent, "token": f"t{n}", "at": at},
            )  # fmt: skip
        db.session.commit()
        upgrade()
        code = db.session.scalar(text("SELECT code FROM documents"))
        references = db.session.execute(
            text("SELECT id, reference FROM comments ORDER BY id")
        ).all()
        counter = db.session.scalar(text("SELECT reaction_counter FROM versions"))
        # 0008: each reaction and reply takes its section's version.
        versions = db.session.execute(text("SELECT version_id FROM comments")).scalars().all()
        db.engine.dispose()
    assert code == "HV"
    assert references == [(1, "HV-2-001"), (2, None), (3, "HV-2-002")]
    assert counter == 2
    assert versions == [1, 1, 1]
