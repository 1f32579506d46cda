"""The review workspace of a version: the register of its reactions for the review group to
triage (filters, sorting, pages of 50, assigning and deciding in bulk) and one reaction's
page (its section, its thread, the decision, the history, the group's notes). The document's
authors read both; only the review group gets the forms."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from ..extensions import db
from ..feedback import decisions, queries, register
from ..feedback.clusters import near_duplicates
from ..feedback.decisions import Decision, DecisionConflict, DecisionError
from ..labels import DISPOSITION
from ..models import Comment, CommentKind, Disposition, Section, User, Version
from ..permissions import Action, can
from .helpers import (
    Form,
    deny,
    enum_arg,
    int_arg,
    keeps_input,
    options,
    paginate,
    parse_id,
    require,
)
from .loading import load_version
from .pagecache import kept

bp = Blueprint("workspace", __name__)

# The query arguments that make the list what it is: kept by its links, its form, the
# reaction pages and their previous/next links.
FILTER_ARGS = ("section", "group", "kind", "status", "assignee", "motivation", "q", "cluster",
               "sort", "order")  # fmt: skip
DECISIONS = [d for d in Disposition if d is not Disposition.NEW]  # "new" is never decided


def _id(value: Any) -> int:
    """A form's id, or ValueError (WTForms then reports the field as invalid)."""
    found = parse_id(str(value))
    if found is None:
        raise ValueError(value)
    return found


class BulkForm(Form):
    selected = SelectMultipleField(_l("Select"), coerce=_id, validate_choice=False)
    assignee = SelectField(_l("Assign to"), validate_choice=False)
    disposition = SelectField(_l("Set the status to"), validate_choice=False)
    motivation = TextAreaField(
        _l("Motivation"),
        description=_l("One motivation for all selected reactions; partners read it. "
                       "At most 4,000 characters; Markdown is possible."),
    )  # fmt: skip
    duplicate_of = StringField(
        _l("Duplicate of (reference)"), description=_l("Only for the status Duplicate.")
    )


class DecisionForm(Form):
    disposition = RadioField(
        _l("Status"), validators=[InputRequired(message=_l("Choose a status."))]
    )
    motivation = TextAreaField(
        _l("Motivation"),
        description=_l("Partners read it. At most 4,000 characters; Markdown is possible."),
    )
    duplicate_of = StringField(
        _l("Duplicate of (reference)"),
        description=_l("Only for the status Duplicate: the reference of the reaction it repeats."),
    )
    revision = HiddenField()


class AssignForm(Form):
    assignee = SelectField(_l("Assigned to"), validate_choice=False)


class NoteForm(Form):
    body = TextAreaField(
        _l("New note"),
        description=_l("Only the review group reads notes. At most 4,000 characters."),
    )


# Reading the list's filter from the query string -------------------------------------------


def _criteria(version: Version) -> register.WorkspaceFilter:
    args = request.args
    motivation = {"yes": True, "no": False}.get(args.get("motivation", ""))
    assignee = args.get("assignee", "")
    sort = args.get("sort", "reference")
    return register.WorkspaceFilter(
        section_key=args.get("section") or None,
        group_id=int_arg("group"),
        kind=enum_arg(CommentKind, "kind"),
        disposition=enum_arg(Disposition, "status"),
        assignee_id=parse_id(assignee),
        has_motivation=motivation,
        text=args.get("q", "")[:200],
        comment_ids=_cluster_members(version, int_arg("cluster")),
        sort=sort if sort in register.SORTS else "reference",
        descending=args.get("order") == "desc",
    )


def _clusters(version: Version) -> dict[int, int]:
    """Near-duplicate clusters (comment id → cluster id). Comparing the texts of a large
    version takes seconds, so they are kept until a text changes; decisions, which change
    no text, leave them be (the feedback revision would not)."""
    return kept(
        ("workspace-clusters", version.id, version.published_at, version.texts_revision),
        lambda: near_duplicates(db.session, version),
    )


def _cluster_members(version: Version, cluster: int | None) -> frozenset[int] | None:
    if cluster is None:
        return None
    return frozenset(cid for cid, found in _clusters(version).items() if found == cluster)


def _kept_args(**changes: str | None) -> list[tuple[str, str]]:
    """The list's query arguments with ``changes`` (None: left out)."""
    args = {key: request.args[key] for key in FILTER_ARGS if request.args.get(key)}
    args.update(changes)  # type: ignore[arg-type]
    return [(key, value) for key, value in args.items() if value]


def _with_args(url: str, args: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(args)}" if args else url


def _list_url(version: Version, **changes: str | None) -> str:
    base = url_for(".register_list", slug=version.document.slug, number=version.number)
    return _with_args(base, _kept_args(**changes))


def _reaction_url(version: Version, reference: str) -> str:
    base = url_for(
        ".reaction", slug=version.document.slug, number=version.number, reference=reference
    )
    return _with_args(base, _kept_args())


def _sort_url(version: Version, criteria: register.WorkspaceFilter, sort: str) -> str:
    """The column heading's link: sorts by it, or the other way round when it already does."""
    flip = criteria.sort == sort and not criteria.descending
    return _list_url(version, sort=sort, order="desc" if flip else None, page=None)


