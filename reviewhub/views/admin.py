"""Administration: people (one at a time, or invited in bulk from a CSV file), groups and their
members, and the audit log (as sentences, filtered, paged and as CSV)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from werkzeug.wrappers import Response as BaseResponse
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)

# SelectChoice is new in WTForms 3.3; types-WTForms still describes 3.2 (as in helpers).
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Email, Length, Optional

from .. import accounts, audit
from ..accounts import bulk
from ..extensions import db
from ..labels import GROUP_KIND, ROLE
from ..models import Group, GroupKind, Role, User
from ..notifications import mail
from ..notifications.accounts import invitation_mail
from ..permissions import Action, role_may
from . import auditlog
from .helpers import (
    ButtonForm,
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
AUDIT_PAGE_SIZE = 50


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


class MemberForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("Their e-mail address; as you type, people not in the group yet are "
                       "suggested by name and address."),
    )  # fmt: skip
    coordinator = BooleanField(_l("Coordinator of this group"))


class AnonymiseForm(Form):
    confirm = BooleanField(
        _l("I understand: name, e-mail address and profile are erased for good."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class BulkUploadForm(Form):
    upload = FileField(
        _l("CSV file"),
        description=_l("At most 1 MB and 2,000 people. Saved from Excel or LibreOffice as CSV; "
                       "cells separated by semicolons or commas."),
    )  # fmt: skip


class BulkConfirmForm(Form):
    token = HiddenField()


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    action = SelectField(_l("Action"), validate_choice=False)
    actor = StringField(
        _l("Who"),
        validators=[Optional(), Length(max=254)],
        description=_l("An e-mail address; suggestions appear as you type."),
    )
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


def _role_choices() -> list[SelectChoice]:
    """labels.ROLE names the roles from the most privileged down: offered the other way
    round, the least privileged (a new person's default) first and the administrator last."""
    return options((role.value, label) for role, label in reversed(ROLE.items()))


def _person_form(person: User | None) -> PersonForm:
    form = PersonForm(obj=person)
    form.role.choices = _role_choices()
    groups = [
        (g.id, f"{g.name} ({GROUP_KIND[g.kind]})") for g in accounts.active_groups(db.session)
    ]
    if person is not None:
        # Keep inactive groups the person is still in, so saving does not drop them.
        groups += [(g.id, g.name) for g in person.groups if not g.active]
    form.groups.choices = form.coordinates.choices = options(groups)
    if person is None and not form.is_submitted():
        form.role.data = accounts.default_role().value  # least privilege unless chosen
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


def _invitation(person: User) -> tuple[EmailMessage, str]:
    """The invitation for ``person`` and its link, recorded in the audit log; the caller
    sends it once it has committed."""
    message, link = invitation_mail(person)
    audit.record(db.session, current_user, "person.invited", person, person.name)
    return message, link


def _send_invitation(person: User) -> str:
    message, link = _invitation(person)
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


# Inviting people from a CSV file -------------------------------------------------------------
# Between the preview and the confirmation the rows travel with the page, signed with the
# SECRET_KEY for the administrator who saw them (accounts.bulk.seal): nothing waits on the
# server, so any worker or host takes the confirmation, and nobody can alter a row on the way.
# The cookie session could not hold them (4 kB), and a file in the instance folder is not
# there for the other hosts of a scaled-out installation.


def _role_names() -> dict[str, Role]:
    """The roles by their names in every language of the site, for the file's role column."""
    names: dict[str, Role] = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            names.update({str(label): role for role, label in ROLE.items()})
    return names


def _uploaded_csv() -> tuple[bytes, str]:
    """The upload's first bytes (one more than a file may have, to tell it is too large) and
    its name; the temporary file closed at once."""
    storage = request.files.get("upload")
    if storage is None or not storage.filename:
        return b"", ""
    try:
        return storage.stream.read(bulk.MAX_FILE_BYTES + 1), storage.filename[:200]
    finally:
        storage.close()


def _role_words() -> list[str]:
    """The roles a file may give (none that manages people), for the page's explanation."""
    return [str(label) for role, label in reversed(ROLE.items())
            if not role_may(role, Action.MANAGE_PEOPLE)]  # fmt: skip


@bp.route("/people/bulk", methods=["GET", "POST"])
@keeps_input
def bulk_invite() -> ResponseReturnValue:
    """The upload form; sent, a preview of what each row would do (nothing stored yet)."""
    require(Action.MANAGE_PEOPLE)
    form = BulkUploadForm()
    if form.validate_on_submit():
        data, filename = _uploaded_csv()
        if not data:
            add_error(form.upload, _("Choose a CSV file."))
        else:
            try:
                rows, ignored = bulk.read_csv(data)
                plan = bulk.plan(db.session, rows, _role_names())
                token = bulk.seal((p.row for p in plan.actionable), actor_id=current_user.id,
                                  filename=filename,
                                  secret=current_app.config["SECRET_KEY"])  # fmt: skip
            except bulk.BulkFileError as error:
                add_error(form.upload, str(error))
            else:
                return render_template(
                    "admin/bulk_preview.html", plan=plan, filename=filename, ignored=ignored,
                    form=BulkConfirmForm(formdata=None, token=token), Outcome=bulk.Outcome,
                )  # fmt: skip
    page = render_template("admin/bulk_upload.html", form=form, roles=_role_words(),
                           default_role=ROLE[accounts.default_role()])  # fmt: skip
    return page, 400 if request.method == "POST" else 200


@bp.post("/people/bulk/confirm")
def bulk_confirm() -> ResponseReturnValue:
    """Store the rows of the preview that can be (one transaction), then send the
    invitations; what changed since the preview is planned anew and shown."""
    require(Action.MANAGE_PEOPLE)
    form = BulkConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        filename, rows = bulk.unseal(form.token.data or "", actor_id=current_user.id,
                                     secret=current_app.config["SECRET_KEY"])  # fmt: skip
    except bulk.BulkFileError as error:
        flash(str(error), "error")
        return redirect(url_for(".bulk_invite"))
    plan = bulk.plan(db.session, rows, _role_names())
    try:
        result = bulk.carry_out(db.session, current_user, plan, filename)
        messages = [_invitation(person)[0] for person in result.invited]
    except accounts.AccountError as error:  # someone made one of these accounts meanwhile
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".bulk_invite"))
    db.session.commit()
    for message in messages:  # only after the commit: no mail about an account not stored
        mail.send(message)
    return render_template("admin/bulk_done.html", plan=plan, result=result, filename=filename,
                           Outcome=bulk.Outcome)  # fmt: skip


