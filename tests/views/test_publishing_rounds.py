"""Publishing with a safety net (a preview, then a confirmation) and a round's life after
publication: the closing date moved, closed early, reopened, made final; each audited and on
the document's timeline."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reviewhub.clock import local_today
from reviewhub.models import AuditEvent, Document, Role, Version, VersionStatus
from reviewhub.permissions import Action, can
from reviewhub.rounds import (
    RoundRefused,
    change_closing_date,
    close_round,
    make_final,
    reopen_round,
    round_events,
)
from tests.factories import (
    PREVIEW_TOKEN,
    SAMPLE_SLUG,
    make_document,
    publish,
    publish_through_form,
    user_with_role,
)
from tests.views.test_query_counts import counted

FORM = "/documents/publish"
SAMPLE = f"/documents/{SAMPLE_SLUG}"


def new_document(**fields):
    data = {"document": "__new__", "new_slug": "vangnet", "new_title": "Vangnet",
            "label": "Dialoogversie 1", "status": "", "closes_on": "", "summary": "",
            "source_text": "# Een\n\nTekst.\n\n# Twee\n\nMeer.\n"}  # fmt: skip
    data.update(fields)
    return data


def versions(session) -> int:
    return session.scalar(select(func.count()).select_from(Version))


def token_of(response) -> str:
    found = PREVIEW_TOKEN.search(response.get_data(as_text=True))
    assert found, "no preview"
    return found[1]


# The preview ---------------------------------------------------------------------------------


def test_the_form_answers_with_a_preview_and_stores_nothing(client, auth, session):
    auth.login(Role.AUTHOR)
    before = versions(session)
    response = client.post(FORM, data=new_document())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Controleren voor publicatie</h1>" in page
    assert re.search(r'preview-sections__number">1</span>\s*Een', page)
    assert re.search(r'preview-sections__number">2</span>\s*Twee', page)
    assert "Dialoogversie 1 publiceren" in page
    assert versions(session) == before
    assert session.scalar(select(Document).where(Document.slug == "vangnet")) is None


def test_the_preview_of_a_next_version_shows_changes_and_warns_of_removals(client, auth):
    auth.login(Role.AUTHOR)
    source = "# Inleiding\n\nEen geheel nieuwe inleiding.\n\n# Evaluatie\n\nNieuw.\n"
    response = client.post(
        FORM, data=new_document(document=SAMPLE_SLUG, label="Dialoogversie 4", source_text=source)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vergeleken met" in page and "Dialoogversie 3" in page
    assert re.search(r"\d+ secties van Dialoogversie 3 vervallen in deze versie", page)
    assert 'marker marker--new">Nieuw in deze versie' in page
    assert "Vervallen uit Dialoogversie 3" in page


def test_a_text_without_headings_is_warned_of(client, auth):
    auth.login(Role.AUTHOR)
    page = client.post(FORM, data=new_document(source_text="Alleen tekst.\n")).get_data(
        as_text=True
    )
    assert "De tekst heeft geen kopjes en wordt dus één sectie" in page


def test_confirming_publishes_what_the_preview_showed(client, auth, session):
    auth.login(Role.AUTHOR)
    response = publish_through_form(client, new_document())
    assert response.status_code == 302 and response.location.endswith("/documents/vangnet/v/1")
    document = session.scalars(select(Document).where(Document.slug == "vangnet")).one()
    assert [s.heading for s in document.versions[0].sections] == ["Een", "Twee"]
    assert "is gepubliceerd als versie 1" in client.get(response.location).get_data(as_text=True)


def test_going_back_from_the_preview_keeps_every_field_and_the_text(client, auth, session):
    auth.login(Role.AUTHOR)
    uploaded = {"source_text": "", "source_file": (io.BytesIO(b"# Uit een bestand\n"), "k.md")}
    preview = client.post(FORM, data=new_document(summary="Wat er veranderde", **uploaded),
                          content_type="multipart/form-data")  # fmt: skip
    back = client.post(f"{FORM}/confirm", data={"token": token_of(preview), "action": "change"})
    page = back.get_data(as_text=True)
    assert back.status_code == 200
    assert "# Uit een bestand" in page  # the file's text, now in the text box
    assert 'value="vangnet"' in page and "Wat er veranderde" in page
    assert session.scalar(select(Document).where(Document.slug == "vangnet")) is None


def test_a_missing_or_foreign_preview_is_not_published(client, auth, session):
    auth.login(Role.AUTHOR)
    token = token_of(client.post(FORM, data=new_document()))
    auth.logout()
    auth.login(Role.ADMIN)  # another person: the preview is not theirs
    response = client.post(f"{FORM}/confirm", data={"token": token, "action": "publish"})
    assert response.status_code == 302 and response.location.endswith(FORM)
    assert "Het voorbeeld is verlopen" in client.get(FORM).get_data(as_text=True)
    assert session.scalar(select(Document).where(Document.slug == "vangnet")) is None


def test_a_version_published_meanwhile_sends_the_author_back_to_a_new_preview(
    client, auth, session
):
    auth.login(Role.AUTHOR)
    data = new_document(document=SAMPLE_SLUG, label="Dialoogversie 4",
                        source_text="# Inleiding\n\nAnders.\n")  # fmt: skip
    token = token_of(client.post(FORM, data=data))
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    publish(session, document, "# Tussendoor\n\nIemand anders.\n", label="Tussenversie",
            status=VersionStatus.CLOSED)  # fmt: skip
    session.commit()
    before = versions(session)
    response = client.post(f"{FORM}/confirm", data={"token": token, "action": "publish"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Intussen is een andere versie" in page
    assert "Tussenversie" in page  # the new preview compares with it
    assert versions(session) == before
    assert publish_through_form(client, data).status_code == 302  # the fresh preview works


def test_the_publish_permission_is_checked_again_at_the_confirmation(client, auth, session):
    auth.login(Role.AUTHOR)
    data = new_document(document=SAMPLE_SLUG, label="V4", source_text="# Inleiding\n\nAnders.\n")
    token = token_of(client.post(FORM, data=data))
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    document.owner = None
    session.commit()
    response = client.post(f"{FORM}/confirm", data={"token": token, "action": "publish"})
    assert response.status_code == 400
    assert "U mag geen versies van dit document publiceren" in response.get_data(as_text=True)


def test_an_open_version_closing_in_the_past_is_refused_and_the_text_kept(client, auth):
    auth.login(Role.AUTHOR)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    response = client.post(
        FORM,
        data=new_document(status="open", closes_on=yesterday, source_text="",
                          source_file=(io.BytesIO(b"# Bewaard\n\nTekst.\n"), "k.md")),
        content_type="multipart/form-data",
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "ligt in het verleden" in page
    assert "# Bewaard" in page  # in the text box: nothing to choose again


def test_a_backdated_version_may_have_closed_long_ago(session):
    document = make_document(session, "geschiedenis")
    source = "---\ndate: 2020-01-06\n---\n# Oud\n\nTekst.\n"
    version = publish(session, document, source, status=VersionStatus.OPEN,
                      closes_on=local_today() - timedelta(days=400))  # fmt: skip
    assert version.effective_status(local_today()) is VersionStatus.CLOSED


def test_an_oversized_file_is_told_its_real_size(client, auth, app):
    auth.login(Role.AUTHOR)
    big = b"# Groot\n\n" + b"x" * (3 * 1024 * 1024)
    response = client.post(
        FORM, data=new_document(source_text="", source_file=(io.BytesIO(big), "groot.md")),
        content_type="multipart/form-data",
    )  # fmt: skip
    status, page = response.status_code, response.get_data(as_text=True)
    response.request.input_stream.close()  # the test client spools the body to a file
    assert status == 400
    assert "Het bestand is 3073 KB; de grens is 2048 KB." in page


# The round after publication ---------------------------------------------------------------


@pytest.fixture
def open_version(session):
    document = make_document(session, "ronde")
    document.owner = user_with_role(session, Role.AUTHOR)
    version = publish(session, document, "# Een\n\nTekst.\n", label="Dialoogversie 1",
                      status=VersionStatus.OPEN,
                      closes_on=local_today() + timedelta(days=30))  # fmt: skip
    session.commit()
    return version


def round_url(version, step=""):
    base = f"/documents/{version.document.slug}/v/{version.number}/round"
    return f"{base}/{step}" if step else base


def actions(session, version) -> list[str]:
    return list(session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "version", AuditEvent.object_id == version.id)
        .order_by(AuditEvent.id)
    ))  # fmt: skip


def test_an_author_extends_and_shortens_the_round_and_the_timeline_says_so(
    client, auth, session, open_version
):
    auth.login(Role.AUTHOR)
    later = local_today() + timedelta(days=60)
    response = client.post(round_url(open_version, "change"),
                           data={"change-closes_on": later.isoformat()})  # fmt: skip
    assert response.status_code == 302 and response.location.endswith("/documents/ronde#v1")
    session.refresh(open_version)
    assert open_version.closes_on == later
    sooner = local_today() + timedelta(days=10)
    client.post(round_url(open_version, "change"), data={"change-closes_on": sooner.isoformat()})
    assert actions(session, open_version)[-2:] == ["version.extended", "version.shortened"]
    timeline = client.get("/documents/ronde").get_data(as_text=True)
    assert "reactietermijn verlengd tot" in timeline
    assert "reactietermijn ingekort tot" in timeline


def test_a_closing_date_in_the_past_is_refused_with_a_message(client, auth, session, open_version):
    auth.login(Role.AUTHOR)
    before = open_version.closes_on
    past = (local_today() - timedelta(days=1)).isoformat()
    response = client.post(round_url(open_version, "change"), data={"change-closes_on": past})
    assert response.status_code == 400
    assert "ligt in het verleden" in response.get_data(as_text=True)
    session.refresh(open_version)
    assert open_version.closes_on == before


def test_an_empty_date_is_asked_for(client, auth, open_version):
    auth.login(Role.AUTHOR)
    response = client.post(round_url(open_version, "reopen"), data={})
    assert response.status_code == 400
    assert "Kies een sluitingsdatum." in response.get_data(as_text=True)


def test_closing_early_stops_reactions_and_reopening_allows_them_again(
    client, auth, session, open_version
):
    auth.login(Role.AUTHOR)
    partner = user_with_role(session, Role.PARTNER)
    assert client.post(round_url(open_version, "close")).status_code == 302
    session.refresh(open_version)
    assert open_version.status is VersionStatus.CLOSED and open_version.closes_on == local_today()
    assert not can(partner, Action.COMMENT, open_version)
    until = (local_today() + timedelta(days=7)).isoformat()
    assert client.post(round_url(open_version, "reopen"),
                       data={"reopen-closes_on": until}).status_code == 302  # fmt: skip
    session.refresh(open_version)
    assert open_version.status is VersionStatus.OPEN
    assert can(partner, Action.COMMENT, open_version)
    timeline = client.get("/documents/ronde").get_data(as_text=True)
    assert "ronde vervroegd gesloten" in timeline and "ronde heropend tot" in timeline


def test_an_older_round_is_not_reopened_once_a_newer_version_exists(session, open_version):
    author = user_with_role(session, Role.AUTHOR)
    close_round(session, author, open_version)
    publish(session, open_version.document, "# Een\n\nNieuwe tekst.\n", label="Dialoogversie 2",
            status=VersionStatus.CLOSED)  # fmt: skip
    with pytest.raises(RoundRefused, match="newer"):
        reopen_round(session, author, open_version, local_today() + timedelta(days=5))


def test_final_needs_a_tick_and_cannot_be_undone(client, auth, session, open_version):
    auth.login(Role.AUTHOR)
    refused = client.post(round_url(open_version, "final"), data={})
    assert refused.status_code == 400
    assert "Vink het vakje aan om te bevestigen." in refused.get_data(as_text=True)
    assert (
        client.post(round_url(open_version, "final"), data={"final-sure": "y"}).status_code == 302
    )
    session.refresh(open_version)
    assert open_version.status is VersionStatus.FINAL
    author = user_with_role(session, Role.AUTHOR)
    with pytest.raises(RoundRefused):
        reopen_round(session, author, open_version, local_today() + timedelta(days=5))
    page = client.get(round_url(open_version)).get_data(as_text=True)
    assert "Deze versie is definitief" in page
    assert "definitief gemaakt" in client.get("/documents/ronde").get_data(as_text=True)


def test_only_the_documents_authors_change_a_round(client, auth, session, open_version):
    auth.login(Role.REVIEWER)
    later = (local_today() + timedelta(days=60)).isoformat()
    response = client.post(round_url(open_version, "change"), data={"change-closes_on": later})
    assert response.status_code == 403
    reviewer = user_with_role(session, Role.REVIEWER)
    with pytest.raises(RoundRefused):
        close_round(session, reviewer, open_version)
    assert set(actions(session, open_version)) == {"version.published"}  # nothing changed


def test_a_draft_has_no_round(session):
    document = make_document(session, "klad")
    draft = publish(session, document, "# Klad\n", label="Klad")
    with pytest.raises(RoundRefused, match="draft"):
        make_final(session, user_with_role(session, Role.ADMIN), draft)


def test_round_events_of_many_versions_take_one_query(app, session, open_version):
    author = user_with_role(session, Role.AUTHOR)
    change_closing_date(session, author, open_version, local_today() + timedelta(days=90))
    session.flush()
    with counted(app) as statements:
        events = round_events(session, [open_version])
    assert len(statements) == 1
    assert [e.action for e in events[open_version.id]] == ["version.extended"]
