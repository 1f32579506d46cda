"""The review workspace of a version: the register of its reactions for the review group to
triage (filters, sorting, pages of 50, assigning and deciding in bulk) and one reaction's
page (its section, its thread, the decision, the history, the group's notes). The document's
authors read both; only the review group gets the forms."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
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

from ..exports.formats import FORMATS
from ..extensions import db
from ..feedback import carrying, decisions, hints, positions, queries, register
from ..feedback.clusters import near_duplicates
from ..feedback.decisions import Decision, DecisionConflict, DecisionError
from ..labels import COMMENT_KIND, DISPOSITION
from ..models import (
    CarriedReaction,
    CarryState,
    Comment,
    Disposition,
    Section,
    User,
    Version,
)
from ..permissions import Action, can
from ..text.words import word_diff
from .helpers import (
    Form,
    deny,
    form_id,
    int_arg,
    keeps_input,
    options,
    paginate,
    parse_id,
    require,
    workspace_filter,
)
from .loading import load_version
from .pagecache import kept, kept_here
from .reactions import asked_questions

bp = Blueprint("workspace", __name__)

# The query arguments that make the list what it is: kept by its links, its form, the
# reaction pages and their previous/next links.
FILTER_ARGS = ("section", "group", "kind", "status", "assignee", "motivation", "q", "cluster",
               "hint", "question", "sort", "order")  # fmt: skip
DECISIONS = [d for d in Disposition if d is not Disposition.NEW]  # "new" is never decided


class BulkForm(Form):
    selected = SelectMultipleField(_l("Select"), coerce=form_id, validate_choice=False)
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


class HintForm(Form):
    """Confirming a hint: the button pressed names the status (accepted or partly)."""

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
    return replace(workspace_filter(), comment_ids=_cluster_members(version, int_arg("cluster")))


@dataclass(frozen=True)
class Clusters:
    """A version's near-duplicate clusters: comment id → cluster id, and each one's size."""

    of: dict[int, int]
    sizes: Counter[int]

    def members(self, cluster: int) -> frozenset[int]:
        return frozenset(cid for cid, found in self.of.items() if found == cluster)


def _clusters(version: Version) -> Clusters:
    """Comparing the texts of a large version takes seconds, so the clusters are kept until a
    text changes; decisions, which change no text, leave them be (the feedback revision would
    not). Every list page reads them: kept in the process as well, not unpickled each time."""

    def make() -> Clusters:
        found = near_duplicates(db.session, version)
        return Clusters(found, Counter(found.values()))

    key = ("workspace-clusters", version.id, version.published_at, version.texts_revision)
    return kept_here(key, make)


def _cluster_members(version: Version, cluster: int | None) -> frozenset[int] | None:
    return None if cluster is None else _clusters(version).members(cluster)


@dataclass(frozen=True)
class Links:
    """The links of the list and of its reactions, each keeping the list's query arguments
    (its filter, sort and page) unless told otherwise: worked out once per request, since a
    page of the list has a hundred of them."""

    base: str  # the list's address
    args: tuple[tuple[str, str], ...]

    def list(self, **changes: str | None) -> str:
        """The list with ``changes`` to its arguments (None: left out)."""
        args = dict(self.args)
        args.update(changes)  # type: ignore[arg-type]
        return _with_args(self.base, [(key, value) for key, value in args.items() if value])

    def reaction(self, reference: str) -> str:
        # The reaction's page is the list's address and the reference (see the routes).
        return _with_args(f"{self.base}/{quote(reference, safe='')}", list(self.args))

    def sort(self, criteria: register.WorkspaceFilter, sort: str) -> str:
        """The column heading's link: sorts by it, or the other way round when it does."""
        flip = criteria.sort == sort and not criteria.descending
        return self.list(sort=sort, order="desc" if flip else None, page=None)


def _links(version: Version) -> Links:
    base = url_for(".register_list", slug=version.document.slug, number=version.number)
    args = tuple((key, request.args[key]) for key in FILTER_ARGS if request.args.get(key))
    return Links(base, args)


def _with_args(url: str, args: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(args)}" if args else url


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
                return redirect(_links(version).list())
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


def _totals(version: Version, reading: tuple[Any, ...]) -> dict[Disposition, int]:
    """The totals per status, kept until the next write of a reaction or a decision."""
    return kept(
        ("workspace-totals", version.id, version.published_at, version.feedback_revision,
         reading),
        lambda: register.workspace_totals(db.session, version, current_user),
    )  # fmt: skip


def _composition(version: Version, reading: tuple[Any, ...]) -> register.Composition:
    """The counts by group, section and kind: kept until a reaction is written, reworded,
    hidden or deleted (the texts revision), so deciding leaves them be."""
    return kept(
        ("workspace-composition", version.id, version.published_at, version.texts_revision,
         reading),
        lambda: register.workspace_composition(db.session, version, current_user),
    )  # fmt: skip


@dataclass(frozen=True)
class SectionChoice:
    id: int
    key: str
    label: str


def _section_choices(version: Version) -> list[SectionChoice]:
    """The version's sections as the filter and the rows name them; a published version's
    sections never change, so they are kept (per language)."""

    def make() -> list[SectionChoice]:
        return [
            SectionChoice(s.id, s.key, f"{s.number or ''} {s.heading or _('Opening text')}".strip())
            for s in register.sections_of(db.session, version)
        ]

    return kept(("workspace-sections", version.id, version.published_at, str(get_locale())), make)


