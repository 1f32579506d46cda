"""The JSON API's documents, versions and a version's reactions, /api/v1: one more caller of
the domain functions and of ``can``. Its description (OpenAPI 3.1, /api/v1/openapi.json) is
generated from these views and schemas by flask-smorest; what all parts share (authentication,
rate limits, the shapes of reactions) is in api_common."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_login import current_user
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import rounds
from ..clock import local_today
from ..extensions import db
from ..feedback import questions as feedback_questions
from ..feedback.queries import readable_filter
from ..feedback.register import filter_conditions
from ..models import Comment, Document, Section, Version
from ..permissions import Action, can
from ..search import Hit, Kind, search
from .api_common import (
    blueprint,
    next_page,
    reaction,
    readable_document,
    readable_version,
    workspace_criteria,
)
from .api_schemas import (
    DocumentSchema,
    DocumentSummarySchema,
    QuestionSchema,
    ReactionPageSchema,
    ReactionQuerySchema,
    SearchPageSchema,
    SearchQuerySchema,
    VersionSchema,
)

bp = blueprint("api", __name__, "Documents, versions and sections.")


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
    return _document(readable_document(slug), brief=False)


@bp.route("/documents/<slug>/versions/<int:number>")
@bp.etag
@bp.response(200, VersionSchema)
def version(slug: str, number: int) -> dict[str, Any]:
    """A version with its sections: key (the same in every version), number, heading,
    level, HTML and Markdown. Its text never changes; status and closing date may."""
    found = readable_version(slug, number)
    sections = db.session.scalars(
        select(Section).where(Section.version_id == found.id).order_by(Section.position)
    ).all()
    return {
        **_version(found),
        "document": found.document.slug,
        "change_summary": found.change_summary,
        "sections": [_section(s) for s in sections],
    }


@bp.route("/documents/<slug>/versions/<int:number>/reactions")
@bp.arguments(ReactionQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@bp.response(200, ReactionPageSchema)
def reactions(slug: str, number: int, after: int, limit: int, **filters: Any) -> dict[str, Any]:
    """The version's reactions the client may read, oldest first, a page at a time, narrowed
    like the review workspace (section, kind, status, group, question)."""
    found = readable_version(slug, number)
    criteria = workspace_criteria(filters)
    page = db.session.scalars(
        select(Comment)
        .where(
            Comment.version_id == found.id,
            Comment.parent_id.is_(None),
            Comment.id > after,
            readable_filter(current_user, found.document),
            *filter_conditions(found, criteria),
        )
        .options(
            selectinload(Comment.author),
            selectinload(Comment.group),
            selectinload(Comment.section),
            selectinload(Comment.replies),
            selectinload(Comment.question),
        )
        .order_by(Comment.id)
        .limit(limit + 1)
    ).all()
    more = len(page) > limit
    items = [reaction(c) for c in page[:limit]]
    after_last = page[limit - 1].id if more else None
    return {"items": items, "next": next_page(after_last)}


@bp.route("/search")
@bp.arguments(SearchQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@bp.response(200, SearchPageSchema)
def search_everything(
    q: str, kind: list[str], page: int, document: str | None = None, version: int | None = None
) -> dict[str, Any]:
    """What the client may read that holds the words (a phrase between double quotes) of
    ``q``: document titles, versions, sections, reactions and replies, 20 a page in the
    order of the search page (by document, version newest first, then the text's order),
    counted up to 1,000. A document or version the client may not read is a 404."""
    in_document = readable_document(document) if document else None
    in_version = readable_version(document, version) if document and version else None
    results = search(db.session, current_user, q, document=in_document, version=in_version,
                     kinds=[Kind(k) for k in kind], page=page)  # fmt: skip
    following = page + 1 if page < results.pages else None
    return {
        "total": results.total,
        "more": results.more,
        "items": [_hit(hit) for hit in results.hits],
        "next": next_search_page(following),
    }


def next_search_page(page: int | None) -> str | None:
    if page is None:
        return None
    args: dict[str, Any] = {**request.args.to_dict(flat=False), "page": str(page)}
    return url_for(".search_everything", **args, _external=True)


def _hit(hit: Hit) -> dict[str, Any]:
    comment, section, version = hit.comment, hit.section, hit.version
    if comment is not None:
        url = url_for("review.permalink", comment_id=comment.id, _external=True)
    elif section is not None and version is not None:
        url = url_for("documents.version", slug=hit.document.slug, number=version.number,
                      _anchor=f"s-{section.key}", _external=True)  # fmt: skip
    elif version is not None:
        url = url_for("documents.version", slug=hit.document.slug, number=version.number,
                      _external=True)  # fmt: skip
    else:
        url = url_for("documents.document", slug=hit.document.slug, _external=True)
    return {
        "kind": hit.kind.value,
        "document": hit.document.slug,
        "version": version.number if version else None,
        "section": section.key if section else None,
        "reaction": comment.id if comment else None,
        "title": (comment.reference or "") if comment else hit.title,
        "snippet_html": str(hit.snippet),
        "url": url,
    }


@bp.route("/documents/<slug>/versions/<int:number>/questions")
@bp.response(200, QuestionSchema(many=True))
def questions(slug: str, number: int) -> list[dict[str, Any]]:
    """The version's consultation questions in their order, each with the section it is
    about (none: the whole version) and the number of its answers the client may read.
    A reaction answers one with ``question_id``."""
    found = readable_version(slug, number)
    asked = feedback_questions.questions_of(db.session, found)
    counts = feedback_questions.answer_counts(db.session, found, current_user)
    about = sorted({q.section_id for q in asked if q.section_id is not None})
    keys = {
        section_id: key
        for section_id, key in db.session.execute(
            select(Section.id, Section.key).where(Section.id.in_(about))
        )
    }
    return [
        {"id": q.id, "text": q.text, "section": keys.get(q.section_id) if q.section_id else None,
         "answers": counts.get(q.id, 0)}
        for q in asked
    ]  # fmt: skip


def _document(doc: Document, *, brief: bool) -> dict[str, Any]:
    readable = [v for v in doc.versions if can(current_user, Action.READ_VERSION, v)]
    current = rounds.current_version(readable)
    data: dict[str, Any] = {
        "slug": doc.slug,
        "title": doc.title,
        "description": doc.description,
        "current_version": current.number if current else None,
        "url": url_for(".document", slug=doc.slug, _external=True),
    }
    if not brief:
        data["versions"] = [_version(v) for v in sorted(readable, key=lambda v: -v.number)]
    return data


def _version(ver: Version) -> dict[str, Any]:
    return {
        "number": ver.number,
        "label": ver.label,
        "status": ver.effective_status(local_today()).value,
        "closes_on": ver.closes_on,
        "published_at": ver.published_at,
        "url": url_for(".version", slug=ver.document.slug, number=ver.number, _external=True),
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "number": section.number,
        "heading": section.heading,
        "level": section.level,
        "html": section.html,
        "markdown": section.body,
    }
