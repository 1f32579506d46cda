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

from ..clock import local_today
from ..extensions import db
from ..models import Document, Section, TokenScope, Version
from ..permissions import Action, can
from .api_schemas import DocumentSchema, DocumentSummarySchema, ProblemSchema, VersionSchema


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
    public = [v for v in readable if v.status.value != "draft"]
    current = max(public, key=lambda v: v.number, default=None)
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
