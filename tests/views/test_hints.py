"""Incorporation hints in the workspace: the list flags and filters the reactions a later
version may have taken in, the reaction's page shows the section's change and its path
through the versions, and a reviewer confirms the hint with one button."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from reviewhub.models import Disposition, Role
from tests.factories import Auth, user_with_role
from tests.feedback.test_hints import V1, V2, published  # noqa: F401 (a fixture)

SLUG = "testdocument"
LIST = f"/documents/{SLUG}/v/1/feedback"


@pytest.fixture
def reviewer(session):
    return user_with_role(session, Role.REVIEWER)


@pytest.fixture
def made(app, session: Session, published):  # noqa: F811
    session.commit()
    return published[2]


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def test_the_list_flags_and_filters_what_a_later_version_may_have_taken_in(
    client, auth: Auth, made
):
    auth.login(Role.REVIEWER)
    listed = page(client, LIST)
    assert listed.count("Mogelijk verwerkt in versie 2") == 2
    only = page(client, f"{LIST}?hint=yes")
    assert made["suggestion"].reference in only and made["concern"].reference in only
    assert made["untouched"].reference not in only
    assert 'name="hint" value="yes" checked' in only


def test_the_reaction_page_shows_the_change_and_confirms_in_one_step(
    client, auth: Auth, made, session
):
    auth.login(Role.REVIEWER)
    suggestion = made["suggestion"]
    url = f"{LIST}/{suggestion.reference}"
    shown = page(client, url)
    assert "Mogelijk verwerkt in V2" in shown
    assert "De voorgestelde tekst staat in de nieuwe tekst." in shown
    assert "<ins>" in shown and "zes weken" in shown  # the section's diff
    assert "Door de versies heen" in shown
    response = client.post(url, data={"which": "hint", "hint-revision": "0",
                                      "disposition": "accepted"})  # fmt: skip
    assert response.status_code == 302
    session.expire_all()
    session.refresh(suggestion)
    assert suggestion.disposition is Disposition.ACCEPTED
    assert suggestion.taken_in_version.label == "V2"
    after = page(client, url)
    assert "Mogelijk verwerkt in V2" not in after
    assert "Verwerkt door deze versie." in after


def test_a_stale_confirmation_is_a_conflict_and_a_partner_is_refused(
    client, auth: Auth, made, session
):
    concern = made["concern"]
    url = f"{LIST}/{concern.reference}"
    auth.login(Role.REVIEWER)
    response = client.post(url, data={"which": "hint", "hint-revision": "7",
                                      "disposition": "partly_accepted"})  # fmt: skip
    assert response.status_code == 409
    session.refresh(concern)
    assert concern.disposition is Disposition.NEW
    bad = client.post(url, data={"which": "hint", "hint-revision": "0", "disposition": "new"})
    assert bad.status_code == 400
    auth.logout()
    auth.login(Role.PARTNER)
    assert client.post(url, data={"which": "hint", "hint-revision": "0",
                                  "disposition": "accepted"}).status_code == 403  # fmt: skip
    session.refresh(concern)
    assert concern.disposition is Disposition.NEW
