"""Document access: public or restricted to groups; owners publish and set access."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reviewhub.models import Document, Group, Role, Visibility
from tests.factories import SAMPLE_SLUG, publish_through_form, user_with_role

SAMPLE = f"/documents/{SAMPLE_SLUG}"


@pytest.fixture
def restricted(session):
    """The sample document, restricted to Regio Twente (the demo partner's region)."""
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    document.visibility = Visibility.RESTRICTED
    document.groups = [session.scalars(select(Group).where(Group.name == "Regio Twente")).one()]
    session.commit()
    return document


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 302),
        (Role.READER, 403),  # not in the group
        (Role.PARTNER, 200),  # member of Regio Twente
        (Role.REVIEWER, 200),  # the review group reads everything
        (Role.AUTHOR, 200),  # owner
        (Role.ADMIN, 200),
    ],
)
def test_restricted_documents_are_read_by_their_groups_only(client, auth, restricted, role, status):
    if role is not None:
        auth.login(role)
    for url in (SAMPLE, f"{SAMPLE}/v/3", f"{SAMPLE}/v/3/source.md"):
        assert client.get(url).status_code == status, url
    listed = "Handelingskader voor professionals" in client.get("/documents/").get_data(
        as_text=True
    )
    assert listed is (status == 200)


def test_restricted_documents_say_who_may_read_them(client, auth, restricted):
    auth.login(Role.PARTNER)
    page = client.get(SAMPLE).get_data(as_text=True)
    assert "Afgeschermd: alleen leden van Regio Twente" in page


def test_owner_restricts_a_document_to_groups(client, auth, session):
    auth.login(Role.AUTHOR)
    region = session.scalars(select(Group).where(Group.name == "Regio Twente")).one()
    response = client.post(
        f"{SAMPLE}/settings", data={"visibility": "restricted", "groups": [region.id]}
    )
    assert response.status_code == 302
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    session.refresh(document)
    assert document.visibility is Visibility.RESTRICTED and document.groups == [region]
    assert document.owner == user_with_role(session, Role.AUTHOR)  # authors cannot change it


def test_a_restricted_document_needs_a_group(client, auth):
    auth.login(Role.AUTHOR)
    response = client.post(f"{SAMPLE}/settings", data={"visibility": "restricted"})
    assert response.status_code == 400
    assert "Kies minstens één groep" in response.get_data(as_text=True)


def test_admins_hand_a_document_to_another_author(client, auth, session):
    auth.login(Role.ADMIN)
    admin = user_with_role(session, Role.ADMIN)
    reader = user_with_role(session, Role.READER)
    refused = client.post(f"{SAMPLE}/settings", data={"visibility": "public", "owner": reader.id})
    assert refused.status_code == 400  # only authors are offered as owners
    client.post(f"{SAMPLE}/settings", data={"visibility": "public", "owner": admin.id})
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    session.refresh(document)
    assert document.owner == admin


def test_authors_publish_only_their_own_documents(client, auth, session):
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    document.owner = None
    session.commit()
    auth.login(Role.AUTHOR)
    page = client.get("/documents/publish").get_data(as_text=True)
    assert f'value="{SAMPLE_SLUG}"' not in page
    response = client.post(
        "/documents/publish",
        data={"document": SAMPLE_SLUG, "label": "V4", "source_text": "# Stiekem\n"},
    )
    assert response.status_code == 400
    assert "U mag geen versies van dit document publiceren" in response.get_data(as_text=True)


def test_a_new_document_cannot_take_an_existing_short_name(client, auth):
    auth.login(Role.AUTHOR)
    response = client.post(
        "/documents/publish",
        data={"document": "__new__", "new_slug": SAMPLE_SLUG, "label": "V1", "source_text": "# A"},
    )
    assert response.status_code == 400
    assert "bestaat al een document" in response.get_data(as_text=True)


def test_new_documents_belong_to_the_author_who_published_them(client, auth, session):
    auth.login(Role.AUTHOR)
    publish_through_form(
        client,
        {"document": "__new__", "new_slug": "eigen-kader", "label": "V1", "source_text": "# A"},
    )
    document = session.scalars(select(Document).where(Document.slug == "eigen-kader")).one()
    assert document.owner == user_with_role(session, Role.AUTHOR)
