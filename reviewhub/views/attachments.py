"""Files sent with reactions: their download, and attaching one to one's reaction after it
was posted (the reaction form takes them too, review.section)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..feedback.attachments import AttachmentRefused, add_attachment
from ..models import Attachment, Comment
from ..permissions import Action
from .downloads import private_file
from .helpers import Form, commit_with_files, require
from .helpers import attachment_folder as folder

bp = Blueprint("attachments", __name__)


@bp.get("/attachments/<int:attachment_id>/<filename>")
def download(attachment_id: int, filename: str) -> Response:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.filename != filename:
        abort(404)
    require(Action.READ_ATTACHMENT, attachment)
    return private_file(folder() / attachment.stored_name, attachment.content_type,
                        attachment.filename, "private, no-cache", etag=attachment.sha256,
                        conditional=True)  # fmt: skip


@bp.post("/comments/<int:comment_id>/attachments")
@login_required
def attach(comment_id: int) -> Response:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    require(Action.READ_COMMENT, comment)
    back = _thread_url(comment)
    if not Form().validate_on_submit():
        flash(_("This form was open too long or came from another page. Choose the file "
                "again."), "error")  # fmt: skip
        return redirect(back)
    upload = request.files.get("attachment")
    if upload is None or not upload.filename:
        flash(_("Choose a file to attach."), "error")
        return redirect(back)
    try:
        data = upload.read()
    finally:
        upload.close()
    try:
        attachment = add_attachment(db.session, folder(), current_user, comment,
                                    upload.filename, data)  # fmt: skip
    except AttachmentRefused as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    commit_with_files(attachment)
    flash(_("%(name)s is attached to your reaction.", name=attachment.filename), "success")
    return redirect(back)


def _thread_url(comment: Comment) -> str:
    version = comment.section.version
    return url_for("review.section", slug=version.document.slug, number=version.number,
                   key=comment.section.key) + f"#c-{comment.id}"  # fmt: skip
