"""Rough edges found on a first visit (issue 14, part 7), each fixed with its test: downloads
name their character set once, the comparison's address without versions explains itself,
the concern reads as one ("Zorgpunt", not "Zorg": care), and the history says plainly where
a section appeared. Reacting: deleting asks first and a deleted reaction takes no replies,
what was done to a reaction is said next to it, moderating from the queue leads back there
and a report can be dismissed as unfounded (issue 14, part 5), who cannot react is told why,
and an edit refused because of a reply says so."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewhub.feedback.errors import FeedbackError
from reviewhub.feedback.moderation import dismiss_reports, report_comment
from reviewhub.feedback.posting import post_comment
from reviewhub.models import AuditEvent, Comment, Role, VersionStatus
from tests.factories import (
    SAMPLE_SLUG,
    Auth,
    group_named,
    reaction,
    sample_section,
    user_with_role,
)
from tests.feedback.test_reacting_pages import OPEN, THREADS, comments, page, react, reply

SAMPLE = f"/documents/{SAMPLE_SLUG}"


def test_downloads_name_their_character_set_once(client: FlaskClient, auth: Auth):
    assert client.get(f"{SAMPLE}/v/3/source.md").headers["Content-Type"] == (
        "text/markdown; charset=utf-8")  # fmt: skip
    assert client.get(f"{SAMPLE}/compare/1...3/export.html").headers["Content-Type"] == (
        "text/html; charset=utf-8")  # fmt: skip
    auth.login(Role.REVIEWER)
    assert client.get(f"{SAMPLE}/v/3/export/csv").headers["Content-Type"] == (
        "text/csv; charset=utf-8")  # fmt: skip


def test_the_comparison_without_versions_leads_to_the_document_with_a_message(client):
    response = client.get(f"{SAMPLE}/compare")
    assert response.status_code == 302 and response.location.endswith(SAMPLE)
    page = client.get(response.location).get_data(as_text=True)
    assert "Kies de twee versies die u wilt vergelijken." in page


def test_a_concern_is_called_zorgpunt(client: FlaskClient, auth: Auth):
    auth.login(Role.PARTNER)
    page = client.get(f"{SAMPLE}/v/3/s/veiligheid").get_data(as_text=True)
    assert "Zorgpunt" in page and ">Zorg<" not in page


def test_the_history_says_where_a_section_appeared(client: FlaskClient):
    page = client.get(f"{SAMPLE}/sections/veiligheid/history").get_data(as_text=True)
    assert "Nieuw in deze versie, als 2.1 Veiligheid voorop." in page
    assert "In deze versie verschenen als" not in page


# Deleting asks first; a deleted reaction takes no replies ---------------------------------------


def partner_reaction(client: FlaskClient, auth: Auth, session: Session, **fields: str) -> Comment:
    """The demo partner's reaction on the open version's section ``veiligheid``, posted
    through its form; the partner stays logged in."""
    auth.login(Role.PARTNER)
    assert react(client, session, **fields).status_code == 302
    return comments(session)[-1]


def in_english(client: FlaskClient) -> None:
    """New messages are checked in English: their Dutch comes with the catalogue."""
    client.post("/language", data={"language": "en"})


def article(html: str, comment: Comment) -> str:
    """The HTML of one reaction on a page (up to the next reaction or reply)."""
    start = html.index(f'id="c-{comment.id}"')
    following = html.find('<article class="comment', start)
    return html[start : following if following > 0 else len(html)]


def test_deleting_a_reaction_asks_first_on_a_page_of_its_own(client, auth, session):
    comment = partner_reaction(client, auth, session, body="Weg ermee")
    delete_url = f"/comments/{comment.id}/delete"
    thread = article(page(client, THREADS), comment)
    assert f'<a href="{delete_url}">Verwijderen</a>' in thread  # a link, no button that deletes
    confirm = page(client, delete_url)
    assert "Weg ermee" in confirm and f'<form method="post" action="{delete_url}"' in confirm
    assert ">Verwijderen</button>" in confirm and "Terug naar de reactie" in confirm
    session.refresh(comment)
    assert not comment.is_deleted  # asking deleted nothing
    response = client.post(delete_url)
    assert response.status_code == 302 and response.location.endswith(f"#c-{comment.id}")
    session.refresh(comment)
    assert comment.is_deleted


def test_only_the_author_is_asked_to_delete(client, auth, session):
    comment = partner_reaction(client, auth, session)
    auth.logout()
    auth.login(Role.REVIEWER)
    assert client.get(f"/comments/{comment.id}/delete").status_code == 403


def test_a_deleted_reaction_offers_no_reply_and_a_reply_to_it_is_refused(client, auth, session):
    comment = partner_reaction(client, auth, session, body="Eerst dit")
    other = partner_reaction(client, auth, session, body="Dan dat", client_token="tweede")
    client.post(f"/comments/{comment.id}/delete")
    auth.logout()
    auth.login(Role.REVIEWER)
    html = page(client, THREADS)
    assert f"/comments/{comment.id}/replies" not in html
    assert "Antwoorden" not in article(html, comment)
    assert f"/comments/{other.id}/replies" in html  # the other reaction still takes replies
    in_english(client)
    response = reply(client, comment, "Toch nog een antwoord")
    assert response.status_code == 400
    refused = response.get_data(as_text=True)
    assert "Its author has deleted this reaction, so it can no longer be answered." in refused
    assert "Toch nog een antwoord" in refused  # kept, not lost
    assert "Eerst dit" not in refused  # the deleted words stay gone
    assert len(comments(session)) == 2


# The confirmation shows where the reaction is ----------------------------------------------------


def notice_of(html: str, comment: Comment) -> str:
    """The status message said next to ``comment`` (review/_comment.html), or ''."""
    found = re.search(
        rf'<article [^>]*id="c-{comment.id}"[^>]*>\s*<p class="alert [^"]*comment-notice" '
        rf'id="c-{comment.id}-notice" role="status"[^>]*>([^<]*)</p>',
        html,
    )
    return found.group(1) if found else ""


def test_the_posted_message_is_said_at_the_new_reaction(client, auth, session):
    auth.login(Role.PARTNER)
    response = react(client, session, body="Een lange pagina verder")
    (comment,) = comments(session)
    assert response.location.endswith(f"#c-{comment.id}")
    html = page(client, response.location)
    assert notice_of(html, comment) == "Dank u. Uw reactie is geplaatst."
    assert html.count("Dank u. Uw reactie is geplaatst.") == 1  # not at the top as well
    assert notice_of(page(client, THREADS), comment) == ""  # said once


def test_the_posted_message_of_a_reply_is_said_at_the_reply(client, auth, session):
    question = partner_reaction(client, auth, session)
    auth.logout()
    auth.login(Role.REVIEWER)
    response = reply(client, question, "Zie paragraaf 4.")
    answer = comments(session)[-1]
    assert response.location.endswith(f"#c-{answer.id}")
    html = page(client, response.location)
    assert notice_of(html, answer) == "Dank u. Uw reactie is geplaatst."
    assert notice_of(html, question) == ""


# Moderating from the queue leads back to the queue -----------------------------------------------

QUEUE = f"{SAMPLE}/moderation"


def reported(client: FlaskClient, auth: Auth, session: Session, body: str = "Scheld") -> Comment:
    """A reaction of the partner, reported by the reader; the reviewer is then logged in."""
    comment = partner_reaction(client, auth, session, body=body)
    auth.logout()
    auth.login(Role.READER)
    client.post(f"/comments/{comment.id}/report", data={"reason": "Grof"})
    auth.logout()
    auth.login(Role.REVIEWER)
    return comment


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("hide", {"reason": "Grof"}, "De reactie is verborgen."),
        ("approve", {}, "De reactie is goedgekeurd."),
    ],
)
def test_moderating_from_the_queue_returns_to_the_queue(
    client, auth, session, action, data, message
):
    comment = reported(client, auth, session)
    queue = page(client, QUEUE)
    assert f'<input type="hidden" name="next" value="{QUEUE}">' in queue
    response = client.post(f"/comments/{comment.id}/{action}", data={**data, "next": QUEUE})
    assert response.status_code == 302 and response.location == QUEUE
    assert message in page(client, QUEUE)


def test_restoring_from_the_queue_returns_to_the_queue(client, auth, session):
    comment = reported(client, auth, session)
    client.post(f"/comments/{comment.id}/hide", data={"reason": "Grof"})
    response = client.post(f"/comments/{comment.id}/restore", data={"next": QUEUE})
    assert response.location == QUEUE and "De reactie is weer zichtbaar." in page(client, QUEUE)


@pytest.mark.parametrize("elsewhere", ["//example.org/queue", "https://example.org/", "queue"])
def test_a_next_address_off_the_site_leads_to_the_reaction_instead(
    client, auth, session, elsewhere
):
    comment = reported(client, auth, session)
    response = client.post(f"/comments/{comment.id}/approve", data={"next": elsewhere})
    assert response.location.endswith(f"#c-{comment.id}")
    assert "example.org" not in response.location


# A report dismissed as unfounded ------------------------------------------------------------------


def test_a_moderator_marks_a_report_unfounded_and_the_reaction_stays(client, auth, session):
    comment = reported(client, auth, session, body="Scherp maar terecht")
    queue = page(client, QUEUE)
    assert f'action="/comments/{comment.id}/dismiss"' in queue
    in_english(client)
    response = client.post(
        f"/comments/{comment.id}/dismiss",
        data={"reason": "Kritiek, geen scheldpartij", "next": QUEUE},
    )
    assert response.status_code == 302 and response.location == QUEUE
    after = page(client, QUEUE)
    assert "The report is marked as unfounded; the reaction stays visible." in after
    assert f'id="c-{comment.id}"' not in after  # off the queue
    session.refresh(comment)
    assert not comment.is_hidden and all(r.resolved_at for r in comment.reports)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "comment.report_dismissed")
    ).one()
    assert (event.object_id, event.summary) == (comment.id, "Kritiek, geen scheldpartij")
    assert event.actor_id == user_with_role(session, Role.REVIEWER).id
    auth.logout()
    assert "Scherp maar terecht" in page(client, THREADS)  # still there for everyone


def test_only_moderators_dismiss_reports_and_only_open_ones(client, auth, session):
    comment = reported(client, auth, session)
    auth.logout()
    auth.login(Role.PARTNER)
    assert client.post(f"/comments/{comment.id}/dismiss").status_code == 403
    auth.logout()
    auth.login(Role.REVIEWER)
    client.post(f"/comments/{comment.id}/dismiss")  # no reason: fine
    in_english(client)
    response = client.post(f"/comments/{comment.id}/dismiss", data={"next": QUEUE})
    assert "This reaction has no open reports (any more)." in page(client, response.location)
    assert (
        session.scalar(select(func.count()).where(AuditEvent.action == "comment.report_dismissed"))
        == 1
    )


def test_dismissing_is_refused_by_the_domain_for_non_moderators(app, session):
    partner, reader = user_with_role(session, Role.PARTNER), user_with_role(session, Role.READER)
    new = reaction(group=group_named(session))
    with app.app_context():  # the closing date is read in the app's time zone
        comment = post_comment(session, partner, sample_section(session), new)
        report_comment(session, reader, comment, "Grof")
        with pytest.raises(FeedbackError):
            dismiss_reports(session, partner, comment, "")
    assert all(r.resolved_at is None for r in comment.reports)


# Who cannot react sees why, and no filter on their own reactions -------------------------------


def test_a_reader_sees_why_they_cannot_react_and_no_filter_of_their_own(
    app, client, auth, session, monkeypatch
):
    partner_reaction(client, auth, session)  # so that the filters show
    auth.logout()
    monkeypatch.setitem(app.config, "ORG_NAME", "Programmabureau Veilig Thuis")
    auth.login(Role.READER)
    in_english(client)
    explanation = (
        "Your account can read the documents but not react to them. Ask Programmabureau "
        "Veilig Thuis for a partner account if you want to react."
    )
    for url in (OPEN, THREADS):
        html = page(client, url)
        assert explanation in html, url
        assert 'id="filter-mine"' not in html and 'id="filter-kind"' in html, url
    # ?mine=1 filters nothing for someone without reactions of their own.
    assert "Wat bedoelt u hiermee?" in page(client, f"{THREADS}?mine=1")


def test_a_visitor_is_asked_to_log_in_and_sees_no_filter_of_their_own(client, auth, session):
    partner_reaction(client, auth, session)
    auth.logout()
    for url in (OPEN, THREADS):
        html = page(client, url)
        assert "Log in om te reageren" in html and 'id="filter-mine"' not in html, url


def test_a_partner_keeps_the_filter_of_their_own_reactions(client, auth, session):
    partner_reaction(client, auth, session)
    assert 'id="filter-mine"' in page(client, THREADS)


def test_a_closed_version_says_when_it_closed(client, auth):
    auth.login(Role.PARTNER)
    in_english(client)
    for url in (f"{SAMPLE}/v/2", f"{SAMPLE}/v/2/s/veiligheid"):
        html = page(client, url)
        assert (
            "Reacting is closed for this version; the reactions can still be read. "
            "Feedback closed on August 31, 2026." in html
        ), url


# An edit refused because of a reply says so, in the page ------------------------------------------


def test_an_edit_refused_because_of_a_reply_says_so_and_keeps_the_text(client, auth, session):
    comment = partner_reaction(client, auth, session, body="Eerste versie")
    auth.logout()
    auth.login(Role.REVIEWER)
    reply(client, comment, "Al beantwoord.")
    auth.logout()
    auth.login(Role.PARTNER)
    in_english(client)
    assert f"/comments/{comment.id}/edit" not in page(client, THREADS)  # no edit link
    reason = (
        "This reaction has a reply, so it can no longer be changed. Add to it with a reply instead."
    )
    shown = client.get(f"/comments/{comment.id}/edit")
    assert shown.status_code == 409 and reason in shown.get_data(as_text=True)
    sent = client.post(f"/comments/{comment.id}/edit", data={"body": "Tweede versie"})
    html = sent.get_data(as_text=True)
    assert sent.status_code == 409 and reason in html
    assert "You may not do this" not in html and "Ask an administrator" not in html
    # What was typed waits in a reply form, the way to add to the reaction.
    assert f'action="/comments/{comment.id}/replies"' in html
    typed = rf'<textarea [^>]*name="r{comment.id}-body"[^>]*>\s*Tweede versie</textarea>'
    assert re.search(typed, html)
    session.refresh(comment)
    assert comment.body == "Eerste versie"


def test_an_edit_of_a_closed_versions_reaction_says_the_round_closed(client, auth, session):
    comment = partner_reaction(client, auth, session)
    version = comment.section.version
    version.status = VersionStatus.CLOSED
    session.commit()
    in_english(client)
    response = client.get(f"/comments/{comment.id}/edit")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Reacting to this version is closed, so the reaction can no longer be changed." in html
