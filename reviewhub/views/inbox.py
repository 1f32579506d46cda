"""A person's messages (/me/notifications): what happened to their reactions and the
documents they follow, newest first, with the settings of what they hear of and how; following
a document; and the unsubscribe link of every mail, which needs no log-in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select, update
from werkzeug.wrappers import Response
from wtforms import RadioField

from ..extensions import db
from ..models import (
    Document,
    EmailMode,
    Follow,
    Notification,
    NotificationKind,
    NotificationSettings,
)
from ..notifications import events
from ..permissions import Action
from .helpers import ButtonForm, CheckboxesField, Form, options, paginate, require
from .loading import load_document
from .safety import safe_next_url

bp = Blueprint("inbox", __name__)

KINDS = {
    NotificationKind.REPLY: _l("A reply to my reaction"),
    NotificationKind.DECISION: _l("A decision on my reaction, or on my group's if I follow it"),
    NotificationKind.NEW_VERSION: _l("A new version of a document I follow"),
    NotificationKind.PASSAGE_CHANGED: _l("The passage I reacted to changed in a new version"),
    NotificationKind.ROUND_CLOSING: _l("A round of a document I follow closes in three days"),
    NotificationKind.EXPORT_READY: _l("An export I asked for is ready"),
}
EMAIL = {
    EmailMode.IMMEDIATE: _l("By mail, at once"),
    EmailMode.DAILY: _l("By mail, once a day"),
    EmailMode.OFF: _l("Not by mail: only here"),
}


class SettingsForm(Form):
    kinds = CheckboxesField(_l("Tell me of"))
    email = RadioField(_l("How"))


@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    """For the header: one count a page, by the index on (user, read_at)."""
    if not current_user.is_authenticated:
        return 0
    if "unread" not in g:
        g.unread = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == current_user.id, Notification.read_at.is_(None)
            )
        )
    return int(g.unread or 0)


@bp.get("/me/notifications")
@login_required
def inbox() -> str:
    query = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    followed = db.session.scalars(
        select(Document)
        .join(Follow, Follow.document_id == Document.id)
        .where(Follow.user_id == current_user.id)
        .order_by(Document.title)
    ).all()
    return render_template("inbox/inbox.html", pagination=paginate(query), text_of=events.text_of,
                           form=_settings_form(), button=ButtonForm(),
                           followed=followed)  # fmt: skip


@bp.get("/me/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int) -> Response:
    """Marked read, then on to where it leads."""
    found = db.session.get(Notification, notification_id)
    if found is None or found.user_id != current_user.id:
        abort(404)
    if found.read_at is None:
        found.read_at = datetime.now(UTC)
        db.session.commit()
    target = safe_next_url(found.path)
    return redirect(request.script_root + target if target else url_for(".inbox"))


@bp.post("/me/notifications/read")
@login_required
def mark_all_read() -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    db.session.commit()
    flash(_("All messages are marked as read."), "success")
    return redirect(url_for(".inbox"))


@bp.post("/me/notifications/settings")
@login_required
def save_settings() -> Any:
    form = _settings_form()
    if not form.validate_on_submit():
        flash(_("Choose how you want to hear of them."), "error")
        return redirect(url_for(".inbox") + "#settings")
    found = db.session.get(NotificationSettings, current_user.id)
    if found is None:
        found = NotificationSettings(user_id=current_user.id)
        db.session.add(found)
    chosen = set(form.kinds.data or [])
    found.kinds_off = sorted(k.value for k in KINDS if k.value not in chosen)
    found.email = EmailMode(form.email.data)
    db.session.commit()
    flash(_("Your choices are saved."), "success")
    return redirect(url_for(".inbox") + "#settings")


def _settings_form() -> SettingsForm:
    settings = events.settings_of(db.session, current_user._get_current_object())
    form = SettingsForm()
    form.kinds.choices = options((k.value, label) for k, label in KINDS.items())
    form.email.choices = options((m.value, label) for m, label in EMAIL.items())
    if not form.is_submitted():
        form.kinds.data = [k.value for k in KINDS if k.value not in settings.kinds_off]
        form.email.data = settings.email.value
    return form


# Following -----------------------------------------------------------------------------------


@bp.post("/documents/<slug>/follow")
@login_required
def follow(slug: str) -> Response:
    document = load_document(slug)
    require(Action.READ_DOCUMENT, document)
    if not ButtonForm().validate_on_submit():
        abort(400)
    found = db.session.scalar(
        select(Follow).where(Follow.user_id == current_user.id, Follow.document_id == document.id)
    )
    if found is None:
        db.session.add(Follow(user_id=current_user.id, document_id=document.id))
        said = _("You follow %(title)s: you hear of its new versions.", title=document.title)
    else:
        db.session.delete(found)
        said = _("You no longer follow %(title)s.", title=document.title)
    db.session.commit()
    flash(said, "success")
    back = safe_next_url(request.form.get("next"))
    return redirect(back or url_for("documents.document", slug=document.slug))


@bp.app_template_global("follows")
def follows(document_id: int) -> bool:
    if not current_user.is_authenticated:
        return False
    return bool(
        db.session.scalar(
            select(Follow.id).where(
                Follow.user_id == current_user.id, Follow.document_id == document_id
            )
        )
    )


# Unsubscribing, without a log-in ---------------------------------------------------------------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Any:
    """GET asks (a mail scanner that opens the link changes nothing); POST switches off."""
    target = events.unsubscribe_target(db.session, token)
    if target is None:
        return render_template("inbox/unsubscribe.html", kind=None), 404
    person, kind = target
    done = False
    form = ButtonForm()
    if form.validate_on_submit():
        events.switch_off(db.session, person, kind)
        db.session.commit()
        done = True
    return render_template("inbox/unsubscribe.html", kind=KINDS[kind], done=done, form=form)
