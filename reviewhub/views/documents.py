"""Reading documents and versions, and the author's publish form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import (
    Blueprint,
    Response,
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
from flask_wtf.file import FileField
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from .. import accounts
from ..extensions import db
from ..labels import VERSION_STATUS, VISIBILITY
from ..models import Document, Section, Version, VersionStatus, Visibility
from ..permissions import Action, can
from ..publishing import (
    PublishError,
    VersionMeta,
    create_document,
    decode_source,
    decode_upload,
    previous_version,
    publish_version,
    removed_sections,
    update_settings,
)
from .helpers import CheckboxesField, Form, keeps_input, options, require
from .loading import load_document, load_version
from .pagecache import conditional_page
from .reactions import counted_text, feedback_context
from .textcache import version_text

bp = Blueprint("documents", __name__, url_prefix="/documents")

NEW_DOCUMENT = "__new__"


@bp.get("/")
def index() -> str:
    documents = db.session.scalars(
        select(Document)
        .options(selectinload(Document.versions), selectinload(Document.groups))
        .order_by(Document.title)
    ).all()
    listed = [
        (doc, [v for v in doc.versions if can(current_user, Action.READ_VERSION, v)])
        for doc in documents
        if can(current_user, Action.READ_DOCUMENT, doc)
    ]
    return render_template("documents/index.html", documents=listed)


@bp.get("/<slug>")
def document(slug: str) -> Any:
    doc = load_document(slug)
    require(Action.READ_DOCUMENT, doc)
    versions = [v for v in reversed(doc.versions) if can(current_user, Action.READ_VERSION, v)]
    return render_template("documents/document.html", document=doc, versions=versions)


class SettingsForm(Form):
    visibility = RadioField(_l("Who may read this document"))
    groups = CheckboxesField(_l("Groups with access"), coerce=int)
    owner = SelectField(_l("Owner (author who publishes its versions)"), coerce=int)


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@login_required
@keeps_input
def settings(slug: str) -> Any:
    doc = load_document(slug)
    require(Action.MANAGE_DOCUMENT, doc)
    form = SettingsForm(obj=doc)
    form.visibility.choices = options((v.value, label) for v, label in VISIBILITY.items())
    form.groups.choices = options((g.id, g.name) for g in accounts.active_groups(db.session))
    if can(current_user, Action.ASSIGN_OWNER, doc):
        form.owner.choices = options(
            [(0, _("Nobody (administrators only)"))]
            + [
                (p.id, p.name)
                for p in db.session.scalars(accounts.people_query())
                if p.active and can(p, Action.OWN_DOCUMENTS)
            ]
        )
    else:
        del form.owner
    if request.method == "GET":
        form.visibility.data = doc.visibility.value
        form.groups.data = [g.id for g in doc.groups]
        if "owner" in form:
            form.owner.data = doc.owner_id or 0
    if form.validate_on_submit():
        owner_id = (form.owner.data or None) if "owner" in form else doc.owner_id
        try:
            update_settings(
                db.session, current_user, doc, visibility=Visibility(form.visibility.data),
                group_ids=form.groups.data or [], owner_id=owner_id,
            )  # fmt: skip
        except PublishError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The settings of this document are saved."), "success")
            return redirect(url_for(".document", slug=doc.slug))
    return render_template("documents/settings.html", form=form, document=doc), (
        400 if form.errors or form.form_errors else 200
    )


@bp.get("/<slug>/v/<int:number>")
def version(slug: str, number: int) -> Response:
    """The text, the counts of reactions per section and one form; the threads load per
    section (review.threads). The text is rendered once per version and language, the counts
    once per feedback revision and reading scope, and an unchanged page is answered with 304."""
    ver = load_version(slug, number)
    doc = ver.document
    feedback = feedback_context(ver)
    previous = previous_version(db.session, ver)
    parts = ("version", ver.id, ver.published_at, ver.feedback_revision, ver.status,
             ver.closes_on, ver.label, ver.change_summary, doc.title, doc.visibility,
             [(v.id, v.status, v.label) for v in doc.versions], previous and previous.id,
             feedback["reading"])  # fmt: skip

    def render() -> bytes:
        text = version_text(ver, lambda: _text_context(ver), _section_title)
        counted = counted_text(ver, text, feedback)
        page = render_template(
            "documents/version.html", document=doc, version=ver, previous=previous,
            version_text=_TEXT_SPOT, counts=counted.any_reactions,
            filter_groups=counted.summary.groups(), removed=counted.summary.removed, **feedback,
        )  # fmt: skip
        # The text (most of the page) goes in as the bytes it was kept as: through Jinja it
        # was copied several times and encoded on every request.
        before, _spot, after = page.partition(_TEXT_SPOT)
        return b"".join((before.encode(), counted.html, after.encode()))

    return conditional_page(parts, render)


# Where the version's text goes in the rendered page (no section can write an HTML comment).
_TEXT_SPOT = Markup("<!--rh:version-text-->")


def _text_context(ver: Version) -> dict[str, Any]:
    """What documents/_version_text.html needs: the sections, the contents, removed ones."""
    sections = db.session.scalars(
        select(Section)
        .where(Section.version_id == ver.id)
        .options(selectinload(Section.predecessor))
        .order_by(Section.position)
    ).all()
    return {
        "document": ver.document,
        "version": ver,
        "sections": sections,
        "removed": removed_sections(db.session, ver),
        "toc": _toc(sections),
    }


def _section_title(section: Section) -> str:
    """A section as screen readers hear it after a link's words: number and heading."""
    return f"{section.number} {section.heading or _('Opening text')}"


@bp.get("/<slug>/v/<int:number>/source.md")
def version_source(slug: str, number: int) -> BaseResponse:
    ver = load_version(slug, number)
    filename = f"{ver.document.slug}-v{ver.number}.md"
    response = Response(
        ver.source,
        mimetype="text/markdown",  # Flask adds the charset to a text type
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    # A version's source never changes after publication: its hash is its ETag.
    response.set_etag(ver.source_hash)
    response.last_modified = ver.published_at
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


class PublishForm(Form):
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
    require(Action.CREATE_DOCUMENT)
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
    documents = db.session.scalars(select(Document).order_by(Document.title))
    form.document.choices = options(
        [(d.slug, d.title) for d in documents if can(current_user, Action.PUBLISH, d)]
        + [(NEW_DOCUMENT, _("A new document…"))]
    )
    form.status.choices = options(
        [("", _("As in the file's header (else draft)"))]
        + [(status.value, label) for status, label in VERSION_STATUS.items()]
    )
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
        document = create_document(
            db.session, form.new_slug.data, form.new_title.data, owner=current_user
        )
    else:
        document = load_document(form.document.data or "")
        if not can(current_user, Action.PUBLISH, document):
            raise PublishError(_("You may not publish versions of this document."))
    meta = VersionMeta(
        label=form.label.data or None,
        status=VersionStatus(form.status.data) if form.status.data else None,
        closes_on=form.closes_on.data,
        summary=form.summary.data or None,
    )
    return publish_version(
        db.session, document, source, meta, publisher=current_user,
        max_sections=current_app.config["MAX_SECTIONS"],
    )  # fmt: skip


def _toc(sections: Sequence[Section]) -> list[dict[str, Any]]:
    """Nest the sections for the table of contents."""
    roots: list[dict[str, Any]] = []
    nodes: dict[int, dict[str, Any]] = {}
    for section in sections:
        node = {"section": section, "children": []}
        nodes[section.id] = node
        parent = nodes.get(section.parent_id) if section.parent_id else None
        (parent["children"] if parent else roots).append(node)
    return roots
