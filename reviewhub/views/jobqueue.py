"""The job queue's failed jobs, for administrators (/admin/jobs): what each was for and why it
failed, newest first, to send again (with all its tries) or to put aside."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import audit, jobs
from ..extensions import db
from ..models import FailedJob
from ..permissions import Action
from .helpers import ButtonForm, paginate, require

bp = Blueprint("jobqueue", __name__, url_prefix="/admin/jobs")


@bp.get("")
def failed_jobs() -> str:
    require(Action.MANAGE_JOBS)
    query = select(FailedJob).order_by(
        FailedJob.settled_at.is_not(None), FailedJob.failed_at.desc(), FailedJob.id.desc()
    )
    return render_template(
        "admin/jobs.html", pagination=paginate(query), form=ButtonForm(), retries=jobs.RETRIES
    )


@bp.post("/<int:job_id>/<any(again, aside):step>")
def settle(job_id: int, step: str) -> Response:
    require(Action.MANAGE_JOBS)
    failed = db.session.get(FailedJob, job_id)
    if failed is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if failed.settled_at is not None:
        flash(_("This job was sent again or put aside already."), "error")
        return _back()
    _settle(failed, step)
    db.session.commit()  # the job is enqueued after this commit
    said = _("The job is in the queue again.") if step == "again" else _("The job is put aside.")
    flash(said, "success")
    return _back()


def _settle(failed: FailedJob, step: str) -> None:
    if step == "again":
        jobs.send_again(db.session, failed)
        audit.record(db.session, current_user, "job.sent_again", failed, failed.summary)
    else:
        jobs.put_aside(failed)
        audit.record(db.session, current_user, "job.put_aside", failed, failed.summary)


def _back() -> Response:
    return redirect(url_for(".failed_jobs"))
