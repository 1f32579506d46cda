"""Publishing versions into the database: stored mapping, refusals, concurrency."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from reviewhub import publishing
from reviewhub.extensions import db
from reviewhub.models import ChangeKind, Document, Section, Version, VersionStatus
from reviewhub.publishing import (
    PublishConflict,
    PublishError,
    VersionMeta,
    decode_source,
    decode_upload,
    get_or_create_document,
    publish_version,
    removed_sections,
)
from tests.factories import DATA, SAMPLE_SLUG, make_document, publish

EXPECTED = yaml.safe_load((DATA / "expected_mapping.yml").read_text())


def sample_version(session: Session, number: int) -> Version:
    return session.scalars(
        select(Version).join(Document).where(Document.slug == SAMPLE_SLUG, Version.number == number)
    ).one()


@pytest.mark.parametrize("number", [2, 3])
def test_stored_sample_mapping_matches_the_expected_mapping(session, number):
    version = sample_version(session, number)
    stored = [
        {
            "number": s.number,
            "heading": s.heading,
            "kind": s.change_kind.value,
            "predecessor": s.predecessor.number if s.predecessor else None,
        }
        for s in version.sections
    ]
    assert stored == EXPECTED[SAMPLE_SLUG][number]["sections"]
    assert [
        {"number": s.number, "heading": s.heading} for s in removed_sections(session, version)
    ] == EXPECTED[SAMPLE_SLUG][number]["removed"]


def test_sample_front_matter_becomes_version_metadata(session):
    version = sample_version(session, 3)
    assert version.label == "Dialoogversie 3"
    assert version.status is VersionStatus.OPEN
    assert version.closes_on == date(2027, 3, 1)
    assert version.published_at.date() == date(2026, 11, 2)
    assert "<p>" in version.change_summary_html


def test_sections_store_tree_numbers_and_rendering(session):
    document = make_document(session)
    version = publish(session, document, "Intro.\n\n# Een\n\n**vet**\n\n## Twee\n\ntekst\n")
    preamble, one, two = version.sections
    assert (preamble.number, one.number, two.number) == ("", "1", "1.1")
    assert two.parent is one and one.parent is None
    assert one.html == "<p><strong>vet</strong></p>\n" and one.text == "vet"
    assert one.body == "**vet**"
    assert all(s.change_kind is ChangeKind.NEW for s in version.sections)


def test_versions_are_numbered_in_order_and_matched_with_the_previous(session):
    document = make_document(session)
    first = publish(session, document, "# A\n\nalpha\n\n# B\n\nbeta\n", label="V1")
    second = publish(session, document, "# A\n\nalpha!\n\n# C\n\ngamma\n", label="V2")
    assert (first.number, second.number) == (1, 2)
    a, c = second.sections
    assert a.predecessor is first.sections[0] and a.change_kind is ChangeKind.EDITED
    assert c.change_kind is ChangeKind.NEW
    assert [s.heading for s in removed_sections(session, second)] == ["B"]
    assert removed_sections(session, first) == []


def test_explicit_arguments_win_over_front_matter(session):
    source = "---\nlabel: Uit de kop\nstatus: closed\nsummary: kop\n---\n# A\n"
    version = publish(
        session,
        make_document(session),
        source,
        label="Dialoogversie 9",
        status=VersionStatus.OPEN,
        closes_on=date(2027, 1, 31),
        summary="Eigen *samenvatting*",
    )
    assert version.label == "Dialoogversie 9" and version.status is VersionStatus.OPEN
    assert version.change_summary_html == "<p>Eigen <em>samenvatting</em></p>\n"


def test_source_is_kept_as_published_for_download(session):
    source = "---\nlabel: X\n---\r\n# A\r\n\r\nTekst.\r\n"
    version = publish(session, make_document(session), source)
    assert version.source == "---\nlabel: X\n---\n# A\n\nTekst.\n"


@pytest.mark.parametrize(
    ("source", "meta", "message"),
    [
        ("", {}, "empty"),
        ("   \n\n", {}, "empty"),
        ("# A\n", {"label": None}, "label"),
        ("---\nstatus: open\n---\n# A\n", {}, "closing date"),
        ("---\nstatus: published\n---\n# A\n", {}, "Unknown status"),
        ("---\ncloses: 1 maart\n---\n# A\n", {}, "2027-03-01"),
        ("---\nlabel: [\n---\n# A\n", {}, "YAML"),
        ("# A {#x}\n# B {#x}\n", {}, "once"),
    ],
)
def test_unusable_publications_are_refused_and_store_nothing(session, source, meta, message):
    document = make_document(session)
    with pytest.raises(PublishError, match=message):
        publish(session, document, source, **meta)
    assert session.scalars(select(Version).where(Version.document_id == document.id)).all() == []


def test_publishing_the_same_text_twice_is_refused(session):
    document = make_document(session)
    publish(session, document, "# A\n\ntekst\n", label="V1")
    publish(session, document, "# A\n\nanders\n", label="V2")
    with pytest.raises(PublishError, match="identical"):
        publish(session, document, "---\nlabel: Nieuw label\n---\n# A\n\ntekst\n", label="V3")


def test_the_same_text_may_be_published_for_another_document(session):
    publish(session, make_document(session, "een"), "# A\n")
    publish(session, make_document(session, "twee"), "# A\n")


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("notes.docx", b"# A", "Markdown file"),
        ("notes.md", b"# caf\xe9\n", "not UTF-8"),
        ("notes.md", b"# A\n\x00\x01", "binary"),
        ("notes.md", b"#" * 2000, "limit"),
    ],
)
def test_bad_uploads_get_a_clear_message(filename, data, message):
    with pytest.raises(PublishError, match=message):
        decode_upload(filename, data, max_bytes=1024)


def test_utf8_with_byte_order_mark_is_accepted():
    assert decode_source("\ufeff# Één".encode(), 1024) == "# Één"


def test_non_utf8_message_names_the_line():
    with pytest.raises(PublishError, match="line 3"):
        decode_source(b"a\nb\n\xff\n", 1024)


@pytest.mark.parametrize("slug", ["Hoofdletters", "met spatie", "-rand", "a--b", "x" * 101, ""])
def test_document_short_names_are_validated(session, slug):
    with pytest.raises(PublishError, match="lowercase"):
        get_or_create_document(session, slug)


def test_two_simultaneous_publications_never_share_a_number(app, monkeypatch):
    """Two threads, each with its own connection, publish at the same moment: one wins,
    the other is told so, and the document has exactly one new version."""
    with app.app_context():
        setup = db.session
        document = get_or_create_document(setup, "race-document", "Race")
        publish_version(setup, document, "# Start\n", VersionMeta(label="V1"))
        setup.commit()
        document_id = document.id
        db.session.remove()

    barrier = threading.Barrier(2, timeout=10)
    original_parse = publishing.parse_document

    def parse_then_wait(source: str, *args):  # both threads have read the latest number by now
        parsed = original_parse(source, *args)
        barrier.wait()
        return parsed

    monkeypatch.setattr(publishing, "parse_document", parse_then_wait)
    outcomes: list[str] = []

    def publish_in_thread(text: str) -> None:
        with app.app_context():
            try:
                doc = db.session.get(Document, document_id)
                publish_version(db.session, doc, text, VersionMeta(label=text))
                db.session.commit()
                outcomes.append("published")
            except PublishConflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=publish_in_thread, args=(f"# Tekst {n}\n",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert sorted(outcomes) == ["conflict", "published"]
        with app.app_context():
            numbers = db.session.scalars(
                select(Version.number).where(Version.document_id == document_id)
            ).all()
            assert sorted(numbers) == [1, 2]
    finally:
        with app.app_context():
            version_ids = select(Version.id).where(Version.document_id == document_id)
            db.session.execute(delete(Section).where(Section.version_id.in_(version_ids)))
            db.session.execute(delete(Version).where(Version.document_id == document_id))
            db.session.execute(delete(Document).where(Document.id == document_id))
            db.session.commit()
            db.session.remove()


def test_keys_of_removed_sections_are_not_reused_later(session):
    document = make_document(session)
    publish(session, document, "# Vragen\n\noude vragen\n\n# Vast\n", label="V1")
    publish(session, document, "# Vast\n", label="V2")
    third = publish(session, document, "# Vast\n\n# Vragen\n\nnieuwe inhoud\n", label="V3")
    assert [s.key for s in third.sections] == ["vast", "vragen-2"]
