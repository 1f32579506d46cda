"""The operator commands: publish, load-samples and demo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from reviewhub.models import (
    CarriedReaction,
    ChangeKind,
    Document,
    Role,
    User,
    Version,
    VersionStatus,
)
from tests.factories import SAMPLE_SLUG, make_document, publish, user_with_role
from tests.feedback.test_carrying import V1, V2, react
from tests.feedback.test_carrying import section as carry_section


def test_publish_creates_the_document_and_reports(cli, session, tmp_path: Path):
    source = tmp_path / "kader.md"
    source.write_text("Inleiding.\n\n# Een\n\nTekst.\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    summary.write_text("Eerste *versie*.", encoding="utf-8")
    result = cli(
        "publish", str(source), "--document", "nieuw-kader", "--title", "Nieuw kader",
        "--label", "Dialoogversie 1", "--summary-file", str(summary),
        "--status", "open", "--closes", "2027-03-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "nieuw-kader versie 1 (Dialoogversie 1) gepubliceerd: 2 secties" in result.output
    document = session.scalars(select(Document).where(Document.slug == "nieuw-kader")).one()
    (version,) = document.versions
    assert document.title == "Nieuw kader"
    assert version.status is VersionStatus.OPEN and str(version.closes_on) == "2027-03-01"
    assert version.change_summary_html == "<p>Eerste <em>versie</em>.</p>\n"


def test_publishing_a_new_sample_version_shows_the_right_changes(cli, session, tmp_path):
    latest = (Path("documents") / SAMPLE_SLUG / "v3.md").read_text(encoding="utf-8")
    edited = latest.replace("# Begrippenlijst {#begrippen}", "# Woordenlijst {#begrippen}")
    source = tmp_path / "v4.md"
    source.write_text(edited, encoding="utf-8")
    result = cli("publish", str(source), "--document", SAMPLE_SLUG, "--label", "Dialoogversie 4")
    assert result.exit_code == 0, result.output
    version = session.scalars(
        select(Version).join(Document).where(Document.slug == SAMPLE_SLUG, Version.number == 4)
    ).one()
    changed = {
        s.heading: s.change_kind for s in version.sections if s.change_kind.value != "unchanged"
    }
    assert changed == {"Woordenlijst": ChangeKind.RENAMED}


@pytest.mark.parametrize(
    ("content", "name", "extra", "message"),
    [
        (b"# A\n", "kader.docx", [], "Markdown-bestand"),
        (b"", "kader.md", ["--label", "X"], "leeg"),
        (b"# caf\xe9\n", "kader.md", ["--label", "X"], "geen UTF-8"),
        (b"# A\n", "kader.md", ["--label", "X", "--status", "open"], "sluitingsdatum"),
        (b"# A\n", "kader.md", ["--label", "X", "--closes", "maart"], "2027-03-01"),
        (b"# A\n", "kader.md", [], "label"),
    ],
)
def test_publish_refusals_say_why_and_store_nothing(
    cli, session, tmp_path, content, name, extra, message
):
    source = tmp_path / name
    source.write_bytes(content)
    versions_before = session.scalar(select(func.count()).select_from(Version))
    result = cli("publish", str(source), "--document", "weigering", *extra)
    assert result.exit_code != 0
    assert message in result.output
    assert session.scalar(select(func.count()).select_from(Version)) == versions_before
    assert session.scalar(select(Document).where(Document.slug == "weigering")) is None


def test_publishing_the_same_file_twice_is_refused(cli, tmp_path):
    source = tmp_path / "kader.md"
    source.write_text("# A\n", encoding="utf-8")
    assert cli("publish", str(source), "--document", "dubbel", "--label", "V1").exit_code == 0
    again = cli("publish", str(source), "--document", "dubbel", "--label", "V2")
    assert again.exit_code != 0 and "identiek" in again.output


def test_load_samples_refuses_a_database_with_documents(cli):
    result = cli("load-samples")
    assert result.exit_code != 0 and "bevat al documenten" in result.output


def test_demo_creates_no_accounts_when_some_exist(cli, session):
    before = session.scalar(select(func.count()).select_from(User))
    result = cli("demo")
    assert result.exit_code == 0 and "geen demo-accounts aangemaakt" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_demo_on_an_empty_database_loads_samples_and_prints_logins(cli, session):
    for model in (Version, Document, User):
        for row in session.scalars(select(model)):
            session.delete(row)
    session.flush()
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert f"{SAMPLE_SLUG} geladen: 3 versies." in result.output
    assert "auteur@example.org" in result.output and "demo-reviewhub" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 5


def test_carry_forward_carries_what_was_not_carried_yet(app, cli, session):
    reviewer = user_with_role(session, Role.REVIEWER)
    with app.app_context():
        document = make_document(session, "meenemen")
        v1 = publish(session, document, V1, label="V1", **CARRY_OPEN)
        publish(session, document, V2, label="V2", **CARRY_OPEN)
        react(session, reviewer, carry_section(session, v1, "regie"), "Na versie 2 gesteld.")
        session.execute(delete(CarriedReaction))  # as in a database from before carrying
    session.commit()
    result = cli("carry-forward")
    assert result.exit_code == 0, result.output
    assert "Reacties meegenomen naar latere versies: 1." in result.output
    assert "Reacties meegenomen naar latere versies: 0." in cli("carry-forward").output


CARRY_OPEN = {"status": VersionStatus.OPEN, "closes_on": date(2099, 12, 31)}