@bp.get("/people/bulk/template.csv")
def bulk_template() -> Response:
    """An empty file with the heading row, in the visitor's language; UTF-8 with a byte order
    mark so that Excel shows the accents."""
    require(Action.MANAGE_PEOPLE)
    text = "\ufeff" + bulk.template_csv(str(get_locale() or "nl"))
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="reviewhub-people.csv"'},
    )


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


def _group_form(group: Group | None, *, sent: bool = True) -> GroupForm:
    """The group's form, as sent (``sent``) or as stored."""
    form = GroupForm(obj=group) if sent else GroupForm(formdata=None, obj=group)
    form.kind.choices = options((kind.value, label) for kind, label in GROUP_KIND.items())
    if group is not None and (request.method == "GET" or not sent):
        form.kind.data = group.kind.value
    return form


def _group_page(form: GroupForm, group: Group | None, member_form: MemberForm | None = None,
                status: int = 200) -> ResponseReturnValue:  # fmt: skip
    context: dict[str, Any] = {"form": form, "group": group}
    if group is not None:
        context.update(
            members=accounts.members(db.session, group),
            candidates=accounts.possible_members(db.session, group),
            member_form=member_form or MemberForm(formdata=None),
        )
    return render_template("admin/group_form.html", **context), status


@bp.route("/groups/new", methods=["GET", "POST"], defaults={"group_id": None})
@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@keeps_input
def edit_group(group_id: int | None) -> ResponseReturnValue:
    require(Action.MANAGE_GROUPS)
    group = db.get_or_404(Group, group_id) if group_id is not None else None
    form = _group_form(group)
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
    return _group_page(form, group, status=400 if form.errors else 200)


def _members_url(group: Group) -> str:
    return url_for(".edit_group", group_id=group.id, _anchor="members")


@bp.post("/groups/<int:group_id>/members")
@keeps_input
def add_member(group_id: int) -> ResponseReturnValue:
    """Add someone who has an account, found by e-mail address."""
    require(Action.MANAGE_GROUPS)
    group = db.get_or_404(Group, group_id)
    member_form = MemberForm()
    if member_form.validate_on_submit():
        person = accounts.find_by_email(db.session, member_form.email.data or "")
        try:
            if person is None:
                raise accounts.AccountError(
                    _("There is no account with this e-mail address. Add the person first.")
                )
            accounts.add_member(db.session, current_user, group, person,
                                coordinator=member_form.coordinator.data)  # fmt: skip
        except accounts.AccountError as error:
            db.session.rollback()
            add_error(member_form.email, str(error))
        else:
            db.session.commit()
            flash(_("%(name)s is now a member of %(group)s.", name=display_name(person),
                    group=group.name), "success")  # fmt: skip
            return redirect(_members_url(group))
    return _group_page(_group_form(group, sent=False), group, member_form, status=400)


