"""Logging in and out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..extensions import db
from ..models import User
from ..web import keeps_input
from .safety import safe_next_url

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


@bp.route("/login", methods=["GET", "POST"])
@keeps_input
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            select(User).where(func.lower(User.email) == form.email.data.strip().lower())
        )
        if user and user.active and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or url_for("documents.index"))
        form.password.errors.append(_("That e-mail address and password do not match."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("documents.index"))
