"""Reading documents and versions, and the author's publish form."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..extensions import db
from ..labels import VERSION_STATUS
from ..models import Document, Section, Version, VersionStatus
from ..permissions import Action, can
from ..publishing import (
    PublishError,
    VersionMeta,
    decode_source,
    decode_upload,
    get_or_create_document,
    publish_version,
    removed_sections,
)
from ..web import keeps_input

bp = Blueprint("documents", __name__, url_prefix="/documents")

NEW_DOCUMENT = "__new__"


@bp.get("/")
def index() -> str:
    documents = db.session.scalars(
        select(Document).options(selectinload(Document.versions)).order_by(Document.title)
    ).all()
    return render_template("documents/index.html", documents=documents)


@bp.get("/<slug>")
def document(slug: str) -> str:
    doc = _document_or_404(slug)
    versions = [v for v in reversed(doc.versions) if can(current_user, Action.READ_VERSION, v)]
    return render_template("documents/document.html", document=doc, versions=versions)


@bp.get("/<slug>/v/<int:number>")
def version(slug: str, number: int) -> str:
    ver = _version_or_404(slug, number)
    sections = db.session.scalars(
        select(Section)
        .where(Section.version_id == ver.id)
        .options(selectinload(Section.predecessor))
        .order_by(Section.position)
    ).all()
    return render_template(
        "documents/version.html",
        document=ver.document,
        version=ver,
        sections=sections,
        removed=removed_sections(db.session, ver),
        toc=_toc(sections),
    )


@bp.get("/<slug>/v/<int:number>/source.md")
def version_source(slug: str, number: int) -> Response:
    ver = _version_or_404(slug, number)
    filename = f"{ver.document.slug}-v{ver.number}.md"
    return Response(
        ver.source,
        mimetype="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class PublishForm(FlaskForm):
    document = SelectField(_l("Document"), validate_choice=False)
    new_slug = StringField(
        _l("Short name for the web address"),
        validators=[Optional(), Length(max=100)],
        description=_l("Lowercase letters, digits and hyphens, such as handelingskader-2027."),
    )
    new_title = StringField(_l("Title of the new document"), validators=[Length(max=300)])
    source_file = FileField(
        _l("Markdown file"), description=_l("A .md file, UTF-8, at most %(kb)s KB.")
    )
    source_text = TextAreaField(_l("Or paste the Markdown text"))
    label = StringField(
        _l("Label"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example 'Dialoogversie 2'. Empty: taken from the file's header."),
    )
    status = SelectField(_l("Status"), validate_choice=False)
    closes_on = DateField(
        _l("Feedback closes on"),
        validators=[Optional()],
        description=_l("Needed when the version is open for feedback."),
    )
    summary = TextAreaField(
        _l("What changed in this version"),
        validators=[Length(max=20000)],
        description=_l("Markdown. Empty: taken from the file's header."),
    )


@bp.route("/publish", methods=["GET", "POST"])
@login_required
@keeps_input
def publish() -> Any:
    if not can(current_user, Action.PUBLISH):
        abort(403)
    form = _publish_form()
    if form.validate_on_submit():
        try:
            ver = _publish_from_form(form)
        except PublishError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "%(label)s is published as version %(number)d.",
                    label=ver.label,
                    number=ver.number,
                ),
                "success",
            )
            return redirect(url_for(".version", slug=ver.document.slug, number=ver.number))
    status_code = 400 if request.method == "POST" else 200
    return render_template(
        "documents/publish.html", form=form, stale=g.get("stale_form", False)
    ), status_code


def _publish_form() -> PublishForm:
    form = PublishForm()
    documents = db.session.execute(select(Document.slug, Document.title).order_by(Document.title))
    form.document.choices = [(slug, title) for slug, title in documents] + [
        (NEW_DOCUMENT, _("A new document…"))
    ]
    form.status.choices = [("", _("As in the file's header (else draft)"))] + [
        (status.value, str(label)) for status, label in VERSION_STATUS.items()
    ]
    if request.method == "GET" and request.args.get("document"):
        form.document.data = request.args["document"]
    form.source_file.description = form.source_file.description % {
        "kb": current_app.config["MAX_SOURCE_BYTES"] // 1024
    }
    return form


def _publish_from_form(form: PublishForm) -> Version:
    limit = current_app.config["MAX_SOURCE_BYTES"]
    upload = form.source_file.data
    pasted = (form.source_text.data or "").strip()
    if upload and upload.filename and pasted:
        raise PublishError(_("Upload a file or paste the text, not both."))
    if upload and upload.filename:
        source = decode_upload(upload.filename, upload.read(limit + 1), limit)
    elif pasted:
        source = decode_source(pasted.encode(), limit)
    else:
        raise PublishError(_("Choose a Markdown file or paste the text."))
    if form.document.data == NEW_DOCUMENT:
        if not form.new_slug.data:
            raise PublishError(_("Give the new document a short name for its web address."))
        document = get_or_create_document(db.session, form.new_slug.data, form.new_title.data)
    else:
        document = _document_or_404(form.document.data or "")
    meta = VersionMeta(
        label=form.label.data or None,
        status=VersionStatus(form.status.data) if form.status.data else None,
        closes_on=form.closes_on.data,
        summary=form.summary.data or None,
    )
    return publish_version(db.session, document, source, meta, publisher=current_user)


def _document_or_404(slug: str) -> Document:
    doc = db.session.scalar(
        select(Document).where(Document.slug == slug).options(selectinload(Document.versions))
    )
    if doc is None:
        abort(404)
    return doc


def _version_or_404(slug: str, number: int) -> Version:
    ver = db.session.scalar(
        select(Version).join(Document).where(Document.slug == slug, Version.number == number)
    )
    if ver is None:
        abort(404)
    if not can(current_user, Action.READ_VERSION, ver):
        abort(403 if current_user.is_authenticated else 404)
    return ver


def _toc(sections: list[Section]) -> list[dict[str, Any]]:
    """Nest the sections for the table of contents."""
    roots: list[dict[str, Any]] = []
    nodes: dict[int, dict[str, Any]] = {}
    for section in sections:
        node = {"section": section, "children": []}
        nodes[section.id] = node
        parent = nodes.get(section.parent_id) if section.parent_id else None
        (parent["children"] if parent else roots).append(node)
    return roots