# The list ------------------------------------------------------------------------------------


def _load(slug: str, number: int) -> tuple[Version, bool]:
    """The version, refused unless the visitor reads its workspace; and whether they decide."""
    version = load_version(slug, number)
    require(Action.READ_WORKSPACE, version.document)
    return version, can(current_user, Action.DECIDE, version.document)


def _assignee_choices(members: list[User], first: str) -> list[Any]:
    return options([("", first), ("0", _("Nobody")), *((str(p.id), p.name) for p in members)])


@bp.route("/documents/<slug>/v/<int:number>/feedback", methods=["GET", "POST"])
@keeps_input
def register_list(slug: str, number: int) -> Any:
    version, may_decide = _load(slug, number)
    members = register.review_group(db.session, version.document)
    form = None
    if may_decide:
        form = BulkForm()
        form.assignee.choices = _assignee_choices(members, _("Choose a person"))
        form.disposition.choices = options(
            [("", _("Choose a status")), *((d.value, DISPOSITION[d]) for d in DECISIONS)]
        )
    if request.method == "POST":
        if form is None:
            deny()
        if form.validate_on_submit():
            try:
                done = _bulk(version, form)
            except DecisionError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
            else:
                db.session.commit()
                flash(done, "success")
                return redirect(_list_url(version))
    return _render_list(version, form, members)


def _bulk(version: Version, form: BulkForm) -> str:
    """Assign or decide on the selected reactions, all of them or none; the message to show."""
    ids = list(dict.fromkeys(form.selected.data or []))
    comments = register.in_version(db.session, version, ids)
    if len(comments) != len(ids):
        raise DecisionError(_l("A selected reaction is not on this version; nothing changed."))
    if request.form.get("action") == "assign":
        if not form.assignee.data:
            raise DecisionError(_l("Choose whom to assign the reactions to."))
        person = _assignee(form.assignee.data)
        decisions.assign(db.session, current_user, comments, person)
        return _("%(count)d reactions assigned.", count=len(comments))
    status = form.disposition.data or ""
    if status not in {d.value for d in DECISIONS}:
        raise DecisionError(_l("Choose the status to set."))
    decision = Decision(
        Disposition(status), form.motivation.data or "", form.duplicate_of.data or None
    )
    decisions.decide_many(db.session, current_user, comments, decision)
    return _("%(count)d reactions decided: %(status)s.", count=len(comments),
             status=DISPOSITION[decision.disposition])  # fmt: skip


def _assignee(choice: str) -> User | None:
    """The person a form's assignee choice names ("0": nobody); whether they may take it on
    is for decisions.assign to say."""
    if choice == "0":
        return None
    person = db.session.get(User, parse_id(choice) or 0)
    if person is None:
        raise DecisionError(_l("That person is not in the review group."))
    return person


def _summary(version: Version) -> tuple[dict[Disposition, int], list[int]]:
    """The totals per status and the groups that reacted, kept until the next write of a
    reaction or decision (both grow with the reactions: hundreds of ms at 50,000)."""
    reading = queries.reading_scope(db.session, current_user, version)

    def make() -> tuple[dict[Disposition, int], list[int]]:
        totals = register.workspace_totals(db.session, version, current_user)
        groups = queries.groups_reacting(db.session, current_user, version)
        return totals, [group.id for group in groups]

    return kept(("workspace-summary", version.id, version.published_at,
                 version.feedback_revision, reading), make)  # fmt: skip


def _render_list(version: Version, form: BulkForm | None, members: list[User]) -> Any:
    criteria = _criteria(version)
    totals, group_ids = _summary(version)
    query = register.workspace_query(version, criteria, current_user)
    # Unfiltered, the kept totals give the number of rows: no count of them all per page.
    pagination = paginate(query, total=None if criteria.active else sum(totals.values()))
    clusters = _clusters(version)
    status = 400 if form is not None and (form.errors or form.form_errors) else 200
    return render_template(
        "workspace/list.html",
        document=version.document,
        version=version,
        criteria=criteria,
        pagination=pagination,
        comments=pagination.items,
        totals=totals,
        clusters=clusters,
        cluster_sizes=Counter(clusters.values()),
        cluster=int_arg("cluster"),
        sections=register.sections_of(db.session, version),
        groups=queries.groups_by_ids(db.session, group_ids),
        members=members,
        form=form,
        selected=set(form.selected.data or []) if form is not None else set(),
        sort_url=lambda sort: _sort_url(version, criteria, sort),
        list_url=lambda **changes: _list_url(version, **changes),
        reaction_url=lambda reference: _reaction_url(version, reference),
        kept_args=_kept_args(),
    ), status


# One reaction --------------------------------------------------------------------------------


def _comment(version: Version, reference: str) -> Comment:
    comment = register.by_reference(db.session, version, reference)
    # What the visitor may not read does not exist for them (an author, a group-only draft).
    if comment is None or not can(current_user, Action.READ_COMMENT, comment):
        abort(404)
    return comment


