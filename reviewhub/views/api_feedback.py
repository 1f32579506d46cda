"""The JSON API's reactions, replies and decisions: reading one, writing as the pages allow
(the same domain functions: feedback.posting, feedback.decisions), a person's own feedback,
and deciding for the review group with the workspace's check for a decision made meanwhile."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask import abort, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..feedback import decisions, posting
from ..feedback.decisions import Decision, DecisionConflict
from ..feedback.errors import FeedbackError
from ..feedback.queries import listed, readable_filter
from ..models import (
    Attribution,
    Comment,
    CommentKind,
    CommentVisibility,
    Disposition,
    Section,
    TokenScope,
    User,
)
from ..permissions import Action, can
from .api_common import blueprint, next_page, readable_comment, readable_version, requires
from .api_common import reaction as shape
from .api_schemas import (
    DecisionInSchema,
    DecisionSchema,
    MeSchema,
    NewReactionSchema,
    NewReplySchema,
    PageQuerySchema,
    ReactionEditSchema,
    ReactionPageSchema,
    ReactionSchema,
)
from .problems import problem

bp = blueprint("api_feedback", __name__, "Reactions, replies and decisions.")
WRITE = {"security": [{"token": ["write"]}]}
REVIEW = {"security": [{"token": ["review"]}]}
READ = {"security": [{"token": ["read"]}]}


# Reactions and replies ------------------------------------------------------------------------


@bp.route("/documents/<slug>/versions/<int:number>/reactions", methods=["POST"])
@bp.arguments(NewReactionSchema)
@bp.response(201, ReactionSchema)
@bp.doc(**WRITE)
@requires(TokenScope.WRITE)
def post_reaction(new: dict[str, Any], slug: str, number: int) -> Any:
    """A reaction on a section or on a passage of it, on behalf of a group or oneself as the
    reaction form allows. Sent twice with the same ``client_token``: stored once."""
    version = readable_version(slug, number)
    section = db.session.scalar(
        select(Section).where(Section.version_id == version.id, Section.key == new["section"])
    )
    if section is None:
        abort(422, _("This version has no section with the key %(key)s.", key=new["section"]))
    if not can(current_user, Action.COMMENT, version):
        abort(403, str(posting.closed_message(version)))
    _sign_as(new["attribution"])
    passage = posting.Passage(**new["passage"]) if new["passage"] else None
    made = posting.NewComment(
        kind=CommentKind(new["kind"]),
        body=new["body"],
        client_token=_token(new),
        group_id=new["group"],
        visibility=CommentVisibility(new["visibility"]),
        passage=passage,
        proposed_text=new["proposed_wording"],
        question_id=new["question_id"],
    )
    comment = _stored(lambda: posting.post_comment(db.session, current_user, section, made))
    return shape(comment), 201, {"Location": _location(comment)}


@bp.route("/reactions/<int:comment_id>")
@bp.response(200, ReactionSchema)
def reaction(comment_id: int) -> dict[str, Any]:
    """One reaction or reply the client may read."""
    return shape(readable_comment(comment_id))


@bp.route("/reactions/<int:comment_id>", methods=["PATCH"])
@bp.arguments(ReactionEditSchema)
@bp.response(200, ReactionSchema)
@bp.doc(**WRITE)
@requires(TokenScope.WRITE)
def edit_reaction(change: dict[str, Any], comment_id: int) -> dict[str, Any]:
    """Its author changes the wording, and the question it answers (``question_id``), while
    nobody has replied and the round is open (else 409, saying why)."""
    comment = _own(comment_id)
    if not can(current_user, Action.EDIT_COMMENT, comment):
        abort(409, str(posting.why_not_editable(comment)))
    body, wording = change["body"], change["proposed_wording"]

    def edit() -> None:
        posting.edit_comment(db.session, current_user, comment, body, wording)
        if "question_id" in change:  # left out: the question stays as it is
            posting.answer_question(db.session, current_user, comment, change["question_id"])

    _stored(edit)
    return shape(comment)


@bp.route("/reactions/<int:comment_id>", methods=["DELETE"])
@bp.response(204)
@bp.doc(**WRITE)
@requires(TokenScope.WRITE)
def delete_reaction(comment_id: int) -> Any:
    """Its author withdraws it; the thread keeps its place and its replies."""
    comment = _own(comment_id)
    _stored(lambda: posting.delete_comment(db.session, current_user, comment))
    return "", 204


@bp.route("/reactions/<int:comment_id>/replies")
@bp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@bp.response(200, ReactionPageSchema)
def replies(comment_id: int, after: int, limit: int) -> dict[str, Any]:
    """The replies to a reaction the client may read, oldest first, a page at a time."""
    parent = readable_comment(comment_id)
    query = select(Comment).where(
        Comment.parent_id == parent.id,
        readable_filter(current_user, parent.section.version.document),
    )
    return _page(query, after, limit)


@bp.route("/reactions/<int:comment_id>/replies", methods=["POST"])
@bp.arguments(NewReplySchema)
@bp.response(201, ReactionSchema)
@bp.doc(**WRITE)
@requires(TokenScope.WRITE)
def post_reply(new: dict[str, Any], comment_id: int) -> Any:
    """A reply in the reaction's thread (a reply to a reply joins the same thread)."""
    parent = readable_comment(comment_id)
    thread = parent.parent or parent
    if not can(current_user, Action.COMMENT, thread.section.version):
        abort(403, str(posting.closed_message(thread.section.version)))
    made = posting.NewComment(kind=None, body=new["body"], client_token=_token(new))
    section = thread.section
    comment = _stored(lambda: posting.post_comment(db.session, current_user, section, made, thread))
    return shape(comment), 201, {"Location": _location(comment)}


