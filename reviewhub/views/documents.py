"""Reading documents and versions, and the author's publish form."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
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
    send_file,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from .. import accounts, rounds
from ..clock import local_today
from ..exports.pdf_version import write_version_pdf
from ..extensions import db
from ..labels import VERSION_STATUS, VISIBILITY
from ..models import Document, Section, Version, VersionStatus, Visibility
from ..permissions import Action, can
from ..publishing import (
    PublicationPreview,
    PublishError,
    VersionMeta,
    check_new_slug,
    create_document,
    decode_source,
    decode_upload,
    preview_version,
    previous_version,
    publish_version,
    removed_sections,
    update_settings,
)
from ..rounds import RoundRefused
from .helpers import CheckboxesField, Form, keeps_input, options, require
from .loading import load_document, load_version
from .pagecache import conditional_page
from .reactions import counted_text, feedback_context
from .textcache import version_text
from .waiting import WaitingFiles

bp = Blueprint("documents", __name__, url_prefix="/documents")

NEW_DOCUMENT = "__new__"


@bp.get("/")
def index() -> str:
    documents = db.session.scalars(
        select(Document)
        .options(selectinload(Document.versions), selectinload(Document.groups))
        .order_by(Document.title)
    ).all()
    listed = []
    for doc in documents:
        if not can(current_user, Action.READ_DOCUMENT, doc):
            continue
        readable = [v for v in doc.versions if can(current_user, Action.READ_VERSION, v)]
        # A document with nothing to open yet is listed only for those who publish it.
        if readable or can(current_user, Action.PUBLISH, doc):
            listed.append(
                (doc, readable, rounds.current_version(readable), rounds.open_round(readable))
            )
    return render_template("documents/index.html", documents=listed)


@bp.get("/<slug>")
def document(slug: str) -> Any:
    doc = load_document(slug)
    require(Action.READ_DOCUMENT, doc)
    versions = [v for v in reversed(doc.versions) if can(current_user, Action.READ_VERSION, v)]
    events = rounds.round_events(db.session, versions)
    return render_template("documents/document.html", document=doc, versions=versions,
                           events=events, current=rounds.current_version(versions))  # fmt: skip


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
    latest = rounds.current_version(doc.versions)
    newer = latest if latest and latest.number > ver.number else None
    parts = ("version", ver.id, ver.published_at, ver.feedback_revision, ver.status,
             ver.closes_on, ver.label, ver.change_summary, doc.title, doc.visibility,
             [(v.id, v.status, v.label) for v in doc.versions], previous and previous.id,
             feedback["reading"])  # fmt: skip

    def render() -> bytes:
        text = version_text(ver, lambda: _text_context(ver), _section_title)
        counted = counted_text(ver, text, feedback)
        page = render_template(
            "documents/version.html", document=doc, version=ver, previous=previous, newer=newer,
            version_text=_TEXT_SPOT, counts=counted.any_reactions,
            filter_groups=counted.summary.groups(), removed=counted.summary.removed,
            first_key=next((s.key for s in text.sections.values()), None), **feedback,
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


class RoundDateForm(Form):
    closes_on = DateField(
        _l("Closing date"),
        validators=[InputRequired(message=_l("Choose a closing date."))],
        description=_l("The last day on which reactions are welcome."),
    )


class RoundCloseForm(Form):
    pass


class RoundFinalForm(Form):
    sure = BooleanField(
        _l("I understand that a final version takes no more reactions and cannot be reopened."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


ROUND_STEPS = ("change", "close", "reopen", "final")


def _round_forms(ver: Version, sent: str | None = None) -> dict[str, Form]:
    """The round page's forms, one per step; the one sent (``sent``) reads the request."""
    kinds = {"change": RoundDateForm, "reopen": RoundDateForm, "close": RoundCloseForm,
             "final": RoundFinalForm}  # fmt: skip
    forms: dict[str, Form] = {}
    for step, kind in kinds.items():
        form = kind(prefix=step) if step == sent else kind(prefix=step, formdata=None)
        forms[step] = form
    if sent != "change":
        forms["change"].closes_on.data = ver.closes_on
    return forms


@bp.get("/<slug>/v/<int:number>/round")
@login_required
def feedback_round(slug: str, number: int) -> Any:
    ver = load_version(slug, number)
    require(Action.PUBLISH, ver.document)
    return _round_page(ver, _round_forms(ver), 200)


