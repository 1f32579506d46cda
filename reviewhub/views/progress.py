"""A version's progress at a glance: its reactions by status, section and group (charts with
a table beside each), and the review group's "feedback handled", refused while reactions
still wait for a decision. Read by whoever reads the workspace; marked by the review group."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..feedback import decisions, progress
from ..feedback.decisions import DecisionError
from ..models import User, Version
from ..permissions import Action, can
from .helpers import Form, require
from .loading import load_version
from .pagecache import kept

bp = Blueprint("progress", __name__)


class HandledForm(Form):
    """Marking the version's feedback handled: a button, nothing to fill in."""


def _load(slug: str, number: int) -> Version:
    version = load_version(slug, number)
    require(Action.READ_WORKSPACE, version.document)
    return version


@bp.get("/documents/<slug>/v/<int:number>/progress")
def index(slug: str, number: int) -> str:
    version = _load(slug, number)
    return _render(version, HandledForm())


@bp.post("/documents/<slug>/v/<int:number>/progress/handled")
def mark_handled(slug: str, number: int) -> Any:
    version = _load(slug, number)
    require(Action.DECIDE, version.document)
    form = HandledForm()
    if not form.validate_on_submit():
        return _render(version, form), 400
    try:
        decisions.mark_feedback_handled(db.session, current_user, version)
    except DecisionError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _render(version, form), 400
    db.session.commit()
    flash(_("The feedback on %(version)s is marked handled.", version=version.label), "success")
    return redirect(url_for(".index", slug=slug, number=number))


def _render(version: Version, form: HandledForm) -> str:
    # Three passes over the version's reactions: kept until the next reaction or decision.
    key = ("progress", version.id, version.published_at, version.feedback_revision,
           str(get_locale()))  # fmt: skip
    report = kept(key, lambda: progress.progress(db.session, version))
    handled_by = (
        db.session.get(User, version.feedback_handled_by_id)
        if version.feedback_handled_by_id is not None
        else None
    )
    return render_template(
        "progress/index.html",
        document=version.document,
        version=version,
        report=report,
        charts=progress.charts(report),
        top=progress.TOP,
        handled_by=handled_by,
        form=form if can(current_user, Action.DECIDE, version.document) else None,
        undecided_url=_workspace_url(version, status="new"),
        workspace_url=_workspace_url(version),
    )


def _workspace_url(version: Version, **args: Any) -> str:
    """The workspace's list (another blueprint: named by its endpoint, never imported)."""
    slug, number = version.document.slug, version.number
    return url_for("workspace.register_list", slug=slug, number=number, **args)
