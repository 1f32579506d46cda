"""Reacting per section and per passage, threads, moderation and finding reactions, through
the pages as a browser without JavaScript would use them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from reviewhub.models import (
    AuditEvent,
    Comment,
    CommentState,
    Group,
    Role,
    Section,
    VersionStatus,
)
from tests.factories import SAMPLE_SLUG, sample_section, user_with_role

OPEN = f"/documents/{SAMPLE_SLUG}/v/3"  # Dialoogversie 3 is open until 1 March 2027
KEY = "veiligheid"
THREADS = f"{OPEN}/s/{KEY}"  # the section's page: its threads (the version page has counts)


def section(session, number: int = 3, key: str = KEY) -> Section:
    return sample_section(session, number, key)


def group_id(session, name: str = "Regio Twente") -> int:
    return session.scalar(select(Group.id).where(Group.name == name))


def react(client, session, number: int = 3, key: str = KEY, **fields):
    """Post the section form as the browser would (the form's fields carry a prefix)."""
    target = section(session, number, key)
    data = {"kind": "question", "body": "Wat bedoelt u hiermee?", "group": group_id(session),
            "visibility": "public", "client_token": fields.pop("client_token", None) or
            f"t{len(fields)}-{fields.get('body', '')[:8]}"}  # fmt: skip
    data.update(fields)
    prefixed = {f"s{target.id}-{name}": value for name, value in data.items()}
    return client.post(f"/documents/{SAMPLE_SLUG}/v/{number}/s/{key}", data=prefixed)


def comments(session) -> list[Comment]:
    return list(session.scalars(select(Comment).order_by(Comment.id)))


def page(client, url: str = OPEN) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# Reacting on a section ----------------------------------------------------------------------


def test_an_open_version_has_one_form_and_a_link_to_react_per_section_for_partners(client, auth):
    auth.login(Role.PARTNER)
    html = page(client)
    assert html.count('class="form comment-form"') == 1  # moved by annotate.js
    assert html.count('class="react-link"') == html.count('class="doc-section ')
    assert "Reageer per sectie" in html


def test_visitors_are_invited_to_log_in_and_closed_versions_have_no_form(client, auth):
    assert "Log in om te reageren" in page(client)
    auth.login(Role.PARTNER)
    closed = page(client, f"/documents/{SAMPLE_SLUG}/v/2")
    assert "comment-form" not in closed and "Reageren op deze versie is gesloten" in closed


def test_a_partner_reacts_on_behalf_of_a_group_without_javascript(client, auth, session):
    auth.login(Role.PARTNER)
    response = react(client, session, body="Kan dit *concreter*?")
    (comment,) = comments(session)
    assert response.status_code == 302
    assert response.location == f"{THREADS}#c-{comment.id}"  # the section's page shows it
    assert comment.group.name == "Regio Twente" and comment.kind.value == "question"
    html = page(client, response.location)
    assert "Dank u. Uw reactie is geplaatst." in html
    assert "Regio Twente</strong> · Dewi Partner, Teamleider lokaal team" in html
    assert (
        "<em>concreter</em>" in html and comment.body_html == "<p>Kan dit <em>concreter</em>?</p>\n"
    )
    assert re.search(r'class="count-badge" href="#f-veiligheid">1 reactie<', page(client))


def test_a_passage_is_anchored_and_verified_by_the_server(client, auth, session):
    auth.login(Role.PARTNER)
    text = section(session).text
    quote = "altijd voor"
    response = react(client, session, quote=quote, kind="concern", body="Altijd?")
    assert response.status_code == 302
    (comment,) = comments(session)
    assert (comment.quote_exact, comment.quote_start) == (quote, text.index(quote))
    assert comment.quote_prefix == text[max(0, comment.quote_start - 32) : comment.quote_start]
    assert f'data-annotations="[{{&#34;end&#34;: {comment.quote_end}' in page(client, THREADS)


def test_a_quote_not_in_the_section_is_refused_and_the_text_kept(client, auth, session):
    auth.login(Role.PARTNER)
    response = react(client, session, quote="dit staat er niet", body="Mijn zorgvuldige tekst")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Deze passage komt niet voor in deze sectie" in html
    assert "Mijn zorgvuldige tekst" in html and "dit staat er niet" in html
    assert comments(session) == []


def test_a_suggestion_shows_the_proposed_wording_as_a_word_diff(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, kind="suggestion", quote="altijd voor", body="Nuanceren.",
          proposed_text="in de regel voor")  # fmt: skip
    html = page(client, THREADS)
    assert "Voorgestelde formulering" in html
    assert re.search(r"<del><span class=\"visually-hidden\">verwijderd: </span>altijd</del>", html)
    assert re.search(
        r"<ins><span class=\"visually-hidden\">toegevoegd: </span>in de regel</ins>", html
    )


def test_new_wording_needs_a_suggestion_on_a_passage(client, auth, session):
    auth.login(Role.PARTNER)
    response = react(client, session, kind="question", proposed_text="Anders")
    assert response.status_code == 400 and "alleen voorstellen in een suggestie" in (
        response.get_data(as_text=True)
    )


def test_2001_characters_are_refused_with_the_text_kept(client, auth, session):
    auth.login(Role.PARTNER)
    body = "x" * 2001
    response = react(client, session, body=body)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Uw reactie heeft 2001 tekens; er passen er hoogstens 2000" in html
    assert body in html and comments(session) == []
    assert react(client, session, body="x" * 2000, client_token="ok").status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "   "}, "Schrijf uw reactie."),
        ({"kind": ""}, "Kies wat voor reactie dit is."),
        ({"group": ""}, "Kies namens welke groep u reageert."),
    ],
)
def test_incomplete_reactions_get_a_clear_message(client, auth, session, fields, message):
    auth.login(Role.PARTNER)
    response = react(client, session, **fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_partners_react_only_for_their_own_groups(client, auth, session):
    auth.login(Role.PARTNER)
    other = group_id(session, "Regio Noord-Holland Noord")
    response = react(client, session, group=other)
    assert response.status_code == 400
    assert comments(session) == []


def test_script_and_html_in_a_reaction_are_shown_as_text(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, body='<script>alert("x")</script> <img src=x onerror=alert(1)>')
    html = page(client, THREADS)
    assert '<script>alert("x")</script>' not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_a_form_sent_twice_stores_one_reaction(client, auth, session):
    auth.login(Role.PARTNER)
    first = react(client, session, client_token="dubbel")
    second = react(client, session, client_token="dubbel")
    assert first.location == second.location
    assert len(comments(session)) == 1


def test_unknown_sections_and_versions_are_404(client, auth, session):
    auth.login(Role.PARTNER)
    assert client.post(f"{OPEN}/s/bestaat-niet", data={}).status_code == 404
    assert client.post(f"/documents/{SAMPLE_SLUG}/v/9/s/{KEY}", data={}).status_code == 404


def test_closed_versions_refuse_reactions_and_keep_the_text(client, auth, session):
    auth.login(Role.PARTNER)
    response = react(client, session, number=2, body="Te laat maar belangrijk")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "niet (meer) mogelijk" in html and "Te laat maar belangrijk" in html


def test_a_form_left_open_until_the_version_closed_keeps_the_text(client, auth, session):
    auth.login(Role.PARTNER)
    page(client)  # the form is loaded while the version is open …
    version = section(session).version
    version.closes_on = date(2026, 1, 1)  # … and the version closes before it is sent
    session.commit()
    response = react(client, session, body="Geschreven terwijl het nog kon")
    assert response.status_code == 400
    assert "Geschreven terwijl het nog kon" in response.get_data(as_text=True)
    assert comments(session) == []


def test_readers_cannot_react(client, auth, session):
    auth.login(Role.READER)
    assert "comment-form" not in page(client)
    assert react(client, session).status_code == 400


# Threads -------------------------------------------------------------------------------------


def reply(client, comment: Comment, body: str = "Dank voor uw vraag.", token: str = "r1"):
    return client.post(
        f"/comments/{comment.id}/replies",
        data={f"r{comment.id}-body": body, f"r{comment.id}-client_token": token},
    )


def test_replies_by_authors_and_reviewers_are_official(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session)
    auth.logout()
    auth.login(Role.REVIEWER)
    (question,) = comments(session)
    assert reply(client, question).status_code == 302
    html = page(client, THREADS)
    assert "Officiële reactie" in html and "Dank voor uw vraag." in html
    assert comments(session)[1].official


def test_partner_replies_are_not_official(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session)
    (question,) = comments(session)
    reply(client, question, "Aanvulling van mezelf.")
    assert not comments(session)[1].official


def test_authors_edit_until_someone_replied_and_edits_are_kept(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, body="Eerste versie")
    (comment,) = comments(session)
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Tweede versie"})
    assert response.status_code == 302
    session.refresh(comment)
    assert comment.body == "Tweede versie" and comment.revisions[0].body == "Eerste versie"
    session.refresh(comment)
    assert comment.body_html == "<p>Tweede versie</p>\n"  # rendered again when edited
    assert "bewerkt" in page(client, THREADS)
    auth.logout()
    auth.login(Role.REVIEWER)
    reply(client, comment)
    auth.logout()
    auth.login(Role.PARTNER)
    # Refused in the page, saying why (tests/views/test_rough_edges.py), not as a 403.
    assert client.get(f"/comments/{comment.id}/edit").status_code == 409


def test_nobody_edits_or_deletes_another_persons_reaction(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session)
    (comment,) = comments(session)
    auth.logout()
    auth.login(Role.AUTHOR)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    client.post(f"/comments/{comment.id}/delete")
    session.refresh(comment)
    assert not comment.is_deleted


def test_deleting_keeps_the_thread_and_its_replies(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session)
    (comment,) = comments(session)
    auth.logout()
    auth.login(Role.REVIEWER)
    reply(client, comment, "Antwoord blijft staan.")
    auth.logout()
    auth.login(Role.PARTNER)
    client.post(f"/comments/{comment.id}/delete")
    html = page(client, THREADS)
    assert "Verwijderd door de auteur." in html and "Antwoord blijft staan." in html
    assert "Wat bedoelt u hiermee?" not in html


# Visibility and moderation -------------------------------------------------------------------


def test_group_only_reactions_are_read_by_the_group_and_the_review_group(
    app, client, auth, session
):
    auth.login(Role.PARTNER)
    react(client, session, body="Intern concept van de regio", visibility="group")
    assert "Intern concept van de regio" in page(client, THREADS)
    auth.logout()
    for role, visible in [(Role.READER, False), (Role.AUTHOR, False), (Role.REVIEWER, True)]:
        auth.login(role)
        assert ("Intern concept van de regio" in page(client, THREADS)) is visible, role
        assert ('href="#f-veiligheid"' in page(client)) is visible, role  # nor counted
        auth.logout()
    assert "Intern concept van de regio" not in page(client, THREADS)


def test_moderators_hide_and_restore_with_a_reason(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, body="Scheldwoorden hier")
    (comment,) = comments(session)
    auth.logout()
    auth.login(Role.REVIEWER)
    assert client.post(f"/comments/{comment.id}/hide", data={"reason": ""}).status_code == 302
    session.refresh(comment)
    assert not comment.is_hidden  # a reason is required
    client.post(f"/comments/{comment.id}/hide", data={"reason": "Niet respectvol"})
    reviewer_view = page(client, THREADS)
    assert "Verborgen door de moderator: Niet respectvol" in reviewer_view
    auth.logout()
    public = page(client, THREADS)
    assert "Verborgen door de moderator." in public and "Scheldwoorden hier" not in public
    auth.login(Role.REVIEWER)
    client.post(f"/comments/{comment.id}/restore")
    auth.logout()
    assert "Scheldwoorden hier" in page(client, THREADS)
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"comment.hidden", "comment.restored"} <= actions


