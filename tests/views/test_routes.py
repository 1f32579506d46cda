"""Every route, for every role and for anonymous visitors, answers as the permission rules say.
A route that is added without an entry here fails ``test_every_route_has_expectations``."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from sqlalchemy import select

from reviewhub.feedback.posting import NewComment, post_comment
from reviewhub.feedback.questions import add_question
from reviewhub.models import (
    Comment,
    CommentKind,
    Document,
    Group,
    Question,
    Role,
    Section,
    User,
    Version,
)
from tests.factories import SAMPLE_SLUG, Auth

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, Role.READER, Role.PARTNER, Role.REVIEWER, Role.AUTHOR, Role.ADMIN]
LOGIN = "login"  # a redirect to the log-in page


def expect(anonymous, reader, partner, reviewer, author, admin) -> dict:
    return dict(zip(ROLES, [anonymous, reader, partner, reviewer, author, admin], strict=True))


def everyone(status: int) -> dict:
    return expect(*[status] * 6)


SIGNED_IN = expect(LOGIN, 200, 200, 200, 200, 200)
ADMINS = expect(LOGIN, 403, 403, 403, 403, 200)
PUBLISHERS = expect(LOGIN, 403, 403, 403, 200, 200)  # the demo author owns the samples
MODERATORS = expect(LOGIN, 403, 403, 200, 403, 200)
MODERATOR_ACTION = expect(LOGIN, 403, 403, 302, 403, 302)
PUBLISHER_ACTION = expect(LOGIN, 403, 403, 403, 302, 302)


def API_AUTHOR_ONLY(status: int) -> dict:
    """The JSON API's answers for a change by the reaction's author, the demo partner."""
    return expect(401, 403, status, 403, 403, 403)


def partner_question(app, session) -> Comment:
    partner = session.scalars(select(User).where(User.email == Auth.EMAILS[Role.PARTNER])).one()
    target = session.scalars(
        select(Section).join(Version).where(Version.number == 3, Section.key == "veiligheid")
    ).one()
    new = NewComment(CommentKind.QUESTION, "Wat betekent dit?", "matrix",
                     group_id=partner.memberships[0].group_id)  # fmt: skip
    with app.app_context():  # the closing date is read in the app's time zone
        comment = post_comment(session, partner, target, new)
    session.commit()
    return comment


def a_question(app, session) -> Question:
    """A consultation question about the sample's open version as a whole."""
    author = session.scalars(select(User).where(User.email == Auth.EMAILS[Role.AUTHOR])).one()
    version = session.scalars(
        select(Version).join(Document).where(Document.slug == SAMPLE_SLUG, Version.number == 3)
    ).one()
    with app.app_context():
        question = add_question(session, author, version, "Wat mist u in deze versie?")
    session.commit()
    return question


class Case(NamedTuple):
    method: str
    url: str
    outcome: dict
    data: dict | None = None
    json: dict | None = None  # the JSON API's body


