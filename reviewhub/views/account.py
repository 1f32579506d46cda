"""A person's own profile and personal data."""

from __future__ import annotations

import json
import tempfile
import zipfile
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from .. import accounts, audit
from ..accounts import tokens
from ..accounts.errors import AccountError
from ..clock import local_today
from ..extensions import db
from ..labels import ATTRIBUTION
from ..models import Attribution, TokenScope
from ..permissions import Action, can
from .helpers import CheckboxesField, Form, attachment_folder, keeps_input, options, require

bp = Blueprint("account", __name__, url_prefix="/me")


class ProfileForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    function = StringField(
        _l("Function"),
        validators=[Length(max=200)],
        description=_l("Shown with your reactions, for example 'gedragswetenschapper'."),
    )
    sector = StringField(
        _l("Sector"),
        validators=[Length(max=200)],
        description=_l("For example 'jeugdbescherming' or 'onderwijs'."),
    )
    language = SelectField(
        _l("Language"), choices=options([("nl", "Nederlands"), ("en", "English")])
    )
    attribution = RadioField(
        _l("With your reactions, everyone sees"),
        choices=options((a.value, label) for a, label in ATTRIBUTION.items()),
        validators=[Optional()],
        description=_l("The review group always sees who wrote a reaction."),
    )


SCOPE_LABELS = {
    TokenScope.READ: _l("Read what I may read"),
    TokenScope.WRITE: _l("React, reply, and change my own reactions"),
    TokenScope.REVIEW: _l("Decide on reactions (review group)"),
}


class TokenForm(Form):
    name = StringField(
        _l("Name of the token"),
        validators=[Length(max=100)],
        description=_l("What it is for, such as 'Dashboard regio Twente'."),
    )
    scopes = CheckboxesField(_l("The token may"))
    expires_on = DateField(_l("Valid until"), validators=[Optional()],
                           description=_l("At most a year from today."))  # fmt: skip


def token_form(formdata: Any = None) -> TokenForm:
    form = TokenForm(formdata=formdata, prefix="token")
    form.scopes.choices = options(
        (scope.value, label) for scope, label in SCOPE_LABELS.items()
        if scope is not TokenScope.REVIEW or can(current_user, Action.REVIEW_BY_TOKEN)
    )  # fmt: skip
    if not form.is_submitted():
        form.scopes.data = [TokenScope.READ.value]
        form.expires_on.data = local_today() + timedelta(days=tokens.DEFAULT_DAYS)
    return form


def _profile_page(form: ProfileForm, tokens_form: TokenForm, status: int,
                  secret: str | None = None) -> tuple[str, int]:  # fmt: skip
    live = tokens.live_tokens(db.session, current_user)
    return render_template("account/profile.html", form=form, token_form=tokens_form,
                           tokens=live, new_secret=secret,
                           scope_labels=SCOPE_LABELS), status  # fmt: skip


@bp.post("/tokens")
@login_required
def create_token() -> ResponseReturnValue:
    """A new API token, shown once on the page that answers (never kept, never mailed)."""
    require(Action.EDIT_PROFILE, current_user)
    form = token_form(request.form)
    profile_form = ProfileForm(formdata=None, obj=current_user)
    if not form.validate_on_submit():
        return _profile_page(profile_form, form, 400)
    try:
        made = tokens.create_token(
            db.session, current_user, form.name.data or "",
            [TokenScope(v) for v in form.scopes.data or []],
            form.expires_on.data or local_today(),
        )  # fmt: skip
    except AccountError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _profile_page(profile_form, form, 400)
    db.session.commit()
    page, status = _profile_page(profile_form, token_form(), 200, secret=made.secret)
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # the secret stays in no cache
    return response


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    require(Action.EDIT_PROFILE, current_user)
    if not Form().validate_on_submit():
        abort(400)
    try:
        token = tokens.revoke_token(db.session, current_user, token_id)
    except AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The token %(name)s is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for(".profile") + "#tokens")


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@keeps_input
def profile() -> ResponseReturnValue:
    require(Action.EDIT_PROFILE, current_user)
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        accounts.update_profile(
            db.session,
            current_user,
            name=form.name.data or "",
            organisation=form.organisation.data or "",
            function=form.function.data or "",
            sector=form.sector.data or "",
            language=form.language.data,
            attribution=Attribution(form.attribution.data) if form.attribution.data else None,
        )
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for(".profile"))
    return _profile_page(form, token_form(), 400 if form.errors else 200)


@bp.get("/data.json")
@login_required
def personal_data() -> Response:
    require(Action.EDIT_PROFILE, current_user)
    data = accounts.personal_data(db.session, current_user)
    audit.record(db.session, current_user, "person.data_exported", current_user)
    db.session.commit()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="reviewhub-mijn-gegevens.json"'},
    )


@bp.get("/data.zip")
@login_required
def personal_data_zip() -> Response:
    """The same data, with the files the person attached, in one ZIP file (written to a
    temporary file: attachments may add up to more than memory should hold)."""
    require(Action.EDIT_PROFILE, current_user)
    data = accounts.personal_data(db.session, current_user)
    audit.record(db.session, current_user, "person.data_exported", current_user, "zip")
    db.session.commit()
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (send_file closes it)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("reviewhub-mijn-gegevens.json",
                         json.dumps(data, ensure_ascii=False, indent=2))  # fmt: skip
        for attachment in accounts.own_attachments(db.session, current_user):
            path = attachment_folder() / attachment.stored_name
            if path.is_file():
                archive.write(path, f"bijlagen/{attachment.id}-{attachment.filename}")
    out.seek(0)
    return send_file(out, mimetype="application/zip", as_attachment=True,
                     download_name="reviewhub-mijn-gegevens.zip")  # fmt: skip