@bp.route("/me")
@bp.response(200, MeSchema)
@bp.doc(**READ)
@requires(TokenScope.READ)
def me() -> dict[str, Any]:
    """Who the token or session belongs to, and the groups they may react for."""
    person: User = current_user._get_current_object()
    groups = [
        {
            "id": m.group.id,
            "name": m.group.name,
            "may_react_for": can(person, Action.REACT_FOR_GROUP, m.group),
        }
        for m in person.memberships
    ]
    return {
        "name": person.name,
        "email": person.email,
        "groups": groups,
        "reactions": url_for(".my_reactions", _external=True),
    }


@bp.route("/me/reactions")
@bp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@bp.response(200, ReactionPageSchema)
@bp.doc(**READ)
@requires(TokenScope.READ)
def my_reactions(after: int, limit: int) -> dict[str, Any]:
    """Everything the person wrote, reactions and replies, on every document, oldest first,
    with their decisions (``status``, ``motivation``)."""
    return _page(select(Comment).where(Comment.author_id == current_user.id), after, limit)


# Decisions ------------------------------------------------------------------------------------


@bp.route("/reactions/<int:comment_id>/decision")
@bp.response(200, DecisionSchema)
def decision(comment_id: int) -> dict[str, Any]:
    """The decision on a reaction as it stands (``new`` while none is made), with its
    revision and the commenter's answer."""
    return _decision(_top_level(comment_id))


@bp.route("/reactions/<int:comment_id>/decision", methods=["PUT"])
@bp.arguments(DecisionInSchema)
@bp.response(200, DecisionSchema)
@bp.doc(**REVIEW)
@requires(TokenScope.REVIEW)
def set_decision(wanted: dict[str, Any], comment_id: int) -> Any:
    """The review group decides. ``revision`` is the one read with the decision: when someone
    decided meanwhile the answer is 409 with their decision, and nothing is stored."""
    comment = _top_level(comment_id)
    if not can(current_user, Action.DECIDE, comment.section.version.document):
        abort(403, _("Only the review group decides on reactions."))
    made = Decision(Disposition(wanted["status"]), wanted["motivation"], wanted["duplicate_of"])
    try:
        decisions.decide(
            db.session, current_user, comment, made, expected_revision=wanted["revision"]
        )
    except DecisionConflict:
        db.session.rollback()
        return _conflict(comment_id)
    except FeedbackError as error:
        db.session.rollback()
        abort(422, str(error))
    db.session.commit()
    return _decision(comment)


# Helpers --------------------------------------------------------------------------------------


def _stored(write: Any) -> Any:
    """Run a domain write and commit it; a refusal is a 422 with the domain's message, and
    nothing is kept."""
    try:
        result = write()
    except FeedbackError as error:
        db.session.rollback()
        abort(422, str(error))
    db.session.commit()
    return result


def _sign_as(attribution: str | None) -> None:
    """How the person's reactions are signed, chosen once at the first reaction, as the
    reaction form asks; a 422 while it was never chosen."""
    if attribution:
        current_user.attribution = Attribution(attribution)
    elif current_user.attribution is None:
        abort(
            422,
            _(
                'Choose how your reactions are signed: attribution "full" (name, '
                'function and organisation) or "organisation" (only organisation '
                "and group)."
            ),
        )


def _own(comment_id: int) -> Comment:
    comment = readable_comment(comment_id)
    if comment.author_id != current_user.id or comment.is_deleted:
        abort(403, _("Only its author can change or delete a reaction."))
    return comment


def _top_level(comment_id: int) -> Comment:
    comment = readable_comment(comment_id)
    if comment.parent_id is not None:
        abort(404, _("Replies get no decision; their thread does."))
    return comment


def _page(query: Any, after: int, limit: int) -> dict[str, Any]:
    found = db.session.scalars(
        listed(query.where(Comment.id > after))
        .options(selectinload(Comment.group), selectinload(Comment.question))
        .order_by(Comment.id)
        .limit(limit + 1)
    ).all()
    more = len(found) > limit
    return {
        "items": [shape(c) for c in found[:limit]],
        "next": next_page(found[limit - 1].id if more else None),
    }


def _decision(comment: Comment) -> dict[str, Any]:
    answer = decisions.answer_of(comment)
    duplicate = (
        db.session.get(Comment, comment.duplicate_of_id) if comment.duplicate_of_id else None
    )
    return {
        "reaction": comment.id,
        "reference": comment.reference or "",
        "status": comment.disposition.value,
        "motivation": comment.motivation,
        "duplicate_of": duplicate.reference if duplicate else None,
        "decided_at": comment.decided_at,
        "taken_in_version": comment.taken_in_version.number if comment.taken_in_version else None,
        "revision": comment.disposition_revision,
        "answer": {
            "verdict": answer.verdict.value,
            "body": answer.body,
            "created": answer.created_at,
        }
        if answer
        else None,
    }


def _conflict(comment_id: int) -> Any:
    """409 with the decision that stands, so the client can decide again knowingly."""
    db.session.expire_all()
    comment = _top_level(comment_id)
    standing = DecisionSchema().dump(_decision(comment))
    detail = _(
        "%(reference)s was decided by someone else meanwhile; yours is not saved. The decision "
        'that stands is in "current": check it, and decide again with its revision if needed.',
        reference=comment.reference or "",
    )
    return problem(409, "Conflict", detail, kind="stale-decision", current=standing)


def _token(new: dict[str, Any]) -> str:
    return new.get("client_token") or uuid4().hex


def _location(comment: Comment) -> str:
    return url_for(".reaction", comment_id=comment.id, _external=True)