@bp.post("/<slug>/v/<int:number>/round/<step>")
@login_required
def change_round(slug: str, number: int, step: str) -> Any:
    """One step: change the closing date, close now, reopen, make final."""
    ver = load_version(slug, number)
    require(Action.PUBLISH, ver.document)
    if step not in ROUND_STEPS:
        abort(404)
    forms = _round_forms(ver, sent=step)
    form = forms[step]
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            form.form_errors.append(_("This form was open too long or came from another page. "
                                      "Nothing was changed: try again."))  # fmt: skip
        return _round_page(ver, forms, 400)
    try:
        message = _take_round_step(ver, step, form)
    except RoundRefused as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _round_page(ver, forms, 400)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".document", slug=slug) + f"#v{ver.number}")


def _take_round_step(ver: Version, step: str, form: Form) -> str:
    if step == "change":
        closes_on = form.closes_on.data
        rounds.change_closing_date(db.session, current_user, ver, closes_on)
        return _("Reactions on %(label)s are now welcome until %(date)s.", label=ver.label,
                 date=format_date(closes_on, "long"))  # fmt: skip
    if step == "reopen":
        closes_on = form.closes_on.data
        rounds.reopen_round(db.session, current_user, ver, closes_on)
        return _("%(label)s is open for reactions again, until %(date)s.", label=ver.label,
                 date=format_date(closes_on, "long"))  # fmt: skip
    if step == "close":
        rounds.close_round(db.session, current_user, ver)
        return _("The round of %(label)s is closed.", label=ver.label)
    rounds.make_final(db.session, current_user, ver)
    return _("%(label)s is final.", label=ver.label)


def _round_page(ver: Version, forms: dict[str, Form], status: int) -> tuple[str, int]:
    events = rounds.round_events(db.session, [ver]).get(ver.id, [])
    page = render_template("documents/round.html", document=ver.document, version=ver,
                           forms=forms, events=events,
                           newer=rounds.newer_version(db.session, ver))  # fmt: skip
    return page, status


@bp.get("/<slug>/v/<int:number>/version.pdf")
def version_pdf(slug: str, number: int) -> BaseResponse:
    """The version as PDF, laid out once per version, state and language and then kept in
    the instance folder: the text never changes, and laying out a long one takes seconds."""
    ver = load_version(slug, number)
    doc = ver.document
    digest = hashlib.sha256(repr((ver.id, ver.source_hash, ver.label, ver.status, ver.closes_on,
                                  ver.effective_status(local_today()), doc.title,
                                  str(get_locale()))).encode()).hexdigest()[:32]  # fmt: skip
    folder = Path(current_app.instance_path) / "version-pdf"
    path = folder / f"{ver.id}-{digest}.pdf"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        sections = db.session.scalars(
            select(Section).where(Section.version_id == ver.id).order_by(Section.position)
        ).all()
        address = url_for(".version", slug=slug, number=number, _external=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        with partial.open("wb") as out:
            write_version_pdf(ver, sections, address, out)
        partial.replace(path)  # whole or not at all, also with two requests at once
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"{slug}-v{number}.pdf", etag=digest,
                     conditional=True)  # fmt: skip


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


class ConfirmPublishForm(Form):
    token = HiddenField()


# The text between the preview and the confirmation, per person.
PUBLICATIONS = WaitingFiles("publications")
FIELDS = ("document", "new_slug", "new_title", "label", "status", "closes_on", "summary")


@bp.route("/publish", methods=["GET", "POST"])
@login_required
@keeps_input
def publish() -> Any:
    """The form; sent, it answers with a preview of the version (nothing stored yet)."""
    require(Action.CREATE_DOCUMENT)
    form = _publish_form()
    if form.validate_on_submit():
        source = ""
        try:
            source = _source_from_form(form)
            fields = _fields(form)
            preview = _preview(fields, source)
        except PublishError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            if source:  # the text stays, also when it came from a file
                form.source_text.data, form.source_file.data = source, None
        else:
            return _preview_page(fields, source, preview)
    status_code = 400 if request.method == "POST" else 200
    return _form_page(form, status_code)