def test_partners_cannot_moderate(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session)
    (comment,) = comments(session)
    client.post(f"/comments/{comment.id}/hide", data={"reason": "zelf"})
    session.refresh(comment)
    assert not comment.is_hidden
    assert client.get(f"/documents/{SAMPLE_SLUG}/moderation").status_code == 403


def test_pre_moderation_holds_reactions_until_approved(client, auth, session):
    auth.login(Role.REVIEWER)
    client.post(f"/documents/{SAMPLE_SLUG}/moderation", data={"premoderation": "on"})
    auth.logout()
    auth.login(Role.PARTNER)
    response = react(client, session, body="Wacht op de moderator")
    html = page(client, response.location)
    assert "verschijnt zodra een moderator" in html and "Wacht op goedkeuring" in html
    auth.logout()
    assert "Wacht op de moderator" not in page(client, THREADS)
    assert 'href="#f-veiligheid"' not in page(client)  # not counted either
    auth.login(Role.REVIEWER)
    assert "Wacht op de moderator" in page(client, f"/documents/{SAMPLE_SLUG}/moderation")
    (comment,) = comments(session)
    client.post(f"/comments/{comment.id}/approve")
    auth.logout()
    session.refresh(comment)
    assert comment.state is CommentState.PUBLISHED
    assert "Wacht op de moderator" in page(client, THREADS)


