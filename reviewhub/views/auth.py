"""Logging in and out, invitations and forgotten passwords."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from .. import accounts, audit, mail
from ..extensions import db, limiter
from ..models import User
from ..web import keeps_input
from .safety import safe_next_url

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("At least 10 characters. A sentence of a few words works well."),
    )
    repeated = PasswordField(_l("Repeat the password"), validators=[DataRequired()])


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _submitted_email() -> str:
    return "login:" + accounts.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email)
@keeps_input
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        db.session.commit()
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or url_for("documents.index"))
        form.password.errors.append(_("That e-mail address and password do not match."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout() -> Any:
    if current_user.is_authenticated:
        audit.record(db.session, current_user, "auth.logout", current_user)
        db.session.commit()
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("documents.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@keeps_input
def forgot_password() -> Any:
    form = ForgotForm()
    if form.validate_on_submit():
        found = accounts.password_reset_request(db.session, form.email.data)
        db.session.commit()
        if found is not None:
            user, token = found
            link = url_for("auth.reset_password", token=token, _external=True)
            mail.send(_link_mail("mail/password_reset.txt", user, link, _("Set a new password")))
        # The same answer whether or not the address has an account.
        flash(
            _(
                "If this address belongs to an account, a link to set a new password is on its "
                "way. The link works for two hours."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@keeps_input
def accept_invitation(token: str) -> Any:
    return _password_from_link(token, accounts.INVITATION)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@keeps_input
def reset_password(token: str) -> Any:
    return _password_from_link(token, accounts.PASSWORD_RESET)


def _password_from_link(token: str, purpose: str) -> Any:
    try:
        person = accounts.user_for_link(db.session, token, purpose)
    except accounts.LinkError as error:
        return render_template("auth/link_error.html", message=str(error)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password_from_link(
                db.session, token, purpose, form.password.data, form.repeated.data
            )
        except accounts.AccountError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            logout_user()
            login_user(person)
            flash(_("Your password is set. Welcome, %(name)s.", name=person.name), "success")
            return redirect(url_for("documents.index"))
    invited = purpose == accounts.INVITATION
    return render_template(
        "auth/set_password.html", form=form, person=person, invited=invited
    ), 400 if form.errors else 200


def invitation_mail(person: User) -> tuple[EmailMessage, str]:
    """The invitation message for ``person`` and the fresh link in it."""
    token = accounts.make_link_token(person, accounts.INVITATION)
    link = url_for("auth.accept_invitation", token=token, _external=True)
    subject = _("Your invitation to ReviewHub")
    return _link_mail("mail/invitation.txt", person, link, subject), link


def _link_mail(template: str, person: User, link: str, subject: str) -> EmailMessage:
    text = render_template(template, person=person, link=link)
    return mail.build_message(person.email, subject, text)
