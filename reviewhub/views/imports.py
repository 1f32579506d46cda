"""Taking feedback in from a file, for the review group: upload (a spreadsheet, or a Word file
with comments), a preview of every reaction it would make and every row it cannot place
with the reason, then one confirmation that stores all of it or nothing. Between the two
steps the file waits in the instance folder (views.waiting)."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import HiddenField, RadioField, SelectField

from ..extensions import db
from ..imports import placing, sheet, template
from ..imports.placing import ImportRefused, Plan
from ..imports.sheet import ImportFileError
from ..models import Group, ImportKind, Version
from ..permissions import Action, can
from .helpers import Form, keeps_input, options, parse_id, require
from .loading import load_version
from .waiting import WaitingFiles

bp = Blueprint("imports", __name__)
WAITING = WaitingFiles("imports")  # the file between preview and confirmation


class UploadForm(Form):
    kind = RadioField(_l("What kind of file"), default=ImportKind.SPREADSHEET.value)
    upload = FileField(_l("The file"), description=_l("At most 10 MB."))
    group = SelectField(
        _l("On behalf of"),
        description=_l("For rows without a group, and for a Word file's comments."),
        validate_choice=False,
    )


class ConfirmForm(Form):
    token = HiddenField()


def _load(slug: str, number: int) -> tuple[Version, bool]:
    """The version; and whether the visitor imports for the review group (any file, for any
    group) or reacts with a Word file of their own (on an open version, for their groups)."""
    version = load_version(slug, number)
    if can(current_user, Action.DECIDE, version.document):
        return version, True
    require(Action.COMMENT, version)
    return version, False


KINDS = [(ImportKind.SPREADSHEET.value, _l("A spreadsheet (Excel or CSV)")),
         (ImportKind.WORD.value, _l("A Word file with comments"))]  # fmt: skip


def _choices(form: UploadForm, version: Version, for_review_group: bool) -> None:
    """The review group imports either kind for any group; a partner a Word file, for one of
    their own groups."""
    if for_review_group:
        form.kind.choices = options(KINDS)
        groups = db.session.scalars(
            select(Group).where(Group.active.is_(True)).order_by(Group.name)
        ).all()
        first = [("", _("No group"))]
    else:
        form.kind.choices = options(KINDS[1:])
        form.kind.data = ImportKind.WORD.value
        groups = [m.group for m in current_user.memberships
                  if can(current_user, Action.REACT_FOR_GROUP, m.group)]  # fmt: skip
        first = [("", _("Myself"))] if can(current_user, Action.REACT_AS_ONESELF, version) else []
        form.group.validate_choice = True  # only their own groups
    form.group.choices = options([*first, *((str(g.id), g.name) for g in groups)])


@bp.route("/documents/<slug>/v/<int:number>/import", methods=["GET", "POST"])
@keeps_input
def upload(slug: str, number: int) -> Any:
    version, for_review_group = _load(slug, number)
    form = UploadForm()
    _choices(form, version, for_review_group)
    if request.method == "POST" and form.validate_on_submit():
        data, filename = _uploaded()
        if not data:
            form.upload.errors = [_("Choose a file.")]
        else:
            kind = ImportKind(form.kind.data) if for_review_group else ImportKind.WORD
            try:
                plan = _plan(version, kind, filename, data, parse_id(form.group.data or ""))
            except ImportFileError as error:
                form.upload.errors = [str(error)]
            else:
                token = _keep(version, filename, form, data)
                return _preview(version, plan, token)
    status = 400 if request.method == "POST" else 200
    return render_template("imports/upload.html", version=version, document=version.document,
                           form=form, for_review_group=for_review_group), status  # fmt: skip


@bp.post("/documents/<slug>/v/<int:number>/import/confirm")
def confirm(slug: str, number: int) -> BaseResponse:
    version, for_review_group = _load(slug, number)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    kept = WAITING.get(str(version.id), form.token.data or "")
    if kept is None:
        flash(_("The preview has expired; upload the file again."), "error")
        return redirect(url_for(".upload", slug=slug, number=number))
    meta, data = kept
    plan = _plan(version, ImportKind(meta["kind"]), meta["filename"], data, meta["group"])
    try:
        record = placing.carry_out(db.session, current_user, version, plan,
                                   for_review_group=for_review_group)  # fmt: skip
    except ImportRefused as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".upload", slug=slug, number=number))
    db.session.commit()
    WAITING.forget(str(version.id), form.token.data or "")
    if not for_review_group:
        flash(ngettext("%(num)d reaction posted from %(file)s.",
                       "%(num)d reactions posted from %(file)s.", record.reactions,
                       file=record.filename), "success")  # fmt: skip
        return redirect(url_for("documents.version", slug=slug, number=number))
    flash(ngettext("%(num)d reaction imported from %(file)s.",
                   "%(num)d reactions imported from %(file)s.", record.reactions,
                   file=record.filename), "success")  # fmt: skip
    return redirect(url_for("workspace.register_list", slug=slug, number=number))


@bp.get("/documents/<slug>/v/<int:number>/import/template.xlsx")
def template_download(slug: str, number: int) -> Response:
    version = load_version(slug, number)
    require(Action.DECIDE, version.document)
    out = io.BytesIO()
    template.write_template(version, out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition":
                 f'attachment; filename="feedback-{version.document.slug}-v{version.number}.xlsx"'},
    )  # fmt: skip


@bp.get("/documents/<slug>/v/<int:number>/word")
def version_docx(slug: str, number: int) -> Response:
    """The version as a Word file to comment on: for anyone who reads it."""
    from ..imports.word import SectionText
    from ..imports.word import version_docx as write_version_docx

    version = load_version(slug, number)
    sections = [SectionText(s.key, s.number, s.heading, s.level, s.text) for s in version.sections]
    out = io.BytesIO()
    write_version_docx(sections, f"{version.document.title}: {version.label}", out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition":
                 f'attachment; filename="{version.document.slug}-v{version.number}.docx"'},
    )  # fmt: skip


def _uploaded() -> tuple[bytes, str]:
    """The uploaded file's content and name; its temporary file closed at once."""
    storage = request.files.get("upload")
    if storage is None:
        return b"", ""
    try:
        return storage.read(), storage.filename or ""
    finally:
        storage.close()


def _plan(version: Version, kind: ImportKind, filename: str, data: bytes,
          group_id: int | None) -> Plan:  # fmt: skip
    group = db.session.get(Group, group_id) if group_id else None
    if kind is ImportKind.WORD:
        from ..imports.word import WordImportError, read_word_feedback

        try:
            drafts = placing.drafts_from_word(read_word_feedback(data))
        except WordImportError as error:
            raise ImportFileError(str(error)) from error
    else:
        drafts = placing.drafts_from_sheet(sheet.read_sheet(filename, data))
    return placing.plan(db.session, version, kind, filename, drafts, group)


def _preview(version: Version, plan: Plan, token: str) -> Any:
    confirm_form = ConfirmForm(formdata=None, token=token)
    status = 200 if plan.can_be_carried_out else 422
    return render_template("imports/preview.html", version=version, document=version.document,
                           plan=plan, form=confirm_form), status  # fmt: skip


def _keep(version: Version, filename: str, form: UploadForm, data: bytes) -> str:
    meta = {"filename": filename, "kind": form.kind.data, "group": parse_id(form.group.data or "")}
    return WAITING.keep(str(version.id), data, meta)