def test_anyone_logged_in_can_report_a_reaction(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session)
    (comment,) = comments(session)
    auth.logout()
    auth.login(Role.READER)
    response = client.post(f"/comments/{comment.id}/report", data={"reason": "Klopt niet"})
    assert response.status_code == 302
    auth.logout()
    auth.login(Role.REVIEWER)
    queue = page(client, f"/documents/{SAMPLE_SLUG}/moderation")
    assert "Gemeld door Eef Lezer: Klopt niet" in queue


# Finding reactions ---------------------------------------------------------------------------


def test_filters_by_kind_group_mine_and_unanswered(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, kind="question", body="Een vraag", client_token="a")
    react(client, session, key="samenwerking-gezin", kind="support", body="Steun", client_token="b")
    auth.logout()
    auth.login(Role.REVIEWER)
    question = comments(session)[0]
    reply(client, question)
    family = f"{OPEN}/s/samenwerking-gezin"
    for pages in [(THREADS, family), (f"{THREADS}/reactions", f"{family}/reactions")]:
        safety, support = pages  # the section's page and the fragment filter alike
        assert "Steun" not in page(client, f"{support}?kind=question")
        assert "Een vraag" in page(client, f"{safety}?kind=question")
        assert "Een vraag" not in page(client, f"{safety}?unanswered=1")
        assert "Steun" in page(client, f"{support}?unanswered=1")
        assert "Een vraag" in page(client, f"{safety}?group={group_id(session)}")
        assert "Een vraag" not in page(client, f"{safety}?mine=1")
    # On the version page the filters narrow the counts, and the threads they open.
    by_kind = page(client, f"{OPEN}?kind=question")
    assert 'href="#f-veiligheid">2 reacties<' in by_kind
    assert 'href="#f-samenwerking-gezin"' not in by_kind
    assert f'class="threads-link" href="{THREADS}?kind=question"' in by_kind
    unanswered = page(client, f"{OPEN}?unanswered=1")
    assert 'href="#f-veiligheid"' not in unanswered
    assert 'href="#f-samenwerking-gezin">1 reactie<' in unanswered


