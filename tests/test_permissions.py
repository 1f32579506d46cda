"""The permission layer asked directly: the rules that used to live in views and the domain
(reacting for a group or as oneself, official replies, owning and handing on documents, an
administrator's own role) now answer through ``can``."""

from __future__ import annotations

from datetime import date

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from reviewhub import accounts
from reviewhub.accounts import AccountError
from reviewhub.models import Document, Group, Role, VersionStatus
from reviewhub.permissions import Action, can, role_may
from reviewhub.publishing import PublishError, update_settings
from tests.factories import SAMPLE_SLUG, make_document, publish, user_with_role

ROLES = list(Role)


@pytest.fixture
def open_version(session):
    document = make_document(session, "rechten")
    version = publish(
        session, document, "# A\n\nTekst.\n", status=VersionStatus.OPEN, closes_on=date(2099, 1, 1)
    )
    session.commit()
    return version


@pytest.mark.parametrize(
    ("role", "as_oneself", "officially"),
    [
        (Role.ADMIN, True, True),
        (Role.AUTHOR, True, True),
        (Role.REVIEWER, True, True),
        (Role.PARTNER, False, False),  # partners speak for their region, workgroup or pilot
        (Role.READER, False, False),  # readers do not react at all
    ],
)
def test_who_reacts_as_themselves_and_who_replies_officially(
    session, open_version, role, as_oneself, officially
):
    person = user_with_role(session, role)
    assert can(person, Action.REACT_AS_ONESELF, open_version) is as_oneself
    assert can(person, Action.REPLY_OFFICIALLY, open_version) is officially


def test_nobody_reacts_on_a_closed_version(session, open_version):
    open_version.status = VersionStatus.CLOSED
    for role in ROLES:
        person = user_with_role(session, role)
        assert not can(person, Action.REACT_AS_ONESELF, open_version)
        assert not can(person, Action.REPLY_OFFICIALLY, open_version)


def test_only_members_react_for_an_active_group(session):
    partner = user_with_role(session, Role.PARTNER)
    own = partner.memberships[0].group
    other = session.scalars(select(Group).where(Group.id != own.id)).first()
    assert can(partner, Action.REACT_FOR_GROUP, own)
    assert other is not None and not can(partner, Action.REACT_FOR_GROUP, other)
    own.active = False
    assert not can(partner, Action.REACT_FOR_GROUP, own)
    assert not can(AnonymousUserMixin(), Action.REACT_FOR_GROUP, own)


@pytest.mark.parametrize("role", ROLES)
def test_owning_and_handing_on_documents(session, role):
    person = user_with_role(session, role)
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    assert can(person, Action.OWN_DOCUMENTS) is (role in (Role.ADMIN, Role.AUTHOR))
    assert can(person, Action.ASSIGN_OWNER, document) is (role is Role.ADMIN)


@pytest.mark.parametrize("role", ROLES)
def test_who_reacts_at_all_gets_the_link_to_their_reactions(client, auth, session, role):
    person = user_with_role(session, role)
    reacts = role in (Role.PARTNER, Role.REVIEWER, Role.AUTHOR, Role.ADMIN)
    assert can(person, Action.REACT) is reacts
    assert not can(AnonymousUserMixin(), Action.REACT)
    auth.login(role)
    header = client.get("/documents/").get_data(as_text=True).split("</header>")[0]
    assert ('href="/me/feedback"' in header) is reacts


def test_an_author_cannot_hand_their_document_to_someone_else(session):
    author = user_with_role(session, Role.AUTHOR)
    admin = user_with_role(session, Role.ADMIN)
    document = make_document(session, "van-de-auteur")
    document.owner = author
    with pytest.raises(PublishError, match="Only an administrator"):
        update_settings(
            session, author, document, visibility=document.visibility, group_ids=[],
            owner_id=admin.id,
        )  # fmt: skip
    update_settings(
        session, admin, document, visibility=document.visibility, group_ids=[], owner_id=admin.id
    )
    assert document.owner is admin


def test_what_a_role_allows_by_itself():
    assert role_may(Role.ADMIN, Action.MANAGE_PEOPLE)
    assert not role_may(Role.AUTHOR, Action.MANAGE_PEOPLE)
    assert role_may(Role.AUTHOR, Action.CREATE_DOCUMENT)


def test_an_administrator_cannot_take_away_their_own_administration(session):
    admin = user_with_role(session, Role.ADMIN)
    with pytest.raises(AccountError):
        accounts.update_person(
            session, admin, admin, name=admin.name, email=admin.email, role=Role.AUTHOR,
            active=True,
        )  # fmt: skip
    with pytest.raises(AccountError):
        accounts.update_person(
            session, admin, admin, name=admin.name, email=admin.email, role=Role.ADMIN,
            active=False,
        )  # fmt: skip


def test_every_action_has_a_rule(session):
    """``can`` raises for an action it has no rule for: every action is answered."""
    person = user_with_role(session, Role.ADMIN)
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    version = document.versions[-1]
    group = person.memberships[0].group if person.memberships else None
    comment_free = {Action.READ_COMMENT, Action.EDIT_COMMENT, Action.DELETE_COMMENT,
                    Action.REPORT_COMMENT, Action.ANSWER_DECISION,
                    Action.READ_ATTACHMENT, Action.READ_EXPORT_FILE}  # fmt: skip
    objects = {
        Action.READ_DOCUMENT: document, Action.READ_VERSION: version, Action.PUBLISH: document,
        Action.MANAGE_DOCUMENT: document, Action.EDIT_PROFILE: person, Action.COMMENT: version,
        Action.MODERATE: document, Action.REACT_AS_ONESELF: version,
        Action.REPLY_OFFICIALLY: version, Action.ASSIGN_OWNER: document,
        Action.DECIDE: document, Action.READ_WORKSPACE: document,
        Action.MANAGE_QUESTIONS: version,
    }  # fmt: skip
    for action in Action:
        group_actions = (Action.REACT_FOR_GROUP, Action.COORDINATE)
        if action in comment_free or (action in group_actions and group is None):
            continue
        obj = group if action in group_actions else objects.get(action)
        assert can(person, action, obj) in (True, False), action