def _section_options(version: Version, sections: list[SectionChoice], chosen: str | None) -> Markup:
    """The section filter's options (hundreds, for a long document): made once per version
    and language, the chosen one marked per request."""

    def make() -> str:
        return "".join(
            f'<option value="{escape(s.key)}">{escape(s.label)}</option>' for s in sections
        )

    html = kept(("workspace-section-options", version.id, version.published_at,
                 str(get_locale())), make)  # fmt: skip
    if chosen is not None:
        mark = f'<option value="{escape(chosen)}">'
        html = html.replace(mark, mark[:-1] + " selected>", 1)
    return Markup(html)  # made of escaped values above


def _selected(
    form: BulkForm | None, criteria: register.WorkspaceFilter, shown: list[Comment]
) -> set[int]:
    """The rows ticked: what was sent; on a cluster's list, all of it at first, since a
    cluster is there to be decided together."""
    if form is None:
        return set()
    if request.method == "GET" and criteria.comment_ids is not None:
        return {comment.id for comment in shown}
    return set(form.selected.data or [])


def _render_list(version: Version, form: BulkForm | None, members: list[User]) -> Any:
    criteria = _criteria(version)
    reading = queries.reading_scope(db.session, current_user, version)
    totals, composition = _totals(version, reading), _composition(version, reading)
    sections = _section_choices(version)
    section_id = next((s.id for s in sections if s.key == criteria.section_key), None)
    query = register.workspace_query(version, criteria, current_user)
    # The kept counts give the number of rows of most lists: no count of them per page.
    total = register.known_total(criteria, totals, composition, section_id)
    pagination = paginate(query, total=total)
    clusters = _clusters(version)
    links = _links(version)
    status = 400 if form is not None and (form.errors or form.form_errors) else 200
    return render_template(
        "workspace/list.html",
        document=version.document,
        version=version,
        criteria=criteria,
        pagination=pagination,
        comments=pagination.items,
        totals=totals,
        clusters=clusters.of,
        cluster_sizes=clusters.sizes,
        cluster=int_arg("cluster"),
        section_options=_section_options(version, sections, criteria.section_key),
        section_labels={s.id: s.label for s in sections},
        groups=queries.groups_by_ids(db.session, [g for g in composition.by_group if g]),
        asked=asked_questions(version),
        answers=composition.by_question,
        members=members,
        form=form,
        selected=_selected(form, criteria, pagination.items),
        sort_url=lambda sort: links.sort(criteria, sort),
        list_url=links.list,
        reaction_url=links.reaction,
        kept_args=list(links.args),
        export_formats=FORMATS,
        # Resolved once per page rather than once per row.
        kind_labels={kind: str(label) for kind, label in COMMENT_KIND.items()},
        status_labels={status: str(label) for status, label in DISPOSITION.items()},
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
        "hint": made(HintForm, "hint", revision=str(comment.disposition_revision)),
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
        action = {"decide": _decide, "assign": _assign, "note": _note,
                  "hint": _confirm_hint}.get(which or "")  # fmt: skip
        if action is None:
            abort(400)
        outcome = action(comment, forms)
        if outcome is None:
            db.session.commit()
            return redirect(_links(version).reaction(comment.reference or reference))
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


def _confirm_hint(comment: Comment, forms: dict[str, Any]) -> int | None:
    """Confirm that a later version took the reaction in (the button names the status)."""
    form: HintForm = forms["hint"]
    chosen = request.form.get("disposition", "")
    if not form.validate_on_submit() or chosen not in {d.value for d in decisions.TAKEN_IN}:
        form.form_errors.append(_("Choose accepted or partly accepted."))
        return 400
    try:
        hints.confirm_hint(db.session, current_user, comment, Disposition(chosen),
                           expected_revision=parse_id(form.revision.data))  # fmt: skip
    except DecisionConflict as conflict:
        db.session.rollback()
        form.form_errors.append(str(conflict))
        return 409
    except DecisionError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return 400
    flash(_("Confirmed: %(status)s.", status=DISPOSITION[Disposition(chosen)]), "success")
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
    links = _links(version)
    path = carrying.path_of(db.session, comment)
    position = positions.position_sent_as(db.session, comment)
    return render_template(
        "workspace/reaction.html",
        document=version.document,
        version=version,
        comment=comment,
        section_html=marked_section(comment.section, comment.quote_exact),
        replies=replies,
        forms=forms,
        answer=decisions.answer_of(comment),
        path=path,
        hint=_hint_shown(comment, path),
        position=position,
        editions=positions.editions_newest_first(position),
        around=around,
        reaction_url=links.reaction,
        back_url=links.list(),
    ), status


@dataclass(frozen=True)
class HintShown:
    """A hint on the reaction's page: the version that may have taken it in, and what
    changed in the section there, word by word, against the version before."""

    hint: hints.Hint
    step: CarriedReaction
    section_diff: list[tuple[int, str]]
    passage_diff: list[tuple[int, str]]


def _hint_shown(comment: Comment, path: list[CarriedReaction]) -> HintShown | None:
    if comment.disposition not in decisions.OPEN:
        return None
    hint = hints.hints_for(db.session, [comment.id]).get(comment.id)
    if hint is None:
        return None
    at = next(i for i, step in enumerate(path) if step.id == hint.carried_id)
    step = path[at]
    before = path[at - 1] if at else None
    old_section = before.section if before is not None else comment.section
    old_quote = before.quote_exact if before is not None else comment.quote_exact
    new_text = step.section.text if step.section is not None else ""
    changed = step.state is CarryState.CHANGED and old_quote and step.quote_exact
    return HintShown(
        hint, step,
        word_diff(old_section.text if old_section is not None else "", new_text),
        word_diff(old_quote or "", step.quote_exact or "") if changed else [],
    )  # fmt: skip


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