def _forms(comment: Comment, posted: str | None, members: list[User]) -> dict[str, Any]:
    """The page's three forms: the one ``posted`` (decide, assign, note) reads the request,
    the others show the reaction as it stands."""

    def made(form_class: type[Form], name: str, **values: Any) -> Any:
        if posted == name:
            return form_class(prefix=name)
        return form_class(formdata=None, prefix=name, **values)

    current = comment.disposition if comment.disposition in DECISIONS else None
    forms = {
        "decide": made(
            DecisionForm, "decide",
            disposition=current.value if current else None,
            motivation=comment.motivation or "",
            duplicate_of=comment.duplicate_of.reference if comment.duplicate_of else "",
            revision=str(comment.disposition_revision),
        ),
        "assign": made(AssignForm, "assign", assignee=str(comment.assignee_id or 0)),
        "note": made(NoteForm, "note"),
    }  # fmt: skip
    forms["decide"].disposition.choices = options((d.value, DISPOSITION[d]) for d in DECISIONS)
    forms["assign"].assignee.choices = _assignee_choices(members, "")[1:]
    return forms


@bp.route("/documents/<slug>/v/<int:number>/feedback/<reference>", methods=["GET", "POST"])
@keeps_input
def reaction(slug: str, number: int, reference: str) -> Any:
    version, may_decide = _load(slug, number)
    comment = _comment(version, reference)
    which = request.form.get("which") if request.method == "POST" else None
    if request.method == "POST" and not may_decide:
        deny()
    forms = _forms(comment, which, register.review_group(db.session, version.document))
    status = 200
    if request.method == "POST":
        action = {"decide": _decide, "assign": _assign, "note": _note}.get(which or "")
        if action is None:
            abort(400)
        outcome = action(comment, forms)
        if outcome is None:
            db.session.commit()
            return redirect(_reaction_url(version, comment.reference or reference))
        status = outcome
    return _render_reaction(version, comment, forms if may_decide else None, status)


def _decide(comment: Comment, forms: dict[str, Any]) -> int | None:
    """Record the decision form's decision: None when done, else the status of the page that
    shows why not (400; 409 when someone else decided meanwhile)."""
    form: DecisionForm = forms["decide"]
    if not form.validate_on_submit():
        return 400
    revision = parse_id(form.revision.data)
    if revision is None:
        form.form_errors.append(_("The form lacks its revision; open the reaction again."))
        return 400
    decision = Decision(
        Disposition(form.disposition.data), form.motivation.data or "", form.duplicate_of.data
    )
    try:
        decisions.decide(db.session, current_user, comment, decision, expected_revision=revision)
    except DecisionConflict as conflict:
        db.session.rollback()
        form.form_errors.append(str(conflict))
        # Sending the form again is a choice made knowing the other decision: it may stand.
        form.revision.data = str(comment.disposition_revision)
        return 409
    except DecisionError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return 400
    flash(_("Decision saved: %(status)s.", status=DISPOSITION[decision.disposition]), "success")
    return None


def _assign(comment: Comment, forms: dict[str, Any]) -> int | None:
    form: AssignForm = forms["assign"]
    if not form.validate_on_submit():
        return 400
    try:
        person = _assignee(form.assignee.data or "0")
        decisions.assign(db.session, current_user, [comment], person)
    except DecisionError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return 400
    flash(_("Assigned to %(name)s.", name=person.name if person else _("nobody")), "success")
    return None


def _note(comment: Comment, forms: dict[str, Any]) -> int | None:
    form: NoteForm = forms["note"]
    if not form.validate_on_submit():
        return 400
    try:
        decisions.add_note(db.session, current_user, comment, form.body.data or "")
    except DecisionError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return 400
    flash(_("Note added."), "success")
    return None


def _render_reaction(
    version: Version, comment: Comment, forms: dict[str, Any] | None, status: int
) -> Any:
    criteria = _criteria(version)
    around = register.neighbours(db.session, version, criteria, comment, current_user)
    replies = [r for r in comment.replies if can(current_user, Action.READ_COMMENT, r)]
    return render_template(
        "workspace/reaction.html",
        document=version.document,
        version=version,
        comment=comment,
        section_html=marked_section(comment.section, comment.quote_exact),
        replies=replies,
        forms=forms,
        answer=decisions.answer_of(comment),
        around=around,
        reaction_url=lambda reference: _reaction_url(version, reference),
        back_url=_list_url(version),
    ), status


def marked_section(section: Section, quote: str | None) -> Markup:
    """The section's stored HTML with the first occurrence of ``quote`` in a <mark>, where the
    passage lies within one stretch of text; else the HTML as it is (the quote is shown with
    the reaction anyway)."""
    html = section.html
    if not quote:
        return Markup(html)
    needle = str(escape(quote))
    at = html.find(needle)
    # Inside a tag (an attribute, say), the text is no passage: only outside one.
    while at != -1 and html.rfind("<", 0, at) > html.rfind(">", 0, at):
        at = html.find(needle, at + 1)
    if at == -1:
        return Markup(html)
    end = at + len(needle)
    return Markup(f'{html[:at]}<mark id="passage">{html[at:end]}</mark>{html[end:]}')
