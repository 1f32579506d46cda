"""A person's own profile and personal data."""

from __future__ import annotations

import json
import tempfile
import zipfile

from flask import Blueprint, Response, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from .. import accounts, audit
from ..extensions import db
from ..labels import ATTRIBUTION
from ..models import Attribution
from ..permissions import Action
from .helpers import Form, attachment_folder, keeps_input, options, require

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
