"""The review workspace through its pages: who reads it and who gets forms, the filters, assigning
and deciding in bulk (all or nothing), one reaction's decision with its conflicts and refusals,
and the review group's notes."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewhub.feedback.decisions import Decision, decide
from reviewhub.feedback.posting import Passage, delete_comment, post_comment
from reviewhub.models import (
    Comment,
    CommentKind,
    Disposition,
    DispositionChange,
    ReviewNote,
    Role,
    User,
)
from tests.factories import SAMPLE_SLUG, Auth, group_named, reaction, sample_section, user_with_role

WORKSPACE = f"/documents/{SAMPLE_SLUG}/v/3/feedback"


@pytest.fixture
def reactions(app: Flask, session: Session) -> list[Comment]:
    """Three reactions of the demo partner on Dialoogversie 3, committed."""
    partner = user_with_role(session, Role.PARTNER)
    twente = group_named(session)
    with app.app_context():  # the closing date is read in the app's time zone
        made = [
            post_comment(
                session,
                partner,
                sample_section(session, 3, key),
                reaction(body, kind=kind, group=twente),
            )
            for key, body, kind in [
                ("veiligheid", "Wat bedoelt u met veiligheid?", CommentKind.QUESTION),
                ("veiligheid", "Graag een voorbeeld erbij.", CommentKind.SUGGESTION),
                ("regie", "Zorgen over de regie.", CommentKind.CONCERN),
            ]
        ]
    session.commit()
    return made


def url(comment: Comment, query: str = "") -> str:
    return f"{WORKSPACE}/{comment.reference}{query}"


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


def fresh(session: Session, comment: Comment) -> Comment:
    session.expire_all()
    return session.get(Comment, comment.id)


# Who reads it, who gets forms ---------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTNER, Role.READER])
def test_partners_and_readers_are_refused(client, auth, reactions, role):
    auth.login(role)
    assert client.get(WORKSPACE).status_code == 403
    assert client.get(url(reactions[0])).status_code == 403
    assert client.post(WORKSPACE, data={"action": "assign"}).status_code == 403


def test_the_author_reads_without_forms_and_without_notes(client, auth, session, reactions):
    reviewer = user_with_role(session, Role.REVIEWER)
    session.add(
        ReviewNote(
            comment=reactions[0], author=reviewer, body="Intern", body_html="<p>Intern geheim</p>"
        )
    )
    session.commit()
    auth.login(Role.AUTHOR)
    listing = page(client, WORKSPACE)
    assert reactions[0].reference in listing and 'name="selected"' not in listing
    assert '<form method="post"' not in listing.split("<main", 1)[1]
    detail = page(client, url(reactions[0]))
    assert "Wat bedoelt u met veiligheid?" in detail
    assert 'name="which"' not in detail and "Intern geheim" not in detail
    assert (
        client.post(url(reactions[0]), data={"which": "note", "note-body": "x"}).status_code == 403
    )
    assert client.post(WORKSPACE, data={"action": "assign"}).status_code == 403


def test_the_reviewer_gets_the_forms_and_the_notes(client, auth, session, reactions):
    reviewer = user_with_role(session, Role.REVIEWER)
    session.add(
        ReviewNote(
            comment=reactions[0], author=reviewer, body="x", body_html="<p>Intern geheim</p>"
        )
    )
    session.commit()
    auth.login(Role.REVIEWER)
    listing = page(client, WORKSPACE)
    assert listing.count('name="selected"') == 3
    assert f'<label for="select-{reactions[0].id}" class="visually-hidden">' in listing
    assert "<legend>" in listing and 'value="assign"' in listing
    detail = page(client, url(reactions[0]))
    assert 'value="decide"' in detail and "Intern geheim" in detail


def test_the_version_page_links_the_workspace_for_its_readers_only(client, auth, reactions):
    link = f'href="{WORKSPACE}"'
    assert link not in page(client, f"/documents/{SAMPLE_SLUG}/v/3")
    auth.login(Role.PARTNER)
    assert link not in page(client, f"/documents/{SAMPLE_SLUG}/v/3")
    auth.login(Role.AUTHOR)
    assert link in page(client, f"/documents/{SAMPLE_SLUG}/v/3")


def test_unknown_references_are_not_found(client, auth, reactions):
    auth.login(Role.REVIEWER)
    assert client.get(f"{WORKSPACE}/XX-3-999").status_code == 404
    assert (
        client.get(f"/documents/{SAMPLE_SLUG}/v/2/feedback/{reactions[0].reference}").status_code
        == 404
    )
    assert client.get(f"/documents/{SAMPLE_SLUG}/v/9/feedback").status_code == 404


# The list -----------------------------------------------------------------------------------


def test_filters_and_sorting_show_in_the_list(client, auth, session, reactions):
    decide(
        session,
        user_with_role(session, Role.REVIEWER),
        reactions[2],
        Decision(Disposition.NOTED, "Gezien."),
    )
    session.commit()
    auth.login(Role.REVIEWER)
    noted = page(client, f"{WORKSPACE}?status=noted")
    assert reactions[2].reference in noted and reactions[0].reference not in noted
    by_section = page(client, f"{WORKSPACE}?section=regie")
    assert reactions[2].reference in by_section and reactions[1].reference not in by_section
    searched = page(client, f"{WORKSPACE}?q=VOORBEELD")
    assert reactions[1].reference in searched and reactions[0].reference not in searched
    descending = page(client, f"{WORKSPACE}?order=desc")
    assert descending.index(reactions[2].reference) < descending.index(reactions[0].reference)
    assert 'aria-sort="descending"' in descending
    # Odd values are no filter at all, never an error.
    odd = page(
        client,
        f"{WORKSPACE}?status=onzin&group=x&assignee=-1&sort=;drop&cluster=99999999999999999999",
    )
    assert reactions[0].reference in odd


def test_the_list_shows_near_duplicate_clusters(app, client, auth, session, reactions):
    partner = user_with_role(session, Role.PARTNER)
    with app.app_context():
        twin = post_comment(
            session,
            partner,
            sample_section(session),
            reaction("Wat bedoelt u met veiligheid??", group=group_named(session)),
        )
    session.commit()
    auth.login(Role.REVIEWER)
    listing = page(client, WORKSPACE)
    cluster = min(reactions[0].id, twin.id)
    assert f"cluster={cluster}" in listing
    only = page(client, f"{WORKSPACE}?cluster={cluster}")
    assert reactions[0].reference in only and twin.reference in only
    assert reactions[1].reference not in only
    # Shown to be decided together: the cluster's rows come ticked.
    for member in (reactions[0], twin):
        assert f'value="{member.id}" id="select-{member.id}" checked' in only
    assert " checked" not in listing.split("<tbody>")[1].split("</tbody>")[0]


# Bulk actions --------------------------------------------------------------------------------


def test_bulk_assign(client, auth, session, reactions):
    auth.login(Role.REVIEWER)
    reviewer = user_with_role(session, Role.REVIEWER)
    chosen = [reactions[0].id, reactions[2].id]
    response = client.post(
        f"{WORKSPACE}?status=new",
        data={"action": "assign", "assignee": str(reviewer.id), "selected": chosen},
    )
    assert response.status_code == 302 and response.location.endswith("/feedback?status=new")
    assert [fresh(session, c).assignee_id for c in reactions] == [reviewer.id, None, reviewer.id]


def test_bulk_assign_refuses_someone_outside_the_review_group(client, auth, session, reactions):
    auth.login(Role.REVIEWER)
    partner = user_with_role(session, Role.PARTNER)
    response = client.post(
        WORKSPACE,
        data={"action": "assign", "assignee": str(partner.id), "selected": [reactions[0].id]},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'class="error-summary"' in html and partner.name in html
    assert fresh(session, reactions[0]).assignee_id is None


def test_bulk_decide_sets_one_motivation_on_every_selected_reaction(
    client, auth, session, reactions
):
    auth.login(Role.REVIEWER)
    response = client.post(
        WORKSPACE,
        data={
            "action": "decide",
            "disposition": "noted",
            "motivation": "Meegenomen in de planning.",
            "selected": [reactions[0].id, reactions[1].id],
        },
    )
    assert response.status_code == 302
    decided = [fresh(session, c) for c in reactions]
    assert [c.disposition for c in decided] == [
        Disposition.NOTED,
        Disposition.NOTED,
        Disposition.NEW,
    ]
    assert decided[0].motivation == "Meegenomen in de planning."


def test_bulk_decide_is_all_or_nothing(app, client, auth, session, reactions):
    with app.app_context():
        delete_comment(session, user_with_role(session, Role.PARTNER), reactions[1])
    session.commit()
    auth.login(Role.REVIEWER)
    response = client.post(
        WORKSPACE,
        data={
            "action": "decide",
            "disposition": "accepted",
            "motivation": "Overgenomen, zie 2.1.",
            "selected": [c.id for c in reactions],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert reactions[1].reference in html and "Overgenomen, zie 2.1." in html  # typed text kept
    assert html.count(" checked") >= 3  # the selection too
    assert {fresh(session, c).disposition for c in reactions} == {Disposition.NEW}
    assert session.scalar(select(DispositionChange.id).limit(1)) is None


@pytest.mark.parametrize(
    "data",
    [
        {"action": "decide", "disposition": "noted", "motivation": "x"},  # nothing selected
        {"action": "decide", "disposition": "", "motivation": "x", "selected": ["{id}"]},
        {"action": "decide", "disposition": "new", "motivation": "x", "selected": ["{id}"]},
        {"action": "decide", "disposition": "noted", "motivation": "", "selected": ["{id}"]},
        {"action": "decide", "disposition": "noted", "motivation": "x", "selected": ["abc"]},
        {"action": "decide", "disposition": "noted", "motivation": "x", "selected": ["99999999"]},
        {"action": "assign", "assignee": "", "selected": ["{id}"]},
        {"action": "assign", "assignee": "99999999", "selected": ["{id}"]},
    ],
    ids=[
        "none",
        "no status",
        "new",
        "no motivation",
        "bad id",
        "unknown id",
        "nobody chosen",
        "unknown person",
    ],
)
def test_bulk_refusals_change_nothing(client, auth, session, reactions, data):
    auth.login(Role.REVIEWER)
    sent = {
        k: [v.format(id=reactions[0].id) for v in value] if isinstance(value, list) else value
        for k, value in data.items()
    }
    response = client.post(WORKSPACE, data=sent)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert fresh(session, reactions[0]).disposition is Disposition.NEW


# One reaction ---------------------------------------------------------------------------------


def decision(comment: Comment, **fields: str) -> dict[str, str]:
    data = {
        "which": "decide",
        "decide-disposition": "accepted",
        "decide-motivation": "Overgenomen.",
        "decide-revision": str(comment.disposition_revision),
    }
    data.update(
        {f"decide-{key}" if key != "which" else key: value for key, value in fields.items()}
    )
    return data


def test_a_single_decision(client, auth, session, reactions):
    auth.login(Role.REVIEWER)
    response = client.post(url(reactions[0], "?status=new"), data=decision(reactions[0]))
    assert response.status_code == 302 and response.location.endswith("?status=new")
    decided = fresh(session, reactions[0])
    assert decided.disposition is Disposition.ACCEPTED and decided.motivation == "Overgenomen."
    detail = page(client, url(reactions[0]))
    assert "Overgenomen." in detail and 'class="timeline__item"' in detail


def test_a_conflict_shows_the_other_decision_and_keeps_what_was_typed(
    client, auth, session, reactions
):
    stale = reactions[0].disposition_revision
    decide(
        session,
        user_with_role(session, Role.ADMIN),
        reactions[0],
        Decision(Disposition.NOT_ACCEPTED, "Past niet in het kader."),
    )
    session.commit()
    auth.login(Role.REVIEWER)
    response = client.post(
        url(reactions[0]),
        data=decision(reactions[0], motivation="Mijn eigen motivering", revision=str(stale)),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Past niet in het kader." in html and "Mijn eigen motivering" in html
    current = fresh(session, reactions[0])
    assert current.disposition is Disposition.NOT_ACCEPTED
    assert f'value="{current.disposition_revision}"' in html  # sending again is a choice now
    assert current.disposition_revision == stale + 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"disposition": "duplicate", "duplicate_of": "{self}"}, None),
        ({"disposition": "duplicate", "duplicate_of": "XX-9-999"}, "XX-9-999"),
        ({"motivation": "x" * 4001}, "4001"),
        ({"disposition": "onzin"}, None),
        ({"revision": "abc"}, None),
    ],
    ids=["itself", "unknown reference", "too long", "bad status", "bad revision"],
)
def test_decision_refusals(client, auth, session, reactions, fields, message):
    auth.login(Role.REVIEWER)
    sent = {k: v.format(self=reactions[0].reference) for k, v in fields.items()}
    response = client.post(url(reactions[0]), data=decision(reactions[0], **sent))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'class="error-summary"' in html
    if message:
        assert message in html
    assert fresh(session, reactions[0]).disposition is Disposition.NEW


def test_a_duplicate_names_the_other_reaction(client, auth, session, reactions):
    auth.login(Role.REVIEWER)
    data = decision(
        reactions[1], disposition="duplicate", duplicate_of=reactions[0].reference.lower()
    )
    assert client.post(url(reactions[1]), data=data).status_code == 302
    assert fresh(session, reactions[1]).duplicate_of_id == reactions[0].id


def test_assigning_and_notes_on_the_reaction_page(client, auth, session, reactions):
    auth.login(Role.REVIEWER)
    reviewer = user_with_role(session, Role.REVIEWER)
    sent = client.post(
        url(reactions[0]), data={"which": "assign", "assign-assignee": str(reviewer.id)}
    )
    assert sent.status_code == 302 and fresh(session, reactions[0]).assignee_id == reviewer.id
    assert (
        client.post(
            url(reactions[0]), data={"which": "note", "note-body": "Bel de regio."}
        ).status_code
        == 302
    )
    assert "Bel de regio." in page(client, url(reactions[0]))
    empty = client.post(url(reactions[0]), data={"which": "note", "note-body": "  "})
    assert empty.status_code == 400
    assert client.post(url(reactions[0]), data={"which": "onzin"}).status_code == 400


def test_the_passage_is_marked_and_the_neighbours_linked(app, client, auth, session, reactions):
    section = sample_section(session)
    words = " ".join(section.text.split()[3:6])
    with app.app_context():
        quoted = post_comment(
            session,
            user_with_role(session, Role.PARTNER),
            section,
            reaction("Over deze woorden", group=group_named(session), passage=Passage(exact=words)),
        )
    session.commit()
    auth.login(Role.REVIEWER)
    detail = page(client, url(reactions[1], "?kind=suggestion"))
    assert 'rel="prev"' not in detail and 'rel="next"' not in detail  # alone in its filter
    detail = page(client, url(reactions[1], "?section=veiligheid"))
    assert f'{reactions[0].reference}?section=veiligheid" rel="prev"' in detail
    assert f'{quoted.reference}?section=veiligheid" rel="next"' in detail
    assert "<mark" in page(client, url(quoted))


def test_notes_are_not_in_the_register_for_anyone_outside_the_review_group(
    client, auth, session, reactions
):
    session.add(
        ReviewNote(
            comment=reactions[0],
            author=session.scalar(select(User).limit(1)),
            body="geheim",
            body_html="<p>Niet voor auteurs</p>",
        )
    )
    session.commit()
    for role in (Role.AUTHOR, Role.PARTNER):
        Auth(client).login(role)
        assert "Niet voor auteurs" not in client.get(url(reactions[0])).get_data(as_text=True)


def test_the_version_page_counts_the_decided_reactions_per_section(client, session, reactions):
    """Per section, besides the kinds: how many have a decision; a decision changes the count
    at once (the kept text is made again for the new feedback revision)."""

    def counts_of(key: str) -> str:
        html = page(client, f"/documents/{SAMPLE_SLUG}/v/3")
        start = html.index(f'id="f-{key}"')
        return html[start:].split('class="kind-counts">', 1)[1].split("</p>", 1)[0]

    assert "met een besluit" not in counts_of("veiligheid")
    reviewer = user_with_role(session, Role.REVIEWER)
    decide(session, reviewer, reactions[0], Decision(Disposition.ANSWERED, "Zie paragraaf 2."))
    session.commit()
    assert "met een besluit: 1" in counts_of("veiligheid")
    assert "met een besluit" not in counts_of("regie")


def test_the_filters_show_the_choices_in_force(client, auth, session, reactions):
    auth.login(Role.REVIEWER)
    group = group_named(session).id
    html = page(client, f"{WORKSPACE}?status=new&kind=question&group={group}")
    assert '<option value="new" selected>' in html
    assert '<option value="question" selected>' in html
    assert f'<option value="{group}" selected>' in html
    assert html.count(" selected>") == 3
    version = page(client, f"/documents/{SAMPLE_SLUG}/v/3?kind=concern")
    assert '<option value="concern" selected>' in version
