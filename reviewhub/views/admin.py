"""Administration: people, groups and the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from .. import accounts, audit
from ..extensions import db
from ..labels import GROUP_KIND, ROLE
from ..models import Group, GroupKind, Role, User
from ..notifications import mail
from ..notifications.accounts import invitation_mail
from ..permissions import Action
from .helpers import (
    CheckboxesField,
    Form,
    add_error,
    display_name,
    enum_arg,
    keeps_input,
    options,
    paginate,
    parse_id,
    require,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 25


@bp.before_request
@login_required
def require_login() -> None:
    """Every admin page needs a log-in; each view then checks its own permission."""


class PersonForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"))
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    function = StringField(_l("Function"), validators=[Length(max=200)])
    groups = CheckboxesField(_l("Groups"), coerce=int)
    coordinates = CheckboxesField(
        _l("Coordinator of"), coerce=int, description=_l("Only groups the person belongs to.")
    )
    active = BooleanField(_l("Account active"), default=True)


class GroupForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"))
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    active = BooleanField(_l("Group active"), default=True)


class AnonymiseForm(Form):
    confirm = BooleanField(
        _l("I understand: name, e-mail address and profile are erased for good."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    action = SelectField(_l("Action"), validate_choice=False)
    actor = SelectField(_l("Who"), validate_choice=False)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


def _search_text() -> str:
    return request.args.get("q", "").strip()[:100]


# People ------------------------------------------------------------------------------------


@bp.get("/people")
def people() -> str:
    require(Action.MANAGE_PEOPLE)
    search, role = _search_text(), enum_arg(Role, "role")
    return render_template(
        "admin/people.html",
        pagination=paginate(accounts.people_query(search, role), PAGE_SIZE),
        search=search,
        role=role.value if role else "",
        roles=ROLE,
    )


def _person_form(person: User | None) -> PersonForm:
    form = PersonForm(obj=person)
    form.role.choices = options((role.value, label) for role, label in ROLE.items())
    groups = [
        (g.id, f"{g.name} ({GROUP_KIND[g.kind]})") for g in accounts.active_groups(db.session)
    ]
    if person is not None:
        # Keep inactive groups the person is still in, so saving does not drop them.
        groups += [(g.id, g.name) for g in person.groups if not g.active]
    form.groups.choices = form.coordinates.choices = options(groups)
    if person is not None and request.method == "GET":
        form.role.data = person.role.value
        form.groups.data = [m.group_id for m in person.memberships]
        form.coordinates.data = [m.group_id for m in person.memberships if m.coordinator]
    return form


@bp.route("/people/new", methods=["GET", "POST"])
@keeps_input
def new_person() -> ResponseReturnValue:
    require(Action.MANAGE_PEOPLE)
    form = _person_form(None)
    if form.validate_on_submit():
        try:
            person = accounts.create_person(
                db.session, current_user, name=form.name.data or "",
                email=form.email.data or "", role=Role(form.role.data),
                organisation=form.organisation.data or "", function=form.function.data or "",
            )  # fmt: skip
            accounts.set_memberships(
                db.session, current_user, person, form.groups.data or [],
                form.coordinates.data or [],
            )  # fmt: skip
        except accounts.AccountError as error:
            db.session.rollback()
            add_error(form.email, str(error))
        else:
            return _send_invitation(person)
    return render_template("admin/person_form.html", form=form, person=None), (
        400 if form.errors else 200
    )


def _send_invitation(person: User) -> str:
    message, link = invitation_mail(person)
    audit.record(db.session, current_user, "person.invited", person, person.name)
    db.session.commit()
    mail.send(message)  # only after the commit: no mail about an account that was not stored
    return render_template("admin/invited.html", person=person, link=link)


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@keeps_input
def edit_person(person_id: int) -> ResponseReturnValue:
    require(Action.MANAGE_PEOPLE)
    person = db.get_or_404(User, person_id)
    form = _person_form(person)
    if form.validate_on_submit():
        try:
            accounts.update_person(
                db.session, current_user, person, name=form.name.data or "",
                email=form.email.data or "", role=Role(form.role.data), active=form.active.data,
                organisation=form.organisation.data or "", function=form.function.data or "",
            )  # fmt: skip
            accounts.set_memberships(
                db.session, current_user, person, form.groups.data or [],
                form.coordinates.data or [],
            )  # fmt: skip
        except accounts.AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The changes to %(name)s are saved.", name=person.name), "success")
            return redirect(url_for(".edit_person", person_id=person.id))
    return render_template(
        "admin/person_form.html", form=form, person=person, anonymise_form=AnonymiseForm()
    ), 400 if form.errors or form.form_errors else 200


@bp.post("/people/<int:person_id>/invitation")
def reinvite(person_id: int) -> ResponseReturnValue:
    require(Action.MANAGE_PEOPLE)
    person = db.get_or_404(User, person_id)
    if person.anonymised_at is not None or not person.active:
        flash(_("Activate the account before sending an invitation."), "error")
        return redirect(url_for(".edit_person", person_id=person.id))
    return _send_invitation(person)


@bp.post("/people/<int:person_id>/anonymise")
def anonymise(person_id: int) -> ResponseReturnValue:
    require(Action.MANAGE_PEOPLE)
    person = db.get_or_404(User, person_id)
    form = AnonymiseForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm the anonymisation."), "error")
        return redirect(url_for(".edit_person", person_id=person.id))
    try:
        accounts.anonymise(db.session, current_user, person)
    except accounts.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The account is anonymised."), "success")
    return redirect(url_for(".edit_person", person_id=person.id))


# Groups ------------------------------------------------------------------------------------


@bp.get("/groups")
def groups() -> str:
    require(Action.MANAGE_GROUPS)
    search, kind = _search_text(), enum_arg(GroupKind, "kind")
    return render_template(
        "admin/groups.html",
        pagination=paginate(accounts.groups_query(search, kind), PAGE_SIZE),
        search=search,
        kind=kind.value if kind else "",
        kinds=GROUP_KIND,
    )


@bp.route("/groups/new", methods=["GET", "POST"], defaults={"group_id": None})
@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@keeps_input
def edit_group(group_id: int | None) -> ResponseReturnValue:
    require(Action.MANAGE_GROUPS)
    group = db.get_or_404(Group, group_id) if group_id is not None else None
    form = GroupForm(obj=group)
    form.kind.choices = options((kind.value, label) for kind, label in GROUP_KIND.items())
    if group is not None and request.method == "GET":
        form.kind.data = group.kind.value
    if form.validate_on_submit():
        try:
            saved = accounts.save_group(
                db.session, current_user, group, name=form.name.data or "",
                kind=GroupKind(form.kind.data), description=form.description.data or "",
                active=form.active.data,
            )  # fmt: skip
        except accounts.AccountError as error:
            db.session.rollback()
            add_error(form.name, str(error))
        else:
            db.session.commit()
            flash(_("The group %(name)s is saved.", name=saved.name), "success")
            return redirect(url_for(".edit_group", group_id=saved.id))
    return render_template("admin/group_form.html", form=form, group=group), (
        400 if form.errors else 200
    )


# Audit log ---------------------------------------------------------------------------------


@bp.get("/audit")
def audit_log() -> str:
    require(Action.VIEW_AUDIT_LOG)
    form = AuditFilterForm(request.args)
    form.action.choices = options(
        [("", _("All actions"))] + [(action, action) for action in audit.known_actions(db.session)]
    )
    people = db.session.scalars(accounts.people_query()).all()
    form.actor.choices = options(
        [("", _("Everyone"))] + [(str(p.id), display_name(p)) for p in people]
    )
    form.validate()
    criteria = audit.AuditFilter(
        action=form.action.data or "",
        actor_id=parse_id(form.actor.data),
        since=form.since.data if not form.since.errors else None,
        until=form.until.data if not form.until.errors else None,
    )
    pagination = paginate(audit.events_query(criteria), per_page=50)
    return render_template("admin/audit.html", form=form, pagination=pagination)
