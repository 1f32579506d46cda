"""Comparing versions: the compare page and its downloads, and one section's history."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from ..compare.docx import comparison_docx
from ..compare.page import standalone_html, template_helpers
from ..compare.versions import compare_versions, section_history, stored_html
from ..extensions import db
from ..feedback.trail import section_trail
from ..models import Document, Version
from ..permissions import Action, can
from .helpers import deny, int_arg, require
from .pagecache import conditional_page

bp = Blueprint("compare", __name__, url_prefix="/documents")

VIEWS = {
    "inline": _l("Text with changes marked"),
    "side": _l("Side by side"),
    "source": _l("Markdown source"),
}
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/<slug>/compare")
def choose(slug: str) -> BaseResponse:
    """Target of the "compare with" form on a version page: a plain GET form, no script."""
    first, second = int_arg("from"), int_arg("with")
    if first is None or second is None:  # the address typed without the form's choices
        flash(_l("Choose the two versions to compare."), "error")
        return redirect(url_for("documents.document", slug=slug))
    return redirect(url_for(".compare", slug=slug, a=min(first, second), b=max(first, second)))


@bp.get("/<slug>/compare/<int:a>...<int:b>")
def compare(slug: str, a: int, b: int) -> BaseResponse | str:
    view = request.args.get("view", "inline")
    if view not in VIEWS:
        view = "inline"
    if a > b:  # always older to newer: what was added is then shown as added
        return redirect(url_for(".compare", slug=slug, a=b, b=a, view=view))
    old, new = _versions_or_404(slug, a, b)
    document = old.document
    # Two versions' texts never change; their labels, statuses and the document's can.
    versions = [(v.id, v.published_at, v.label, v.status, v.closes_on) for v in (old, new)]
    parts = ("compare", document.title, view, *versions)

    def render() -> bytes:
        comparison = compare_versions(db.session, old, new)
        page = render_template(
            "compare/compare.html", document=document, old=old, new=new,
            comparison=comparison, html=stored_html(db.session, comparison.changes),
            view=view, views=VIEWS, standalone=False, **template_helpers(),
        )  # fmt: skip
        return page.encode()

    return conditional_page(parts, render, last_modified=max(old.published_at, new.published_at))


@bp.get("/<slug>/compare/<int:a>...<int:b>/export.<fmt>")
def export(slug: str, a: int, b: int, fmt: str) -> BaseResponse:
    if fmt not in ("html", "docx"):
        abort(404)
    if a > b:
        return redirect(url_for(".export", slug=slug, a=b, b=a, fmt=fmt))
    old, new = _versions_or_404(slug, a, b)
    comparison = compare_versions(db.session, old, new)
    filename = f"{slug}-v{old.number}-v{new.number}-wijzigingen.{fmt}"
    if fmt == "docx":
        body: bytes | str = comparison_docx(comparison, old, new)
        mimetype = DOCX_MIMETYPE
    else:
        body = standalone_html(comparison, old, new, stored_html(db.session, comparison.changes))
        mimetype = "text/html"  # Flask adds the charset to a text type
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<slug>/sections/<key>/history")
def history(slug: str, key: str) -> str:
    document = db.session.scalar(
        select(Document).where(Document.slug == slug).options(selectinload(Document.versions))
    )
    if document is None:
        abort(404)
    require(Action.READ_DOCUMENT, document)
    readable = [v for v in document.versions if can(current_user, Action.READ_VERSION, v)]
    steps = section_history(db.session, document, key, readable)
    if not steps:
        abort(404)
    present = [step for step in steps if step.change.new is not None]
    made, taken_in = section_trail(
        db.session, current_user, document,
        [step.change.new.id for step in present],  # type: ignore[union-attr]
        [(step.version.id, step.change.new.key) for step in present],  # type: ignore[union-attr]
    )  # fmt: skip
    return render_template(
        "compare/history.html",
        document=document,
        key=key,
        steps=steps,
        made=made,
        taken_in=taken_in,
        html=stored_html(db.session, [step.change for step in steps]),
        **template_helpers(),
    )


def _versions_or_404(slug: str, *numbers: int) -> list[Version]:
    """The versions of the document with these numbers; 404 if one is missing, refused (see
    ``deny``) if one may not be read."""
    found = db.session.scalars(
        select(Version).join(Document).where(Document.slug == slug, Version.number.in_(numbers))
    ).all()
    by_number = {version.number: version for version in found}
    if any(number not in by_number for number in numbers):
        abort(404)
    if not all(can(current_user, Action.READ_VERSION, version) for version in found):
        deny()
    return [by_number[number] for number in numbers]
