"""What every part of the JSON API shares: the ``Api`` that describes it, the way its
blueprints are made (authentication, scopes, CSRF, rate limits and body rules checked before
any view runs), and the readers and shapes its views have in common.

A request carries a personal token (``Authorization: Bearer rh_…``) or the session of the
app's own pages; anonymous clients read what anonymous visitors read. Writes by session need
the CSRF token in an ``X-CSRFToken`` header, as the pages' forms do; writes by token need
none (a token is not sent by a browser on its own)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import TooManyRequests

from ..extensions import csrf, db
from ..feedback.register import WorkspaceFilter
from ..models import ApiToken, Comment, CommentKind, Disposition, Document, TokenScope, Version
from ..permissions import Action, can
from ..text.selectors import passage_selectors
from .api_schemas import ProblemSchema
from .helpers import signed_name
from .throttle import API_CALLS, API_CALLS_ANONYMOUS

PREFIX = "/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
View = TypeVar("View", bound=Callable[..., Any])


class _Api(Api):
    ERROR_SCHEMA = ProblemSchema  # what the description promises for errors: problem details

    def _register_responses(self) -> None:
        """The error responses, described as what they are: application/problem+json."""
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE


api = _Api()


def blueprint(name: str, import_name: str, description: str) -> ApiBlueprint:
    """A part of the API under /api/v1, its requests checked by ``_before_any_view``."""
    made = ApiBlueprint(name, import_name, url_prefix=PREFIX, description=description)
    made.before_request(_before_any_view)
    csrf.exempt(made)  # checked in _before_any_view, for session writes only
    return made


def _before_any_view() -> None:
    """A token that was sent but does not hold is a 401, not an anonymous visit; reading
    needs the read scope. Then the rate limit, CSRF for session writes, and a JSON body for
    writes that send one. The token's last use is written at once (a short transaction)."""
    token = _sent_token()
    reading = request.method in SAFE_METHODS
    if token is not None and reading and TokenScope.READ.value not in token.scopes:
        abort(403, _("This token may not read: it lacks the read scope."))
    _count_the_call(token)
    if not reading:
        if token is None and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()  # a 400 problem without the X-CSRFToken header
        if request.content_length:
            _check_the_body()
    if db.session.dirty:
        db.session.commit()


def _check_the_body() -> None:
    """JSON (415 otherwise) that parses (400). Its size was checked as it was read (413),
    NUL characters before any view (errors._refuse_nul)."""
    if request.mimetype != JSON:
        abort(415, _("Send the body as application/json."))
    if request.get_json(silent=True) is None:
        abort(400, _("The body is not valid JSON."))


def _sent_token() -> ApiToken | None:
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    current_user._get_current_object()  # loads the holder (web._load_api_client)
    token: ApiToken | None = g.get("api_token")
    if token is None:
        abort(401, _("The token is unknown, expired or revoked."))
    return token


def _count_the_call(token: ApiToken | None) -> None:
    """Per token; per person for the app's own pages; per address for anonymous clients. In
    the rate limiter's store, shared between workers like the log-in limits."""
    if token is not None:
        counter, key = API_CALLS, f"token-{token.id}"
    elif current_user.is_authenticated:
        counter, key = API_CALLS, f"person-{current_user.id}"
    else:
        counter, key = API_CALLS_ANONYMOUS, request.remote_addr or "unknown"
    if counter.exceeded(key):
        wait = counter.seconds_left(key)
        message = _("Too many requests; try again in %(seconds)d seconds.", seconds=wait)
        raise TooManyRequests(message, retry_after=wait)
    counter.count(key)


def requires(scope: TokenScope) -> Callable[[View], View]:
    """The view is for someone logged in (401), and a token needs ``scope`` (403)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401, _("Send a personal API token (Authorization: Bearer …)."))
            token: ApiToken | None = g.get("api_token")
            if token is not None and scope.value not in token.scopes:
                abort(403, _("This token lacks the %(scope)s scope.", scope=scope.value))
            return view(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate


# Reading --------------------------------------------------------------------------------------


def readable_document(slug: str) -> Document:
    """The document, or 404 also when the client may not read it: the API names nothing it
    may not show."""
    found = db.session.scalar(
        select(Document).where(Document.slug == slug).options(selectinload(Document.versions))
    )
    if found is None or not can(current_user, Action.READ_DOCUMENT, found):
        abort(404)
    return found


def readable_version(slug: str, number: int) -> Version:
    document = readable_document(slug)
    found = next((v for v in document.versions if v.number == number), None)
    if found is None or not can(current_user, Action.READ_VERSION, found):
        abort(404)
    return found


def readable_comment(comment_id: int) -> Comment:
    """A reaction or reply the client may read (404 otherwise, whatever the reason)."""
    found = db.session.get(Comment, comment_id)
    if found is None or not can(current_user, Action.READ_COMMENT, found):
        abort(404)
    return found


def next_page(after: int | None) -> str | None:
    """The address of the page after the item ``after``, with the same filters; None at the
    end."""
    if after is None:
        return None
    args = {**request.args.to_dict(), "after": str(after)}
    return url_for(request.endpoint or "", **(request.view_args or {}), **args, _external=True)


def enum_or_none(kind: Any, value: str | None) -> Any:
    return kind(value) if value else None


def workspace_criteria(filters: dict[str, Any]) -> WorkspaceFilter:
    """The review workspace's filters from a query's section, group, kind and status."""
    return WorkspaceFilter(
        section_key=filters.get("section"),
        group_id=filters.get("group"),
        kind=enum_or_none(CommentKind, filters.get("kind")),
        disposition=enum_or_none(Disposition, filters.get("status")),
        question_id=filters.get("question"),
    )


# Shapes ---------------------------------------------------------------------------------------


def reaction(c: Comment) -> dict[str, Any]:
    """A reaction or reply as the API shows it (ReactionSchema)."""
    moderator = can(current_user, Action.MODERATE, c.section.version.document)
    shown = not c.is_deleted and (not c.is_hidden or moderator)
    version = c.section.version
    section_url = url_for(
        "review.section",
        slug=version.document.slug,
        number=version.number,
        key=c.section.key,
        _external=True,
    )
    return {
        "id": c.id,
        "reference": c.reference or "",
        "url": url_for("review.permalink", comment_id=c.id, _external=True),
        "api_url": url_for("api_feedback.reaction", comment_id=c.id, _external=True),
        "document": version.document.slug,
        "version": version.number,
        "section": c.section.key,
        "kind": c.kind.value if c.kind else None,
        "in_reply_to": c.parent_id,
        "question": {"id": c.question.id, "text": c.question.text} if c.question else None,
        "group": c.group.name if c.group else None,
        "author": str(signed_name(c.author)),
        "created": c.created_at,
        "edited": c.edited_at,
        "body": c.body if shown else None,
        "proposed_wording": c.proposed_text if shown else None,
        "target": {"source": section_url, "selector": selectors(c) if shown else []},
        "status": c.disposition.value,
        "motivation": c.motivation,
        "replies": sum(1 for r in c.replies if can(current_user, Action.READ_COMMENT, r)),
        "hidden": c.is_hidden,
        "withdrawn": c.is_deleted,
        "mine": current_user.is_authenticated and c.author_id == current_user.id,
    }


def selectors(c: Comment) -> list[dict[str, Any]]:
    return passage_selectors(c.quote_exact, c.quote_prefix, c.quote_suffix, c.quote_start,
                             c.quote_end)  # fmt: skip
