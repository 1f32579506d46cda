"""Notifications: a reply to my reaction, a decision on it (or on my group's, when I follow the
document), a new version of a document I follow, the passage of my reaction changed in a new
version, a round closing in three days; in the inbox with an unread count, by mail at once or
in a daily digest or not at all, each mail with an unsubscribe link that needs no log-in.
(Jobs run at once in the tests; tests/test_jobs.py runs a real worker.)"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import force_locale
from sqlalchemy import select

from reviewhub.feedback.decisions import Decision, decide
from reviewhub.feedback.posting import NewComment, post_comment
from reviewhub.models import (
    Disposition,
    Document,
    EmailMode,
    Follow,
    Notification,
    NotificationKind,
    NotificationSettings,
    Role,
)
from reviewhub.notifications import events
from tests.factories import (
    SAMPLE_SLUG,
    Auth,
    group_named,
    make_user,
    publish,
    reaction,
    sample_section,
    user_with_role,
)


def partner_reaction(app, session):
    partner = user_with_role(session, Role.PARTNER)
    with app.app_context():
        made = post_comment(session, partner, sample_section(session),
                            reaction("Wat bedoelt u?", group=group_named(session)))  # fmt: skip
        session.commit()  # in the app: its jobs run at once, here
    return made


def inbox_of(session, person):
    session.expire_all()
    return session.scalars(select(Notification).where(Notification.user_id == person.id)).all()


def reply_by_author(app, session, parent, body="Dat staat in bijlage 2."):
    author = user_with_role(session, Role.AUTHOR)
    with app.app_context():
        post_comment(session, author, parent.section, NewComment(None, body, f"r-{body}"), parent)
        session.commit()  # in the app: its jobs run at once, here


def test_a_reply_is_told_to_the_reactions_author_in_the_inbox_and_by_mail(
    app, client, session, outbox
):
    parent = partner_reaction(app, session)
    reply_by_author(app, session, parent)
    partner = user_with_role(session, Role.PARTNER)
    [told] = inbox_of(session, partner)
    assert told.kind is NotificationKind.REPLY and told.emailed_at is not None
    assert inbox_of(session, user_with_role(session, Role.AUTHOR)) == []  # not the replier
    [message] = outbox.messages
    assert message["To"] == partner.email and parent.reference in message["Subject"]
    assert "Iemand heeft gereageerd" in message["Subject"]  # the partner's language: Dutch
    Auth(client).login(Role.PARTNER)
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Iemand heeft gereageerd op uw reactie" in page and "Nieuw" in page
    assert '1<span class="visually-hidden"> ongelezen' in page  # the header's count
    opened = client.get(f"/me/notifications/{told.id}")
    assert opened.status_code == 302 and f"/comments/{parent.replies[0].id}" in opened.location
    assert inbox_of(session, partner)[0].read_at is not None


def test_the_unsubscribe_link_works_without_logging_in(app, client, session, outbox):
    parent = partner_reaction(app, session)
    reply_by_author(app, session, parent)
    body = outbox.messages[0].get_content()
    link = re.search(r"http://localhost(/unsubscribe/\S+)", body)
    assert link is not None
    asked = client.get(link[1])
    assert asked.status_code == 200 and "Deze berichten stoppen" in asked.get_data(as_text=True)
    assert client.post(link[1]).status_code == 200
    partner = user_with_role(session, Role.PARTNER)
    assert NotificationKind.REPLY.value in events.settings_of(session, partner).kinds_off
    reply_by_author(app, session, parent, "Nog een antwoord.")
    assert len(inbox_of(session, partner)) == 1 and len(outbox.messages) == 1
    assert client.get("/unsubscribe/vervalst").status_code == 404


def test_a_decision_is_told_to_the_author_and_to_group_members_who_follow(app, session, outbox):
    parent = partner_reaction(app, session)
    twente = group_named(session)
    follower = make_user(session, "volger@example.org", Role.PARTNER, twente)
    bystander = make_user(session, "niet-volger@example.org", Role.PARTNER, twente)
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    session.add(Follow(user_id=follower.id, document_id=document.id))
    session.commit()
    with app.app_context():
        decide(session, user_with_role(session, Role.REVIEWER), parent,
               Decision(Disposition.ACCEPTED, "We nemen het over."))  # fmt: skip
        session.commit()  # in the app: its jobs run at once, here
    assert [n.kind for n in inbox_of(session, user_with_role(session, Role.PARTNER))] == [
        NotificationKind.DECISION
    ]
    assert len(inbox_of(session, follower)) == 1 and inbox_of(session, bystander) == []
    assert any("We nemen het over." in m.get_content() for m in outbox.messages)


def test_a_new_version_is_told_to_those_who_follow_the_document(app, client, session):
    Auth(client).login(Role.READER)
    follow = client.post(f"/documents/{SAMPLE_SLUG}/follow", follow_redirects=True)
    assert "Niet meer volgen" in follow.get_data(as_text=True)
    reader, partner = user_with_role(session, Role.READER), user_with_role(session, Role.PARTNER)
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    source = document.versions[-1].source + "\n\n## Nieuw hoofdstuk\n\nMeer tekst.\n"
    with app.app_context():
        publish(session, document, source, label="Dialoogversie 4", summary="Uitgebreid.")
        session.commit()  # in the app: its jobs run at once, here
    [told] = inbox_of(session, reader)
    assert told.kind is NotificationKind.NEW_VERSION and told.path.endswith("/compare/3...4")
    assert inbox_of(session, partner) == []  # does not follow it


def test_a_daily_digest_gathers_what_came_in_and_off_sends_nothing(app, session, outbox):
    partner = user_with_role(session, Role.PARTNER)
    session.add(NotificationSettings(user_id=partner.id, kinds_off=[], email=EmailMode.DAILY))
    session.commit()
    parent = partner_reaction(app, session)
    reply_by_author(app, session, parent, "Eerste.")
    reply_by_author(app, session, parent, "Tweede.")
    assert outbox.messages == [] and len(inbox_of(session, partner)) == 2
    with app.app_context():
        assert events.send_digests(session) == 1
    [digest] = outbox.messages
    assert "2 nieuwe berichten" in digest["Subject"]
    with app.app_context():
        assert events.send_digests(session) == 0  # sent once


def test_settings_are_saved_from_the_messages_page(app, client, session, outbox):
    Auth(client).login(Role.PARTNER)
    kinds = ["decision", "new_version", "passage_changed", "round_closing", "export_ready"]
    saved = client.post("/me/notifications/settings", data={"kinds": kinds, "email": "off"})
    assert saved.status_code == 302
    settings = events.settings_of(session, user_with_role(session, Role.PARTNER))
    assert settings.kinds_off == ["reply"] and settings.email is EmailMode.OFF
    parent = partner_reaction(app, session)
    reply_by_author(app, session, parent)
    assert inbox_of(session, user_with_role(session, Role.PARTNER)) == [] and not outbox.messages


def test_mark_all_read_empties_the_count(app, client, session):
    parent = partner_reaction(app, session)
    reply_by_author(app, session, parent)
    Auth(client).login(Role.PARTNER)
    assert client.post("/me/notifications/read").status_code == 302
    assert "ongelezen" not in client.get("/me/notifications").get_data(as_text=True)


# A changed passage, a round closing ------------------------------------------------------

ALWAYS_FIRST = "De veiligheid van kinderen en volwassenen in het gezin gaat altijd voor."


def next_version(app, session, source_change=lambda source: source):
    document = session.scalars(select(Document).where(Document.slug == SAMPLE_SLUG)).one()
    with app.app_context():
        publish(session, document, source_change(document.versions[-1].source),
                label="Dialoogversie 4", summary="Herschreven.")  # fmt: skip
        session.commit()  # in the app: its jobs run at once, here


def test_the_author_hears_that_the_passage_of_their_reaction_changed(app, session, outbox):
    made = partner_reaction(app, session)  # on the section "Veiligheid voorop"
    next_version(app, session, lambda s: s.replace(ALWAYS_FIRST, "Veiligheid gaat altijd voor."))
    partner = user_with_role(session, Role.PARTNER)
    [told] = inbox_of(session, partner)
    assert told.kind is NotificationKind.PASSAGE_CHANGED and told.params["count"] == 1
    assert told.path.endswith("/compare/3...4")
    [message] = outbox.messages
    assert f"De passage van uw reactie {made.reference} is veranderd" in message["Subject"]
    assert "Dialoogversie 4" in message["Subject"]


def test_an_unchanged_passage_tells_nobody(app, session, outbox):
    partner_reaction(app, session)
    next_version(app, session, lambda s: s + "\n\n## Nieuw hoofdstuk\n\nMeer tekst.\n")
    assert inbox_of(session, user_with_role(session, Role.PARTNER)) == []


def test_followers_are_reminded_once_three_days_before_a_round_closes(app, session, outbox):
    partner = user_with_role(session, Role.PARTNER)
    open_version = sample_section(session).version  # closes on 1 March 2027
    assert open_version.closes_on == date(2027, 3, 1)
    session.add(Follow(user_id=partner.id, document_id=open_version.document_id))
    session.commit()
    with app.app_context():
        assert events.remind_of_closing_rounds(session, date(2027, 2, 25)) == 0  # 4 days
        assert events.remind_of_closing_rounds(session, date(2027, 2, 26)) == 1
        assert events.remind_of_closing_rounds(session, date(2027, 2, 27)) == 0  # done
    [told] = inbox_of(session, partner)
    assert told.kind is NotificationKind.ROUND_CLOSING
    assert "sluit op 1 maart 2027" in outbox.messages[0]["Subject"]
    open_version.closes_on = date(2027, 3, 8)  # extended: a new date, a new reminder
    session.commit()
    with app.app_context():
        assert events.remind_of_closing_rounds(session, date(2027, 3, 5)) == 1
    with app.app_context(), force_locale("en"):
        assert "closes on March 8, 2027" in events.text_of(inbox_of(session, partner)[-1])


def test_the_mail_is_in_the_language_the_reader_chose(app, session, outbox):
    user_with_role(session, Role.PARTNER).language = "en"
    session.commit()
    parent = partner_reaction(app, session)
    reply_by_author(app, session, parent)
    [message] = outbox.messages
    assert message["Subject"].startswith("Someone replied to your reaction")
    assert "No more mail like this (no log-in needed):" in message.get_content()


def test_the_messages_page_lists_the_documents_followed_and_stops_one(client, session):
    Auth(client).login(Role.PARTNER)
    assert "U volgt nog geen document" in client.get("/me/notifications").get_data(as_text=True)
    client.post(f"/documents/{SAMPLE_SLUG}/follow")
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Documenten die u volgt" in page and "niet meer volgen" in page
    stopped = client.post(f"/documents/{SAMPLE_SLUG}/follow",
                          data={"next": "/me/notifications#following"})  # fmt: skip
    assert stopped.location.endswith("/me/notifications#following")
    assert "U volgt nog geen document" in client.get("/me/notifications").get_data(as_text=True)
    profile = client.get("/me/profile").get_data(as_text=True)
    assert 'href="/me/notifications#settings"' in profile
