"""Atom feeds (RFC 4287), for people who follow a consultation in a feed reader rather than on
the site: a document's versions, each with its change summary and a link to what changed, and
the latest decisions on a version's reactions. A feed reader has no log-in: a feed holds what
the visitor may read, for most readers what everyone may."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, render_template
from flask_login import current_user

from ..extensions import db
from ..feedback.queries import latest_decisions
from ..models import Comment, Version, VersionStatus
from ..permissions import Action, can
from .helpers import require
from .loading import load_document, load_version

bp = Blueprint("feeds", __name__, url_prefix="/documents")
ATOM = "application/atom+xml"


@bp.get("/<slug>/versions.atom")
def versions(slug: str) -> Response:
    document = load_document(slug)
    require(Action.READ_DOCUMENT, document)
    published = [v for v in reversed(document.versions) if _public(v)]
    earlier = {v.id: e for v, e in zip(published, [*published[1:], None], strict=True)}
    updated = max((v.published_at for v in published), default=document.created_at)
    body = render_template(
        "feeds/versions.xml",
        document=document,
        versions=published,
        earlier=earlier,
        updated=updated,
    )
    return _atom(body)


@bp.get("/<slug>/v/<int:number>/decisions.atom")
def decisions(slug: str, number: int) -> Response:
    version = load_version(slug, number)
    decided: list[Comment] = list(db.session.scalars(latest_decisions(current_user, version)))
    updated = decided[0].decided_at if decided else version.published_at
    body = render_template(
        "feeds/decisions.xml",
        version=version,
        document=version.document,
        decided=decided,
        updated=updated,
    )
    return _atom(body)


def _public(version: Version) -> bool:
    """Published (no draft) and readable by the visitor."""
    return version.status is not VersionStatus.DRAFT and can(
        current_user, Action.READ_VERSION, version
    )


def _atom(body: str) -> Response:
    response = Response(body, mimetype=ATOM)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _aware(moment: datetime | None) -> datetime:
    """Stored times are UTC, without a zone on SQLite; Atom wants one."""
    moment = moment or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.app_template_filter("atom_time")
def atom_time(moment: datetime | None) -> str:
    return _aware(moment).isoformat()
