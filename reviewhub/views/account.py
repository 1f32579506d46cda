"""A person's own profile and personal data."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from .. import accounts, audit
from ..extensions import db
from ..permissions import Action
from .helpers import Form, keeps_input, options, require

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
        )
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for(".profile"))
    return render_template("account/profile.html", form=form), 400 if form.errors else 200


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