def _member(group_id: int, person_id: int) -> tuple[Group, User]:
    require(Action.MANAGE_GROUPS)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return db.get_or_404(Group, group_id), db.get_or_404(User, person_id)


@bp.post("/groups/<int:group_id>/members/<int:person_id>/coordinator")
def member_coordinator(group_id: int, person_id: int) -> BaseResponse:
    """Make a member coordinator (``coordinator=1``) or no longer (``coordinator=0``)."""
    group, person = _member(group_id, person_id)
    coordinator = request.form.get("coordinator") == "1"
    try:
        accounts.set_coordinator(db.session, current_user, group, person, coordinator)
    except accounts.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if coordinator:
            flash(_("%(name)s is now coordinator of %(group)s.", name=display_name(person),
                    group=group.name), "success")  # fmt: skip
        else:
            flash(_("%(name)s is no longer coordinator of %(group)s.",
                    name=display_name(person), group=group.name), "success")  # fmt: skip
    return redirect(_members_url(group))


@bp.post("/groups/<int:group_id>/members/<int:person_id>/remove")
def remove_member(group_id: int, person_id: int) -> BaseResponse:
    group, person = _member(group_id, person_id)
    try:
        accounts.remove_member(db.session, current_user, group, person)
    except accounts.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(name)s is no longer a member of %(group)s.", name=display_name(person),
                group=group.name), "success")  # fmt: skip
    return redirect(_members_url(group))


# Audit log ---------------------------------------------------------------------------------


def _audit_filter() -> tuple[AuditFilterForm, audit.AuditFilter | None]:
    """The form as the query string fills it, and the filter it makes; None when it can
    match nothing (a person without an account). A bad date is shown at its field and left
    out of the filter."""
    form = AuditFilterForm(request.args)
    form.action.choices = auditlog.action_choices()
    form.validate()
    since = form.since.data if not form.since.errors else None
    until = form.until.data if not form.until.errors else None
    if since and until and until < since:
        add_error(form.until, _("The end date is before the start date."))
        until = None
    actor_text = (form.actor.data or "").strip() if not form.actor.errors else ""
    actor_id = None
    if actor_text:
        actor_id = parse_id(actor_text)
        if actor_id is None:
            person = accounts.find_by_email(db.session, actor_text)
            if person is None:
                add_error(form.actor, _("Nobody has this e-mail address."))
                return form, None
            actor_id = person.id
    criteria = audit.AuditFilter(action=form.action.data or "", actor_id=actor_id, since=since,
                                 until=until)  # fmt: skip
    return form, criteria


def _filter_args() -> dict[str, str]:
    """The filter's query arguments, for the CSV link (and nothing else of the query)."""
    return {key: request.args[key] for key in ("action", "actor", "since", "until")
            if request.args.get(key)}  # fmt: skip


@bp.get("/audit")
def audit_log() -> str:
    require(Action.VIEW_AUDIT_LOG)
    form, criteria = _audit_filter()
    pagination = None
    lines: list[auditlog.EventLine] = []
    if criteria is not None:
        pagination = paginate(audit.events_query(criteria), per_page=AUDIT_PAGE_SIZE)
        lines = auditlog.describe(pagination.items)
    people = db.session.scalars(accounts.people_query().where(User.anonymised_at.is_(None))).all()
    return render_template("admin/audit.html", form=form, pagination=pagination, lines=lines,
                           people=people, csv_args=_filter_args())  # fmt: skip


@bp.get("/audit.csv")
def audit_csv() -> Response:
    """The filtered log as CSV, streamed a batch at a time, newest first."""
    require(Action.VIEW_AUDIT_LOG)
    _form, criteria = _audit_filter()
    query = audit.events_query(criteria) if criteria is not None else None
    semicolon = str(get_locale() or "nl") == "nl"  # as Excel expects in each language
    return Response(
        stream_with_context(auditlog.csv_chunks(query, ";" if semicolon else ",")),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="audit-log.csv"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
