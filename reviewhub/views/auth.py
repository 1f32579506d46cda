"""Logging in and out, invitations and forgotten passwords."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from .. import accounts, audit
from ..extensions import db, limiter
from ..models import User
from ..notifications import accounts as accountmail
from ..notifications import mail
from . import afterwards, throttle
from .helpers import Form, add_error, keeps_input
from .safety import safe_next_url

bp = Blueprint("auth", __name__)


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("At least 10 characters. A sentence of a few words works well."),
    )
    repeated = PasswordField(_l("Repeat the password"), validators=[DataRequired()])


DEVICE_COOKIE = "reviewhub_device"
DEVICE_MAX_AGE = timedelta(days=365)
REMEMBERED_DEVICES = 5


def _address_limit() -> str:
    return current_app.config["ADDRESS_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])  # guessing across many accounts from one place
@keeps_input
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        account = accounts.normalise_email(form.email.data or "")
        here = (account, get_remote_address())
        known_device = _device_mark(account) in _known_devices()
        if throttle.FAILED_LOGINS_HERE.exceeded(*here) or (
            not known_device and throttle.FAILED_LOGINS_ANYWHERE.exceeded(account)
        ):
            return _throttled(form, here, account)
        user = accounts.authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is not None:
            throttle.FAILED_LOGINS_HERE.clear(*here)
            _log_in(user, remember=bool(form.remember.data))
            response = redirect(
                safe_next_url(request.args.get("next")) or url_for("documents.index")
            )
            _remember_device(response, account)
            return response
        db.session.commit()  # the failed attempt's audit entry
        throttle.FAILED_LOGINS_HERE.count(*here)
        throttle.FAILED_LOGINS_ANYWHERE.count(account)
        add_error(form.password, _("That e-mail address and password do not match."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


def _throttled(form: LoginForm, here: tuple[str, str], account: str) -> ResponseReturnValue:
    """The form again, e-mail kept, saying how long to wait: a back-off, not a lock-out."""
    wait = throttle.FAILED_LOGINS_HERE.seconds_left(*here)
    if not throttle.FAILED_LOGINS_HERE.exceeded(*here):
        wait = throttle.FAILED_LOGINS_ANYWHERE.seconds_left(account)
    minutes = max(1, -(-wait // 60))
    add_error(
        form.password,
        _(
            "Too many attempts to log in to this account. Try again in %(minutes)s, or ask "
            "for a new password.",
            minutes=ngettext("%(num)d minute", "%(num)d minutes", minutes),
        ),
    )
    page = render_template("auth/login.html", form=form)
    return page, 429, {"Retry-After": str(wait)}


def _device_mark(account: str) -> str:
    """How a device cookie names an account: not the address itself (a shared computer's
    cookie would tell who used it)."""
    return hashlib.sha256(f"device:{account}".encode()).hexdigest()[:16]


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="reviewhub-device")


def _known_devices() -> list[str]:
    """The accounts that logged in successfully from this browser before (signed cookie)."""
    cookie = request.cookies.get(DEVICE_COOKIE, "")
    try:
        marks = _device_serializer().loads(cookie, max_age=int(DEVICE_MAX_AGE.total_seconds()))
    except BadData:
        return []
    return [str(mark) for mark in marks] if isinstance(marks, list) else []


def _remember_device(response: BaseResponse, account: str) -> None:
    mark = _device_mark(account)
    marks = [mark] + [m for m in _known_devices() if m != mark]
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(marks[:REMEMBERED_DEVICES]),
        max_age=int(DEVICE_MAX_AGE.total_seconds()),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _log_in(user: User, *, remember: bool) -> None:
    """A new server-side session for ``user``, committed, then the cookies that name it."""
    accounts.start_session(db.session, user, remember=remember)
    db.session.commit()
    login_user(user, remember=remember)
    _new_csrf_token()


def _new_csrf_token() -> None:
    """A form token from before a log-in or log-out must not work after it."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        audit.record(db.session, current_user, "auth.logout", current_user)
        accounts.end_session(db.session, current_user.get_id())
        db.session.commit()
    logout_user()
    _new_csrf_token()
    flash(_("You are logged out."), "success")
    return redirect(url_for("documents.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@keeps_input
def forgot_password() -> ResponseReturnValue:
    form = ForgotForm()
    if form.validate_on_submit():
        # The same work and the same answer whether or not the address has an account: the
        # look-up and the mail happen after the response is sent.
        afterwards.after_response(_mail_reset_link, form.email.data)
        flash(
            _(
                "If this address belongs to an account, a link to set a new password is on its "
                "way. The link works for two hours."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _mail_reset_link(email: str) -> None:
    """Mail a reset link when ``email`` belongs to an active account, at most a few per hour
    per account, so that nobody can flood a mailbox with them."""
    found = accounts.password_reset_request(
        db.session, email, secret=current_app.config["SECRET_KEY"]
    )
    if found is None:
        return
    user, token = found
    if throttle.RESET_MAILS.exceeded(str(user.id)):
        audit.record(db.session, None, "auth.password_reset_throttled", user)
        db.session.commit()
        return
    throttle.RESET_MAILS.count(str(user.id))
    message = accountmail.password_reset_mail(user, token)
    db.session.commit()
    mail.send(message)  # only after the commit, as every mail


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@keeps_input
def accept_invitation(token: str) -> ResponseReturnValue:
    return _password_from_link(token, accounts.INVITATION)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@keeps_input
def reset_password(token: str) -> ResponseReturnValue:
    return _password_from_link(token, accounts.PASSWORD_RESET)


def _password_from_link(token: str, purpose: str) -> ResponseReturnValue:
    try:
        person = accounts.user_for_link(
            db.session, token, purpose, secret=current_app.config["SECRET_KEY"]
        )
    except accounts.LinkError as error:
        return render_template("auth/link_error.html", message=str(error)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password_from_link(
                db.session, token, purpose, form.password.data or "", form.repeated.data or "",
                secret=current_app.config["SECRET_KEY"],
            )  # fmt: skip
        except accounts.AccountError as error:
            db.session.rollback()
            add_error(form.password, str(error))
        else:
            logout_user()
            _log_in(person, remember=False)
            flash(_("Your password is set. Welcome, %(name)s.", name=person.name), "success")
            return redirect(url_for("documents.index"))
    invited = purpose == accounts.INVITATION
    return render_template(
        "auth/set_password.html", form=form, person=person, invited=invited
    ), 400 if form.errors else 200