@bp.post("/publish/confirm")
@login_required
def publish_confirm() -> Any:
    """Publish what the preview showed, or go back to the form with it."""
    require(Action.CREATE_DOCUMENT)
    confirm = ConfirmPublishForm()
    kept = PUBLICATIONS.get(_scope(), confirm.token.data or "") if confirm.validate() else None
    if kept is None:
        flash(_("The preview has expired or was sent from elsewhere; send the form again."),
              "error")  # fmt: skip
        return redirect(url_for(".publish"))
    fields, data = kept
    source = data.decode("utf-8")
    if request.form.get("action") != "publish":
        return _form_page(_publish_form(fields, source), 200)
    try:
        ver = _publish(fields, source)
        if ver.number != fields["number"]:  # someone published in between: look again
            raise _Outdated
    except _Outdated:
        db.session.rollback()
        flash(_("Meanwhile another version of this document was published. Check the "
                "preview again."), "error")  # fmt: skip
        return _preview_page(fields, source, _preview(fields, source))
    except PublishError as error:
        db.session.rollback()
        form = _publish_form(fields, source)
        form.form_errors.append(str(error))
        return _form_page(form, 400)
    db.session.commit()
    PUBLICATIONS.forget(_scope(), confirm.token.data or "")
    flash(_("%(label)s is published as version %(number)d.", label=ver.label,
            number=ver.number), "success")  # fmt: skip
    return redirect(url_for(".version", slug=ver.document.slug, number=ver.number))


class _Outdated(Exception):
    """The version would get another number than the preview showed."""


def _scope() -> str:
    return f"u{current_user.id}"  # a preview is confirmed by the person who made it


def _form_page(form: PublishForm, status_code: int) -> tuple[str, int]:
    page = render_template("documents/publish.html", form=form, stale=g.get("stale_form", False))
    return page, status_code


def _preview_page(fields: dict[str, Any], source: str, preview: PublicationPreview) -> str:
    fields = {**fields, "number": preview.number}
    token = PUBLICATIONS.keep(_scope(), source.encode("utf-8"), fields)
    document = None if fields["document"] == NEW_DOCUMENT else load_document(fields["document"])
    counts = Counter(section.change_kind for section in preview.sections)
    return render_template(
        "documents/publish_preview.html", preview=preview, document=document, fields=fields,
        counts=counts, form=ConfirmPublishForm(formdata=None, token=token),
    )  # fmt: skip


def _publish_form(fields: dict[str, Any] | None = None, source: str = "") -> PublishForm:
    """The form as sent, or as kept with a preview (``fields``, ``source``)."""
    if fields is None:
        form = PublishForm()
    else:
        form = PublishForm(formdata=None, data={**fields, "closes_on": _date(fields["closes_on"])})
        form.source_text.data = source
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


def _source_from_form(form: PublishForm) -> str:
    limit = current_app.config["MAX_SOURCE_BYTES"]
    upload = form.source_file.data
    pasted = form.source_text.data or ""  # kept as typed: it may go back into the form
    if upload and upload.filename and pasted.strip():
        raise PublishError(_("Upload a file or paste the text, not both."))
    if upload and upload.filename:
        try:  # the whole file, so that its size is told right; its temporary file closed
            return decode_upload(upload.filename, upload.read(), limit)
        finally:
            upload.close()
    if pasted.strip():
        return decode_source(pasted.encode(), limit)
    raise PublishError(_("Choose a Markdown file or paste the text."))


def _fields(form: PublishForm) -> dict[str, Any]:
    """What the form says about the version, as it is kept with a preview."""
    values = {name: form[name].data or "" for name in FIELDS}
    values["closes_on"] = form.closes_on.data.isoformat() if form.closes_on.data else ""
    return values


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _meta(fields: dict[str, Any]) -> VersionMeta:
    return VersionMeta(
        label=fields["label"] or None,
        status=VersionStatus(fields["status"]) if fields["status"] else None,
        closes_on=_date(fields["closes_on"]),
        summary=fields["summary"] or None,
    )


def _target(fields: dict[str, Any]) -> Document | None:
    """The document to publish in; None for a new one. PublishError when not allowed."""
    if fields["document"] == NEW_DOCUMENT:
        if not fields["new_slug"]:
            raise PublishError(_("Give the new document a short name for its web address."))
        check_new_slug(db.session, fields["new_slug"])
        return None
    document = load_document(fields["document"])
    if not can(current_user, Action.PUBLISH, document):
        raise PublishError(_("You may not publish versions of this document."))
    return document


def _preview(fields: dict[str, Any], source: str) -> PublicationPreview:
    return preview_version(db.session, _target(fields), source, _meta(fields),
                           max_sections=current_app.config["MAX_SECTIONS"])  # fmt: skip


def _publish(fields: dict[str, Any], source: str) -> Version:
    document = _target(fields) or create_document(
        db.session, fields["new_slug"], fields["new_title"], owner=current_user
    )
    return publish_version(
        db.session, document, source, _meta(fields), publisher=current_user,
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