def test_my_feedback_lists_my_reactions_across_documents(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, body="Mijn eigen reactie")
    html = page(client, "/me/feedback")
    assert "Mijn eigen reactie" in html and "Dialoogversie 3" in html
    auth.logout()
    auth.login(Role.READER)
    assert "Mijn eigen reactie" not in page(client, "/me/feedback")


def test_the_section_page_is_the_threads_permalink(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, body="Op de sectiepagina")
    html = page(client, f"{OPEN}/s/{KEY}")
    assert "Op de sectiepagina" in html and 'class="form comment-form"' in html


def test_counts_in_the_contents_include_replies(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session)
    auth.logout()
    auth.login(Role.REVIEWER)
    reply(client, comments(session)[0])
    assert re.search(r'href="#f-veiligheid">2 reacties<', page(client))


def test_no_reactions_are_lost_when_a_version_is_made_final(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, body="Blijft leesbaar")
    section(session).version.status = VersionStatus.FINAL
    session.commit()
    html = page(client, THREADS)
    assert "Blijft leesbaar" in html and "comment-form" not in html
    assert "comment-form" not in page(client) and 'href="#f-veiligheid">1 reactie<' in page(client)
    assert session.scalar(select(func.count()).select_from(Comment)) == 1
    assert user_with_role(session, Role.PARTNER) == comments(session)[0].author


def test_the_page_names_form_fields_as_the_server_reads_them(client, auth, session):
    """The version page's one form is moved to a section by annotate.js, which turns the
    placeholder prefix of its fields into the section's (``s<id>-``, as the section's route
    reads them) and sends it where the section's "React" link leads."""
    auth.login(Role.PARTNER)
    html = page(client)
    target = section(session)
    expected = {"kind", "quote", "quote_prefix", "quote_suffix", "quote_start", "body",
                "proposed_text", "group", "visibility", "client_token", "attachment"}  # fmt: skip
    template = re.search(r'<template id="comment-form-template" (.*?)</template>', html, re.S)
    prefix = re.match(r'data-prefix="([^"]+)"', template.group(1)).group(1)
    names = set(re.findall(r'name="([^"]+)"', template.group(1)))
    assert names == {f"{prefix}{name}" for name in expected}
    feedback = re.search(rf'<div class="section-feedback" id="f-{KEY}"(.*?)</div>', html, re.S)
    assert f'data-section-id="{target.id}"' in feedback.group(0)
    link = re.search(r'class="react-link" href="([^"]+)"', feedback.group(0)).group(1)
    assert link == f"{THREADS}#react"
    own = page(client, THREADS)  # without the script the link leads to the section's own form
    assert set(re.findall(rf'name="(s{target.id}-[^"]+)"', own)) == {
        f"s{target.id}-{name}" for name in expected
    }
    sent = dict.fromkeys(expected, "")
    sent |= {"kind": "support", "body": "Verplaatst", "group": str(group_id(session)),
             "visibility": "public", "client_token": "m"}  # fmt: skip
    moved = {f"s{target.id}-{name}": value for name, value in sent.items()}
    assert client.post(link.partition("#")[0], data=moved).status_code == 302
    assert [c.body for c in comments(session)] == ["Verplaatst"]


def test_the_review_group_answers_a_reaction_for_the_group_only(client, auth, session):
    auth.login(Role.PARTNER)
    react(client, session, visibility="group", body="Alleen voor onze regio.")
    (question,) = comments(session)
    auth.logout()
    auth.login(Role.REVIEWER)
    assert reply(client, question, body="Antwoord aan de regio.").status_code == 302
    auth.logout()
    auth.login(Role.PARTNER)
    assert "Antwoord aan de regio." in page(client, THREADS)  # the region reads the answer
    auth.logout()
    auth.login(Role.READER)
    assert "Antwoord aan de regio." not in page(client, THREADS)