SAMPLE = f"/documents/{SAMPLE_SLUG}"
# Keyed by the rule as Flask knows it. {reader} is the demo reader's id.
CASES: dict[str, list[Case]] = {
    "/": [Case("GET", "/", everyone(302))],
    "/language": [Case("POST", "/language", everyone(302), {"language": "en"})],
    # The pages every footer links to; the logo only when one is configured (not in tests).
    "/privacy": [Case("GET", "/privacy", everyone(200))],
    "/toegankelijkheid": [Case("GET", "/toegankelijkheid", everyone(200))],
    "/contact": [Case("GET", "/contact", everyone(200))],
    "/organisation-logo": [Case("GET", "/organisation-logo", everyone(404))],
    "/login": [Case("GET", "/login", everyone(200))],
    "/logout": [Case("POST", "/logout", everyone(302))],
    "/password/forgot": [Case("GET", "/password/forgot", everyone(200))],
    "/invitation/<token>": [Case("GET", "/invitation/onzin", everyone(400))],
    "/password/reset/<token>": [Case("GET", "/password/reset/onzin", everyone(400))],
    "/me/profile": [Case("GET", "/me/profile", SIGNED_IN)],
    "/me/data.json": [Case("GET", "/me/data.json", SIGNED_IN)],
    "/me/data.zip": [Case("GET", "/me/data.zip", SIGNED_IN)],
    # Without a name: the profile again, with the reason.
    "/me/tokens": [Case("POST", "/me/tokens", expect(LOGIN, 400, 400, 400, 400, 400))],
    # None of theirs: back to the profile, with a message.
    "/me/tokens/<int:token_id>/revoke": [
        Case("POST", "/me/tokens/999999/revoke", expect(LOGIN, 302, 302, 302, 302, 302))
    ],
    "/attachments/<int:attachment_id>/<filename>": [
        Case("GET", "/attachments/999999/onzin.pdf", everyone(404))
    ],
    # Someone else's reaction (the demo reviewer's) or none: refused, with a message.
    "/comments/<int:comment_id>/attachments": [
        Case("POST", "/comments/999999/attachments", expect(LOGIN, 404, 404, 404, 404, 404))
    ],
    "/admin/people": [Case("GET", "/admin/people", ADMINS)],
    "/admin/people/new": [Case("GET", "/admin/people/new", ADMINS)],
    "/admin/people/<int:person_id>": [Case("GET", "/admin/people/{reader}", ADMINS)],
    "/admin/people/<int:person_id>/invitation": [
        Case("POST", "/admin/people/{reader}/invitation", ADMINS)
    ],
    "/admin/people/<int:person_id>/anonymise": [
        Case("POST", "/admin/people/{reader}/anonymise", expect(LOGIN, 403, 403, 403, 403, 302))
    ],
    "/admin/groups": [Case("GET", "/admin/groups", ADMINS)],
    "/admin/groups/new": [Case("GET", "/admin/groups/new", ADMINS)],
    "/admin/groups/<int:group_id>": [Case("GET", "/admin/groups/{group}", ADMINS)],
    "/admin/audit": [Case("GET", "/admin/audit", ADMINS)],
    # The job queue's failed jobs: none in the sample, so sending one again is a 404.
    "/admin/jobs": [Case("GET", "/admin/jobs", ADMINS)],
    "/admin/jobs/<int:job_id>/<any(again, aside):step>": [
        Case("POST", "/admin/jobs/999/again", expect(LOGIN, 403, 403, 403, 403, 404))
    ],
    "/admin/audit.csv": [Case("GET", "/admin/audit.csv?action=auth.", ADMINS)],
    # Inviting from a CSV file: the form, its template, and a confirmation without a preview
    # (back to the form, with a message).
    "/admin/people/bulk": [Case("GET", "/admin/people/bulk", ADMINS)],
    "/admin/people/bulk/template.csv": [Case("GET", "/admin/people/bulk/template.csv", ADMINS)],
    "/admin/people/bulk/confirm": [
        Case("POST", "/admin/people/bulk/confirm", expect(LOGIN, 403, 403, 403, 403, 302))
    ],
    # The demo reader is in no group: added to {group}, then made coordinator, then removed.
    "/admin/groups/<int:group_id>/members": [
        Case(
            "POST",
            "/admin/groups/{group}/members",
            expect(LOGIN, 403, 403, 403, 403, 302),
            {"email": "lezer@example.org"},
        ),
    ],
    "/admin/groups/<int:group_id>/members/<int:person_id>/coordinator": [
        Case(
            "POST",
            "/admin/groups/{group}/members/{reader}/coordinator",
            expect(LOGIN, 403, 403, 403, 403, 302),
            {"coordinator": "1"},
        ),
    ],
    "/admin/groups/<int:group_id>/members/<int:person_id>/remove": [
        Case(
            "POST",
            "/admin/groups/{group}/members/{reader}/remove",
            expect(LOGIN, 403, 403, 403, 403, 302),
        ),
    ],
    "/documents/": [Case("GET", "/documents/", everyone(200))],
    # The JSON API: what the pages show, with the demo accounts' sessions.
    "/api/v1/openapi.json": [Case("GET", "/api/v1/openapi.json", everyone(200))],
    "/api/v1/reference": [Case("GET", "/api/v1/reference", everyone(200))],
    "/api/v1/documents": [Case("GET", "/api/v1/documents", everyone(200))],
    "/api/v1/search": [
        Case("GET", "/api/v1/search?q=veiligheid", everyone(200)),
        Case("GET", f"/api/v1/search?q=veiligheid&document={SAMPLE_SLUG}&version=3", everyone(200)),
        Case("GET", "/api/v1/search?q=veiligheid&document=bestaat-niet", everyone(404)),
        Case("GET", "/api/v1/search?q=veiligheid&version=3", everyone(422)),
        Case("GET", "/api/v1/search", everyone(422)),
    ],
    "/api/v1/documents/<slug>": [
        Case("GET", f"/api/v1{SAMPLE}", everyone(200)),
        Case("GET", "/api/v1/documents/bestaat-niet", everyone(404)),
    ],
    "/api/v1/documents/<slug>/versions/<int:number>/questions": [
        Case("GET", f"/api/v1{SAMPLE}/versions/3/questions", everyone(200)),
        Case("GET", f"/api/v1{SAMPLE}/versions/9/questions", everyone(404)),
    ],
    "/api/v1/documents/<slug>/versions/<int:number>/reactions": [
        Case("GET", f"/api/v1{SAMPLE}/versions/3/reactions", everyone(200)),
        Case("GET", f"/api/v1{SAMPLE}/versions/3/reactions?limit=0", everyone(422)),
        # The partner reacts for a group and must name it (422); the reviewer and others
        # may react as themselves; a reader may not react.
        Case(
            "POST",
            f"/api/v1{SAMPLE}/versions/3/reactions",
            expect(401, 403, 422, 201, 201, 201),
            json={"section": "veiligheid", "kind": "question", "body": "Een vraag?"},
        ),
        Case(
            "POST",
            f"/api/v1{SAMPLE}/versions/2/reactions",
            expect(401, 403, 403, 403, 403, 403),
            json={"section": "veiligheid", "kind": "question", "body": "Te laat?"},
        ),
    ],
    "/api/v1/reactions/<int:comment_id>": [
        Case("GET", "/api/v1/reactions/{comment}", everyone(200)),
        Case("GET", "/api/v1/reactions/999999", everyone(404)),
        # Only its author (the partner) edits or withdraws it.
        Case(
            "PATCH",
            "/api/v1/reactions/{comment}",
            API_AUTHOR_ONLY(200),
            json={"body": "Wat betekent dit precies?"},
        ),
        Case("DELETE", "/api/v1/reactions/{comment}", API_AUTHOR_ONLY(204)),
    ],
    "/api/v1/reactions/<int:comment_id>/replies": [
        Case("GET", "/api/v1/reactions/{comment}/replies", everyone(200)),
        Case(
            "POST",
            "/api/v1/reactions/{comment}/replies",
            expect(401, 403, 201, 201, 201, 201),
            json={"body": "Een antwoord."},
        ),
    ],
    "/api/v1/reactions/<int:comment_id>/decision": [
        Case("GET", "/api/v1/reactions/{comment}/decision", everyone(200)),
        Case(
            "PUT",
            "/api/v1/reactions/{comment}/decision",
            expect(401, 403, 403, 200, 403, 200),
            json={"status": "answered", "motivation": "Zie de toelichting.", "revision": 0},
        ),
    ],
    "/api/v1/me": [Case("GET", "/api/v1/me", expect(401, 200, 200, 200, 200, 200))],
    "/api/v1/me/reactions": [
        Case("GET", "/api/v1/me/reactions", expect(401, 200, 200, 200, 200, 200))
    ],
    "/api/v1/documents/<slug>/versions/<int:number>": [
        Case("GET", f"/api/v1{SAMPLE}/versions/3", everyone(200)),
        Case("GET", f"/api/v1{SAMPLE}/versions/9", everyone(404)),
    ],
    "/api/v1/documents/<slug>/versions/<int:a>/mapping/<int:b>": [
        Case("GET", f"/api/v1{SAMPLE}/versions/2/mapping/3", everyone(200)),
        Case("GET", f"/api/v1{SAMPLE}/versions/3/mapping/3", everyone(422)),
        Case("GET", f"/api/v1{SAMPLE}/versions/2/mapping/9", everyone(404)),
    ],
    "/api/v1/documents/<slug>/versions/<int:a>/compare/<int:b>": [
        Case("GET", f"/api/v1{SAMPLE}/versions/1/compare/3", everyone(200)),
        Case("GET", f"/api/v1{SAMPLE}/versions/3/compare/2", everyone(422)),
        Case("GET", f"/api/v1{SAMPLE}/versions/9/compare/3", everyone(404)),
    ],
    "/api/v1/documents/<slug>/versions/<int:number>/exports/<fmt>": [
        Case(
            "GET", f"/api/v1{SAMPLE}/versions/3/exports/csv", expect(401, 403, 403, 200, 200, 200)
        ),
        Case(
            "GET",
            f"/api/v1{SAMPLE}/versions/3/exports/onzin",
            expect(401, 404, 404, 404, 404, 404),
        ),
    ],
    "/documents/<slug>": [
        Case("GET", SAMPLE, everyone(200)),
        Case("GET", "/documents/bestaat-niet", everyone(404)),
    ],
    "/documents/<slug>/v/<int:number>": [
        Case("GET", f"{SAMPLE}/v/2", everyone(200)),
        Case("GET", f"{SAMPLE}/v/9", everyone(404)),
    ],
    "/documents/<slug>/v/<int:number>/source.md": [
        Case("GET", f"{SAMPLE}/v/1/source.md", everyone(200))
    ],
    "/documents/<slug>/v/<int:number>/version.pdf": [
        Case("GET", f"{SAMPLE}/v/1/version.pdf", everyone(200)),
        Case("GET", f"{SAMPLE}/v/9/version.pdf", everyone(404)),
    ],
    "/documents/publish": [Case("GET", "/documents/publish", PUBLISHERS)],
    # Without a kept preview: back to the form, with a message.
    "/documents/publish/confirm": [
        Case("POST", "/documents/publish/confirm", expect(LOGIN, 403, 403, 403, 302, 302))
    ],
    "/documents/<slug>/v/<int:number>/round": [
        Case("GET", f"{SAMPLE}/v/3/round", PUBLISHERS),
        Case("GET", f"{SAMPLE}/v/9/round", expect(LOGIN, 404, 404, 404, 404, 404)),
    ],
    "/documents/<slug>/v/<int:number>/round/<step>": [
        Case("POST", f"{SAMPLE}/v/3/round/change", expect(LOGIN, 403, 403, 403, 400, 400)),
        Case("POST", f"{SAMPLE}/v/3/round/onzin", expect(LOGIN, 403, 403, 403, 404, 404)),
    ],
    "/documents/<slug>/v/<int:number>/questions": [
        Case("GET", f"{SAMPLE}/v/3/questions", PUBLISHERS),
        Case("GET", f"{SAMPLE}/v/9/questions", expect(LOGIN, 404, 404, 404, 404, 404)),
        Case(
            "POST",
            f"{SAMPLE}/v/3/questions",
            expect(LOGIN, 403, 403, 403, 400, 400),
            data={"text": ""},
        ),
        Case(
            "POST",
            f"{SAMPLE}/v/3/questions",
            expect(LOGIN, 403, 403, 403, 302, 302),
            data={"text": "Wat mist u?"},
        ),
    ],
    "/documents/<slug>/v/<int:number>/questions/<int:question_id>/<step>": [
        Case("POST", f"{SAMPLE}/v/3/questions/{{question}}/up", PUBLISHER_ACTION),
        Case(
            "POST",
            f"{SAMPLE}/v/3/questions/{{question}}/onzin",
            expect(LOGIN, 403, 403, 403, 404, 404),
        ),
        Case(
            "POST",
            f"{SAMPLE}/v/2/questions/{{question}}/up",
            expect(LOGIN, 403, 403, 403, 404, 404),
        ),
    ],
    "/documents/<slug>/settings": [Case("GET", f"{SAMPLE}/settings", PUBLISHERS)],
    "/documents/<slug>/moderation": [Case("GET", f"{SAMPLE}/moderation", MODERATORS)],
    "/documents/<slug>/v/<int:number>/s/<key>": [
        Case("GET", f"{SAMPLE}/v/3/s/veiligheid", everyone(200)),
        Case("GET", f"{SAMPLE}/v/3/s/bestaat-niet", everyone(404)),
    ],
    "/documents/<slug>/v/<int:number>/s/<key>/reactions": [
        Case("GET", f"{SAMPLE}/v/3/s/veiligheid/reactions", everyone(200)),
        Case("GET", f"{SAMPLE}/v/3/s/bestaat-niet/reactions", everyone(404)),
        Case("GET", f"{SAMPLE}/v/9/s/veiligheid/reactions", everyone(404)),
    ],
    "/me/feedback": [
        Case("GET", "/me/feedback", SIGNED_IN),
        Case("GET", "/me/feedback?document=x&status=onzin&group=99999999999999999999", SIGNED_IN),
    ],
    # {group} is Regio Twente: only the demo partner is a member.
    "/groups/<int:group_id>/feedback": [
        Case("GET", "/groups/{group}/feedback", expect(LOGIN, 403, 200, 403, 403, 403)),
        Case(
            "GET",
            "/groups/{group}/feedback?status=accepted",
            expect(LOGIN, 403, 200, 403, 403, 403),
        ),
        Case("GET", "/groups/999999/feedback", expect(LOGIN, 404, 404, 404, 404, 404)),
    ],
    # Downloads of the feedback: for those who read the workspace (the review group, the
    # document's author and admins).
    "/documents/<slug>/v/<int:number>/export/<fmt>": [
        Case("GET", f"{SAMPLE}/v/3/export/csv", expect(LOGIN, 403, 403, 200, 200, 200)),
        Case(
            "GET",
            f"{SAMPLE}/v/3/export/docx?status=new&group=x",
            expect(LOGIN, 403, 403, 200, 200, 200),
        ),
        Case("GET", f"{SAMPLE}/v/3/export/exe", expect(LOGIN, 403, 403, 404, 404, 404)),
        Case("GET", f"{SAMPLE}/v/9/export/csv", everyone(404)),
    ],
    "/documents/<slug>/export/<fmt>": [
        Case("GET", f"{SAMPLE}/export/json", expect(LOGIN, 403, 403, 200, 200, 200)),
        Case("GET", "/documents/bestaat-niet/export/json", everyone(404)),
    ],
    # Too large for a page (never, with the samples): the page sends to the download.
    "/documents/<slug>/v/<int:number>/export/<fmt>/later": [
        Case("GET", f"{SAMPLE}/v/3/export/pdf/later", expect(LOGIN, 403, 403, 302, 302, 302)),
        Case("POST", f"{SAMPLE}/v/3/export/pdf/later", expect(LOGIN, 403, 403, 302, 302, 302)),
        Case("GET", f"{SAMPLE}/v/3/export/exe/later", expect(LOGIN, 403, 403, 404, 404, 404)),
    ],
    "/documents/<slug>/export/<fmt>/later": [
        Case("GET", f"{SAMPLE}/export/pdf/later", expect(LOGIN, 403, 403, 302, 302, 302)),
        Case("GET", "/documents/bestaat-niet/export/pdf/later", everyone(404)),
    ],
    "/me/exports": [Case("GET", "/me/exports", SIGNED_IN)],
    "/me/exports/<int:export_id>": [
        Case("GET", "/me/exports/999999", expect(LOGIN, 404, 404, 404, 404, 404))
    ],
    # Taking feedback in from a file: the review group (and admins) any file for anyone,
    # on any public version; whoever may react, a Word file of their own.
    "/documents/<slug>/v/<int:number>/import": [
        Case("GET", f"{SAMPLE}/v/3/import", expect(LOGIN, 403, 200, 200, 200, 200)),
        Case("GET", f"{SAMPLE}/v/2/import", expect(LOGIN, 403, 403, 200, 403, 200)),
        Case(
            "POST",
            f"{SAMPLE}/v/3/import",
            expect(LOGIN, 403, 400, 400, 400, 400),
            {"kind": "spreadsheet"},
        ),
    ],
    "/documents/<slug>/v/<int:number>/import/confirm": [
        Case(
            "POST",
            f"{SAMPLE}/v/3/import/confirm",
            expect(LOGIN, 403, 302, 302, 302, 302),
            {"token": "verlopen"},
        ),
    ],
    "/documents/<slug>/v/<int:number>/import/template.xlsx": [
        Case("GET", f"{SAMPLE}/v/3/import/template.xlsx", expect(LOGIN, 403, 403, 200, 403, 200)),
    ],
    # The version to comment on in Word: whoever reads it.
    "/documents/<slug>/v/<int:number>/word": [
        Case("GET", f"{SAMPLE}/v/3/word", everyone(200)),
        Case("GET", f"{SAMPLE}/v/9/word", everyone(404)),
    ],
    # The demo partner coordinates Regio Twente ({group}); nobody else is in it.
    "/groups/<int:group_id>/positions/<slug>/v/<int:number>": [
        Case(
            "GET",
            "/groups/{group}/positions/" + SAMPLE_SLUG + "/v/3",
            expect(LOGIN, 403, 200, 403, 403, 403),
        ),
        Case(
            "GET",
            "/groups/{group}/positions/" + SAMPLE_SLUG + "/v/9",
            expect(LOGIN, 403, 404, 403, 403, 403),
        ),
    ],
    "/groups/<int:group_id>/positions/<slug>/v/<int:number>/s/<key>": [
        Case(
            "GET",
            "/groups/{group}/positions/" + SAMPLE_SLUG + "/v/3/s/veiligheid",
            expect(LOGIN, 403, 200, 403, 403, 403),
        ),
        Case(
            "GET",
            "/groups/{group}/positions/" + SAMPLE_SLUG + "/v/3/s/bestaat-niet",
            expect(LOGIN, 403, 404, 403, 403, 403),
        ),
        # Nothing written: saves only what a coordinator sends complete (here: no text).
        Case(
            "POST",
            "/groups/{group}/positions/" + SAMPLE_SLUG + "/v/3/s/veiligheid",
            expect(LOGIN, 403, 400, 403, 403, 403),
            {"action": "save", "kind": "general"},
        ),
    ],
    # No decision on {comment} yet: its author gets the form back (400), nobody else may.
    "/comments/<int:comment_id>/answer": [
        Case(
            "POST",
            "/comments/{comment}/answer",
            expect(LOGIN, 403, 400, 403, 403, 403),
            {"verdict": "agree"},
        ),
        Case("POST", "/comments/999999/answer", expect(LOGIN, 404, 404, 404, 404, 404)),
    ],
    "/documents/<slug>/v/<int:number>/removed-sections": [
        Case("GET", f"{SAMPLE}/v/3/removed-sections", everyone(200)),
        Case("GET", f"{SAMPLE}/v/9/removed-sections", everyone(404)),
    ],
    "/documents/<slug>/v/<int:number>/objections": [
        Case("GET", f"{SAMPLE}/v/3/objections", MODERATORS),
        Case("GET", f"{SAMPLE}/v/9/objections", expect(LOGIN, 404, 404, 404, 404, 404)),
    ],
    # {comment} is public: everyone who reads the document is sent to its section's page.
    "/comments/<int:comment_id>": [Case("GET", "/comments/{comment}", everyone(302))],
    # {comment} is a question of the demo partner on the open Dialoogversie 3.
    "/comments/<int:comment_id>/edit": [
        Case("GET", "/comments/{comment}/edit", expect(LOGIN, 403, 200, 403, 403, 403))
    ],
    "/comments/<int:comment_id>/replies": [
        Case("POST", "/comments/{comment}/replies", expect(LOGIN, 400, 400, 400, 400, 400))
    ],
    "/comments/<int:comment_id>/delete": [
        # Its author is asked first; nobody else may delete it.
        Case("GET", "/comments/{comment}/delete", expect(LOGIN, 403, 200, 403, 403, 403)),
        Case("POST", "/comments/{comment}/delete", expect(LOGIN, 302, 302, 302, 302, 302)),
    ],
    # {comment} has no open report: the moderators are sent back to it with a message.
    "/comments/<int:comment_id>/dismiss": [
        Case("POST", "/comments/{comment}/dismiss", MODERATOR_ACTION)
    ],
    "/comments/<int:comment_id>/report": [
        Case("POST", "/comments/{comment}/report", expect(LOGIN, 302, 302, 302, 302, 302))
    ],
    "/comments/<int:comment_id>/hide": [
        Case("POST", "/comments/{comment}/hide", MODERATOR_ACTION, {"reason": "test"})
    ],
    "/comments/<int:comment_id>/restore": [
        Case("POST", "/comments/{comment}/restore", MODERATOR_ACTION)
    ],
    "/comments/<int:comment_id>/approve": [
        Case("POST", "/comments/{comment}/approve", MODERATOR_ACTION)
    ],
    "/documents/<slug>/compare": [
        Case("GET", f"{SAMPLE}/compare?from=3&with=1", everyone(302)),
        Case("GET", f"{SAMPLE}/compare", everyone(302)),  # to the document, with a message
    ],
    "/documents/<slug>/compare/<int:a>...<int:b>": [
        Case("GET", f"{SAMPLE}/compare/1...3", everyone(200)),
        Case("GET", f"{SAMPLE}/compare/1...9", everyone(404)),
    ],
    "/documents/<slug>/compare/<int:a>...<int:b>/export.<fmt>": [
        Case("GET", f"{SAMPLE}/compare/2...3/export.html", everyone(200)),
        Case("GET", f"{SAMPLE}/compare/2...3/export.docx", everyone(200)),
    ],
    # Messages: one's own inbox and its settings; following a document; the unsubscribe
    # link of a mail, which needs no log-in (a token that does not hold: 404).
    "/me/notifications": [Case("GET", "/me/notifications", SIGNED_IN)],
    "/me/notifications/<int:notification_id>": [
        Case("GET", "/me/notifications/999999", expect(LOGIN, 404, 404, 404, 404, 404))
    ],
    "/me/notifications/read": [
        Case("POST", "/me/notifications/read", expect(LOGIN, 302, 302, 302, 302, 302))
    ],
    "/me/notifications/settings": [
        Case(
            "POST",
            "/me/notifications/settings",
            expect(LOGIN, 302, 302, 302, 302, 302),
            {"kinds": ["reply"], "email": "daily"},
        ),
    ],
    "/documents/<slug>/follow": [
        Case("POST", f"{SAMPLE}/follow", expect(LOGIN, 302, 302, 302, 302, 302))
    ],
    "/unsubscribe/<token>": [Case("GET", "/unsubscribe/vervalst", everyone(404))],
    # Searching: what the visitor may read, no log-in needed.
    "/search": [
        Case("GET", "/search", everyone(200)),
        Case("GET", "/search?q=veiligheid&kind=reaction&document=x&version=1", everyone(200)),
    ],
    # Atom feeds: what the visitor may read, no log-in needed.
    "/documents/<slug>/versions.atom": [Case("GET", f"{SAMPLE}/versions.atom", everyone(200))],
    "/documents/<slug>/v/<int:number>/decisions.atom": [
        Case("GET", f"{SAMPLE}/v/3/decisions.atom", everyone(200)),
        Case("GET", f"{SAMPLE}/v/9/decisions.atom", everyone(404)),
    ],
    "/documents/<slug>/sections/<key>/history": [
        Case("GET", f"{SAMPLE}/sections/veiligheid/history", everyone(200))
    ],
    # The review workspace: the review group decides, the document's author reads it.
    "/documents/<slug>/v/<int:number>/feedback": [
        Case("GET", f"{SAMPLE}/v/3/feedback", expect(LOGIN, 403, 403, 200, 200, 200)),
        Case("GET", f"{SAMPLE}/v/9/feedback", everyone(404)),
        Case(
            "POST",
            f"{SAMPLE}/v/3/feedback",
            expect(LOGIN, 403, 403, 400, 403, 400),
            {"action": "decide"},
        ),
    ],
    "/documents/<slug>/v/<int:number>/feedback/<reference>": [
        Case("GET", f"{SAMPLE}/v/3/feedback/{{reference}}", expect(LOGIN, 403, 403, 200, 200, 200)),
        Case("GET", f"{SAMPLE}/v/3/feedback/XX-3-999", expect(LOGIN, 403, 403, 404, 404, 404)),
        Case(
            "POST",
            f"{SAMPLE}/v/3/feedback/{{reference}}",
            expect(LOGIN, 403, 403, 400, 403, 400),
            {"which": "note"},
        ),
    ],
    # Progress at a glance: read like the workspace; "handled" refused while one reaction
    # (the partner's question) waits for a decision.
    "/documents/<slug>/v/<int:number>/progress": [
        Case("GET", f"{SAMPLE}/v/3/progress", expect(LOGIN, 403, 403, 200, 200, 200)),
        Case("GET", f"{SAMPLE}/v/9/progress", everyone(404)),
        Case("GET", "/documents/bestaat-niet/v/3/progress", everyone(404)),
    ],
    "/documents/<slug>/v/<int:number>/progress/handled": [
        Case("POST", f"{SAMPLE}/v/3/progress/handled", expect(LOGIN, 403, 403, 400, 403, 400)),
        Case("POST", f"{SAMPLE}/v/9/progress/handled", everyone(404)),
    ],
}


def test_every_route_has_expectations(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert sorted(rules - CASES.keys()) == [], "add the new routes to CASES"
    assert sorted(CASES.keys() - rules) == [], "remove routes that no longer exist"


@pytest.mark.parametrize("role", ROLES, ids=str)
@pytest.mark.parametrize("rule", sorted(CASES))
def test_route_answers_each_role_as_expected(app, client, session, role, rule):
    ids = {
        "reader": session.scalar(select(User.id).where(User.email == Auth.EMAILS[Role.READER])),
        "group": session.scalar(select(Group.id).order_by(Group.id).limit(1)),
        "comment": partner_question(app, session).id,
        "reference": session.scalar(select(Comment.reference).order_by(Comment.id.desc()).limit(1)),
        "question": a_question(app, session).id,
    }
    if role != ANONYMOUS:
        assert Auth(client).login(role).status_code == 302
    for case in CASES[rule]:
        response = client.open(
            case.url.format(**ids), method=case.method, data=case.data, json=case.json
        )
        expected = case.outcome[role]
        where = (case.method, case.url, role)
        if expected == LOGIN:
            assert response.status_code == 302 and "/login?next=" in response.location, where
        else:
            assert response.status_code == expected, where
