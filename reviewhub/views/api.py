"""The JSON API, /api/v1: one more caller of the domain functions and of ``can``. Its
description (OpenAPI 3.1, /api/v1/openapi.json) is generated from these views and schemas by
flask-smorest. A request carries a personal token (``Authorization: Bearer rh_…``) or the
session of the app's own pages; anonymous clients read what anonymous visitors read."""

from __future__ import annotations

from typing import Any

from flask import abort, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import rounds
from ..clock import local_today
from ..extensions import db
from ..feedback.queries import readable_filter
from ..feedback.register import WorkspaceFilter, filter_conditions
from ..models import Comment, CommentKind, Disposition, Document, Section, TokenScope, Version
from ..permissions import Action, can
from .api_schemas import (
    DocumentSchema,
    DocumentSummarySchema,
    ProblemSchema,
    ReactionPageSchema,
    ReactionQuerySchema,
    VersionSchema,
)
from .helpers import signed_name


class _Api(Api):
    ERROR_SCHEMA = ProblemSchema  # what the description promises for errors: problem details


api = _Api()
bp = ApiBlueprint("api", __name__, url_prefix="/api/v1",
                  description="Documents, versions and sections.")  # fmt: skip


@bp.before_request
def _authenticate() -> None:
    """A token that was sent but does not hold is a 401, not an anonymous visit; a token
    needs the read scope for reading. The token's last use is written at once (short)."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        current_user._get_current_object()  # loads the holder (web._load_api_client)
        token = g.get("api_token")
        if token is None:
            abort(401, _("The token is unknown, expired or revoked."))
        if request.method in ("GET", "HEAD") and TokenScope.READ.value not in token.scopes:
            abort(403, _("This token may not read: it lacks the read scope."))
    if db.session.dirty:
        db.session.commit()


@bp.route("/documents")
@bp.response(200, DocumentSummarySchema(many=True))
def documents() -> list[dict[str, Any]]:
    """The documents the client may read, by title."""
    found = db.session.scalars(
        select(Document).options(selectinload(Document.versions)).order_by(Document.title)
    ).all()
    return [_document(d, brief=True) for d in found if can(current_user, Action.READ_DOCUMENT, d)]


@bp.route("/documents/<slug>")
@bp.response(200, DocumentSchema)
def document(slug: str) -> dict[str, Any]:
    """One document with the versions the client may read, newest first."""
    return _document(_readable_document(slug), brief=False)


@bp.route("/documents/<slug>/versions/<int:number>")
@bp.etag
@bp.response(200, VersionSchema)
def version(slug: str, number: int) -> dict[str, Any]:
    """A version with its sections: key (the same in every version), number, heading,
    level, HTML and Markdown. Its text never changes; status and closing date may."""
    found = _readable_version(slug, number)
    sections = db.session.scalars(
        select(Section).where(Section.version_id == found.id).order_by(Section.position)
    ).all()
    return {**_version(found), "document": found.document.slug,
            "change_summary": found.change_summary,
            "sections": [_section(s) for s in sections]}  # fmt: skip


@bp.route("/documents/<slug>/versions/<int:number>/reactions")
@bp.arguments(ReactionQuerySchema, location="query", as_kwargs=True)
@bp.response(200, ReactionPageSchema)
def reactions(slug: str, number: int, after: int, limit: int, **filters: Any) -> dict[str, Any]:
    """The version's reactions the client may read, oldest first, a page at a time, narrowed
    like the review workspace (section, kind, status, group)."""
    found = _readable_version(slug, number)
    criteria = WorkspaceFilter(section_key=filters.get("section"), group_id=filters.get("group"),
                               kind=_enum(CommentKind, filters.get("kind")),
                               disposition=_enum(Disposition, filters.get("status")))  # fmt: skip
    page = db.session.scalars(
        select(Comment)
        .where(Comment.version_id == found.id, Comment.parent_id.is_(None), Comment.id > after,
               readable_filter(current_user, found.document),
               *filter_conditions(found, criteria))
        .options(selectinload(Comment.author), selectinload(Comment.group),
                 selectinload(Comment.section), selectinload(Comment.replies))
        .order_by(Comment.id)
        .limit(limit + 1)
    ).all()  # fmt: skip
    more = len(page) > limit
    items = [_reaction(c) for c in page[:limit]]
    after_last = page[limit - 1].id if more else None
    return {"items": items, "next": _next_page(after_last)}


def _enum(kind: Any, value: str | None) -> Any:
    return kind(value) if value else None


def _next_page(after: int | None) -> str | None:
    if after is None:
        return None
    args = {**request.args.to_dict(), "after": str(after)}
    return url_for(request.endpoint or "", **(request.view_args or {}), **args, _external=True)


def _reaction(c: Comment) -> dict[str, Any]:
    moderator = can(current_user, Action.MODERATE, c.section.version.document)
    shown = not c.is_deleted and (not c.is_hidden or moderator)
    selectors: list[dict[str, Any]] = []
    if c.quote_exact is not None:
        selectors.append(
            {
                "type": "TextQuoteSelector",
                "exact": c.quote_exact,
                "prefix": c.quote_prefix or "",
                "suffix": c.quote_suffix or "",
            }
        )
        if c.quote_start is not None and c.quote_end is not None:
            selectors.append({"type": "TextPositionSelector", "start": c.quote_start,
                              "end": c.quote_end})  # fmt: skip
    version = c.section.version
    section_url = url_for("review.section", slug=version.document.slug, number=version.number,
                          key=c.section.key, _external=True)  # fmt: skip
    return {
        "id": c.id, "reference": c.reference or "",
        "url": url_for("review.permalink", comment_id=c.id, _external=True),
        "section": c.section.key, "kind": c.kind.value if c.kind else None,
        "group": c.group.name if c.group else None, "author": str(signed_name(c.author)),
        "created": c.created_at, "body": c.body if shown else None,
        "proposed_wording": c.proposed_text if shown else None,
        "target": {"source": section_url, "selector": selectors if shown else []},
        "status": c.disposition.value, "motivation": c.motivation,
        "replies": sum(1 for r in c.replies if can(current_user, Action.READ_COMMENT, r)),
        "hidden": c.is_hidden, "withdrawn": c.is_deleted,
    }  # fmt: skip


def _readable_document(slug: str) -> Document:
    """The document, or 404 also when the client may not read it: the API names nothing it
    may not show."""
    found = db.session.scalar(
        select(Document).where(Document.slug == slug).options(selectinload(Document.versions))
    )
    if found is None or not can(current_user, Action.READ_DOCUMENT, found):
        abort(404)
    return found


def _readable_version(slug: str, number: int) -> Version:
    document = _readable_document(slug)
    found = next((v for v in document.versions if v.number == number), None)
    if found is None or not can(current_user, Action.READ_VERSION, found):
        abort(404)
    return found


def _document(doc: Document, *, brief: bool) -> dict[str, Any]:
    readable = [v for v in doc.versions if can(current_user, Action.READ_VERSION, v)]
    current = rounds.current_version(readable)
    data: dict[str, Any] = {
        "slug": doc.slug, "title": doc.title, "description": doc.description,
        "current_version": current.number if current else None,
        "url": url_for(".document", slug=doc.slug, _external=True),
    }  # fmt: skip
    if not brief:
        data["versions"] = [_version(v) for v in sorted(readable, key=lambda v: -v.number)]
    return data


def _version(ver: Version) -> dict[str, Any]:
    return {
        "number": ver.number, "label": ver.label,
        "status": ver.effective_status(local_today()).value, "closes_on": ver.closes_on,
        "published_at": ver.published_at,
        "url": url_for(".version", slug=ver.document.slug, number=ver.number, _external=True),
    }  # fmt: skip


def _section(section: Section) -> dict[str, Any]:
    return {"key": section.key, "number": section.number, "heading": section.heading,
            "level": section.level, "html": section.html, "markdown": section.body}  # fmt: skip
