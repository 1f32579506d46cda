"""The reaction forms and what a page needs to show reactions: shared by the version page
(documents) and a section's own page and its threads (review), so neither blueprint imports
the other. The version page holds counts and one form; threads come a section at a time."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from flask import get_template_attribute, request
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from flask_wtf.csrf import generate_csrf
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import Length, Optional

from ..extensions import db
from ..feedback import queries
from ..feedback.display import passage_diff
from ..labels import ATTRIBUTION, COMMENT_KIND
from ..models import (
    CarriedReaction,
    CarryState,
    Comment,
    CommentKind,
    CommentVisibility,
    Group,
    Question,
    Section,
    Version,
)
from ..permissions import Action, can
from .helpers import Form, enum_arg, int_arg, options, paginate, parse_id
from .pagecache import kept, kept_with_values
from .textcache import SectionInfo, VersionText


class CommentForm(Form):
    kind = RadioField(_l("What kind of reaction"), validators=[Optional()])
    body = TextAreaField(
        _l("Your reaction"),
        description=_l("At most 2,000 characters. *Emphasis*, lists and links are possible."),
    )
    group = SelectField(_l("On behalf of"), coerce=int, validators=[Optional()])
    visibility = RadioField(_l("Who may read it"), default=CommentVisibility.PUBLIC.value)
    quote = StringField(
        _l("Passage you react to (optional)"),
        validators=[Length(max=2000)],
        description=_l(
            "Select text in the section, or type or paste the exact words here. "
            "Leave empty to react to the whole section."
        ),
    )
    quote_prefix = HiddenField()
    quote_suffix = HiddenField()
    quote_start = IntegerField(validators=[Optional()])
    proposed_text = TextAreaField(
        _l("Proposed new wording (optional)"),
        validators=[Length(max=4000)],
        description=_l("Only for a suggestion on a passage: how would you write it?"),
    )
    client_token = HiddenField()
    attachment = FileField(
        _l("Attachment (optional)"),
        description=_l("A PDF, Word (.docx) or OpenDocument (.odt) file of at most 10 MB, "
                       "such as your group's position paper."),
    )  # fmt: skip
    attribution = RadioField(_l("How should your reactions be signed for everyone to read?"),
                             validators=[Optional()])  # fmt: skip
    # Checked by the domain (feedback.questions), which says what is wrong with a choice.
    question = SelectField(_l("Answers the question (optional)"), validate_choice=False)


class ReplyForm(Form):
    body = TextAreaField(_l("Your reply"))
    client_token = HiddenField()


def comment_form(version: Version, section: Section | None) -> CommentForm:
    """The reaction form of one section, its fields named ``s<id>-…`` as the section's route
    reads them. Without a section: the version page's one form, whose placeholder prefix
    static/js/annotate.js turns into a section's when it moves the form there."""
    form = CommentForm(prefix=f"s{section.id}" if section else _PLACEHOLDER["prefix"])
    form.kind.choices = options((kind.value, label) for kind, label in COMMENT_KIND.items())
    if current_user.attribution is None:  # asked once, at the first reaction
        form.attribution.choices = options((a.value, label) for a, label in ATTRIBUTION.items())
    else:
        del form.attribution
    # One query for all of one's groups, in the order of one's memberships (not one each).
    ids = [m.group_id for m in current_user.memberships]
    found = db.session.scalars(select(Group).where(Group.id.in_(ids))).all() if ids else []
    by_id: dict[int, Group] = {group.id: group for group in found}
    groups = [by_id[group_id] for group_id in ids if group_id in by_id]
    oneself = can(current_user, Action.REACT_AS_ONESELF, version)
    form.group.choices = options([(0, _("Myself"))] if oneself else [])
    form.group.choices += options(
        (g.id, g.name) for g in groups if can(current_user, Action.REACT_FOR_GROUP, g)
    )
    form.visibility.choices = options(
        [
            (CommentVisibility.PUBLIC.value, _("Everyone who can read the document")),
            (CommentVisibility.GROUP.value, _("Only my group and the review group")),
        ]
    )
    form.question.choices = question_choices(version, section)
    if not form.client_token.data:
        form.client_token.data = uuid4().hex
    return form


@dataclass(frozen=True)
class AskedQuestion:
    """A consultation question as the reading pages show it."""

    id: int
    text: str
    section_id: int | None  # None: about the version as a whole
    section_key: str | None


def asked_questions(version: Version) -> tuple[AskedQuestion, ...]:
    """The version's questions in their order, kept with its feedback revision (which every
    change of a question moves on, feedback.questions): one query until the next change."""

    def make() -> tuple[AskedQuestion, ...]:
        rows = db.session.execute(
            select(Question.id, Question.text, Question.section_id, Section.key)
            .outerjoin(Section, Section.id == Question.section_id)
            .where(Question.version_id == version.id)
            .order_by(Question.position, Question.id)
        )
        return tuple(AskedQuestion(*row) for row in rows)

    key = ("questions", version.id, version.published_at, version.feedback_revision)
    return kept(key, make)


def question_choices(version: Version, section: Section | None) -> list[SelectChoice]:
    """The questions a reaction on ``section`` may answer: the version's and the section's.
    Without a section (the version page's one form) all of them, each section's marked with
    its key: annotate.js keeps those of the section it moves the form to."""
    choices = [SelectChoice("", _("None"))]
    for asked in asked_questions(version):
        if section is not None and asked.section_id not in (None, section.id):
            continue
        marked = (
            {"data-section-key": asked.section_key} if section is None and asked.section_key else {}
        )
        choices.append(SelectChoice(str(asked.id), asked.text, render_kw=marked))
    return choices


def question_id_of(form: Any) -> int | None:
    """The question a form's ``question`` field says its reaction answers (the reaction
    form's, the edit form's); anything but an id is 0, which names no question: the domain
    then says so, and the text stays in the form."""
    chosen = (form.question.data or "").strip()
    if not chosen:
        return None
    return parse_id(chosen) or 0


# The prefix ends in a letter so that WTForms adds its "-", as it does for "s<id>".
_PLACEHOLDER = {"prefix": "sSECTIONID", "key": "SECTIONKEY"}


class _PlaceholderSection:
    key = _PLACEHOLDER["key"]


def reply_form_for(comment: Comment) -> ReplyForm:
    return ReplyForm(formdata=None, prefix=f"r{comment.id}", client_token=uuid4().hex)


def feedback_context(version: Version) -> dict[str, Any]:
    """What the version page needs about reactions: the filters, one form (which annotate.js
    moves to a section) and ``reading``, the key of what the visitor may read with these
    filters. The counts per section come with the text (``counted_text``); the threads load
    per section (``threads_context``): the page costs the same whatever the number of
    reactions."""
    criteria = _filter_from_request()
    may_comment = can(current_user, Action.COMMENT, version)
    return {
        "reading": (_reading(version, criteria), may_comment),
        "criteria": criteria,
        "filter_args": filter_args(criteria),
        "may_comment": may_comment,
        "version_form": version_form(version) if may_comment else None,
        "placeholder": _PLACEHOLDER,
        "version_questions": [q for q in asked_questions(version) if q.section_id is None],
    }


def version_form(version: Version) -> Markup:
    """The version page's one form, rendered once per version, language and set of choices
    (its WTForms widgets cost more than the rest of the page) and kept: each request puts in
    its own CSRF token and submission token."""
    form = comment_form(version, None)
    choices = tuple((str(choice[0]), str(choice[1])) for choice in form.group.iter_choices())
    key = ("version-form", version.id, version.published_at, choices, asked_questions(version),
           str(get_locale()), request.script_root)  # fmt: skip
    macro = get_template_attribute("review/_comment_form.html", "comment_form")
    values = [generate_csrf(), form.client_token.data]
    return Markup(
        kept_with_values(key, lambda: str(macro(form, _PlaceholderSection, version)), values)
    )


def _reading(version: Version, criteria: queries.CommentFilter) -> tuple[Any, ...]:
    """What decides which reactions the visitor is shown: the reading scope and the filter."""
    scope = queries.reading_scope(db.session, current_user, version)
    mine = current_user.id if criteria.mine else None
    return (scope, mine, criteria.kind, criteria.group_id, criteria.unanswered)


@dataclass(frozen=True)
class FeedbackSummary:
    """What the visitor may read of a version's reactions, with a filter: the counts per
    section and the groups that reacted (the group filter's choices)."""

    counts: dict[int, queries.SectionCount]
    group_ids: tuple[int, ...]
    removed: int = 0  # earlier reactions whose section this version no longer has

    def groups(self) -> list[Group]:
        return queries.groups_by_ids(db.session, self.group_ids)


def feedback_summary(version: Version, criteria: queries.CommentFilter) -> FeedbackSummary:
    """Kept per version, feedback revision and reading: the grouped count (which grows with
    the reactions) runs once for everyone who reads the same, until the next reaction."""
    key = ("feedback-summary", version.id, version.published_at, version.feedback_revision,
           _reading(version, criteria))  # fmt: skip

    def make() -> FeedbackSummary:
        earlier = queries.earlier_counts(db.session, current_user, version)
        counts = queries.section_counts(db.session, current_user, version, criteria, earlier)
        groups = queries.groups_reacting(db.session, current_user, version)
        return FeedbackSummary(counts, tuple(group.id for group in groups), earlier.get(None, 0))

    return kept(key, make)


@dataclass(frozen=True)
class CountedText:
    """The version's text with the visitor's counts filled in, as UTF-8 (kept and sent as
    it is), and what the filters need."""

    html: bytes
    any_reactions: bool
    summary: FeedbackSummary


def counted_text(version: Version, text: VersionText, feedback: dict[str, Any]) -> CountedText:
    """The text with counts, kept per version, feedback revision, reading and language."""
    summary = feedback_summary(version, feedback["criteria"])
    key = ("counted-text", version.id, version.published_at, version.feedback_revision,
           feedback["reading"], str(get_locale()), request.script_root)  # fmt: skip

    def make() -> CountedText:
        html = text.fill(section_parts(version, feedback, summary.counts))
        return CountedText(html.encode(), bool(summary.counts), summary)

    return kept(key, make)


_SLOT = re.compile(r"XX(key|id|title|reactions|kinds|questions)XX")


def section_parts(
    version: Version, feedback: dict[str, Any], counts: dict[int, queries.SectionCount]
) -> Callable[[str, SectionInfo], str]:
    """What the version page shows of the reactions per section (``feedback`` is
    ``feedback_context``): for each mark of the kept text (views/textcache.py), the count in
    the contents (``badge``) or the part under the section (``feedback``). The shapes of
    review/_section_feedback.html are rendered once and filled in per section."""
    may_comment = bool(feedback["may_comment"])

    def macro(name: str) -> Any:
        return get_template_attribute("review/_section_feedback.html", name)

    def shape(with_reactions: bool) -> str:
        return str(
            macro("section_feedback")(
                version.document,
                version,
                with_reactions,
                may_comment,
                feedback["filter_args"],
            )
        )

    badge, with_count, without = str(macro("count_badge")()), shape(True), shape(False)
    asked = section_questions(version, may_comment)
    kind_labels = {kind: str(label) for kind, label in COMMENT_KIND.items()}
    labels: dict[int, str] = {}

    def reactions(number: int) -> str:
        if number not in labels:
            labels[number] = ngettext("%(num)d reaction", "%(num)d reactions", number)
        return labels[number]

    slots: dict[int, dict[str, str]] = {}  # per section: the badge and the part below share

    def values(section: SectionInfo, count: queries.SectionCount | None) -> dict[str, str]:
        if section.id not in slots:
            kinds = " · ".join([
                *(f"{label}: {count.kinds[kind]}" for kind, label in kind_labels.items()
                  if count is not None and kind in count.kinds),
                *([_("with a decision: %(num)d", num=count.decided)]
                  if count is not None and count.decided else []),
                *([_("from earlier versions: %(num)d", num=count.earlier)]
                  if count is not None and count.earlier else []),
            ])  # fmt: skip
            slots[section.id] = {
                "key": str(escape(section.key)),
                "id": str(section.id),
                "title": str(escape(section.title)),
                "reactions": str(escape(reactions(count.reactions + count.earlier)))
                if count
                else "",
                "kinds": str(escape(kinds)),
                "questions": asked.get(section.id, ""),  # rendered by its macro
            }
        return slots[section.id]

    def part(place: str, section: SectionInfo) -> str:
        count = counts.get(section.id)
        if count is None and (place == "badge" or not (may_comment or section.id in asked)):
            return ""
        filled = values(section, count)
        template = badge if place == "badge" else with_count if count else without
        return _SLOT.sub(lambda slot: filled[slot.group(1)], template)

    return part


def section_questions(version: Version, may_comment: bool) -> dict[int, str]:
    """Per section with questions of its own, what the version page shows of them above
    the section's form (review/_questions.html): a few sections have them, so a macro call
    each costs little."""
    by_section: dict[int, list[AskedQuestion]] = {}
    for asked in asked_questions(version):
        if asked.section_id is not None:
            by_section.setdefault(asked.section_id, []).append(asked)
    macro = get_template_attribute("review/_questions.html", "question_list")
    heading = _("Questions about this section")
    return {
        section_id: str(macro(version.document, version, listed, heading, None, may_comment))
        for section_id, listed in by_section.items()
    }


def threads_context(section: Section) -> dict[str, Any]:
    """One page of a section's threads as the request asks (``page``, filters), with their
    passages to highlight: for the section's page and for the threads fragment."""
    version = section.version
    criteria = _filter_from_request()
    summary = feedback_summary(version, criteria)
    count = summary.counts.get(section.id)
    pagination = _paginate(
        queries.threads_query(current_user, version, criteria, section),
        total=count.threads if count else 0,
    )
    threads = queries.with_replies(current_user, pagination.items)
    return {
        **earlier_page(version, section, count.earlier if count else 0),
        "threads": threads,
        "pagination": pagination,
        "criteria": criteria,
        "filter_args": filter_args(criteria),
        "annotations": _annotations(threads),
        "may_comment": can(current_user, Action.COMMENT, version),
        "reply_form_for": reply_form_for,
        "summary": summary,
    }


@dataclass(frozen=True)
class EarlierItem:
    """A reaction of an earlier version as a later version shows it."""

    carried: CarriedReaction
    comment: Comment
    passage_diff: list[tuple[int, str]]  # the old passage against its new wording (if changed)


def earlier_page(version: Version, section: Section | None, total: int) -> dict[str, Any]:
    """One page (``?earlier=N``) of the reactions of earlier versions carried to ``section``
    (None: to no section, theirs being removed), for the templates' review/_earlier.html."""
    earlier = paginate(
        queries.earlier_reactions_query(current_user, version, section),
        queries.THREADS_PER_PAGE,
        total=total,
        arg="earlier",
    )
    return {"earlier": earlier, "earlier_items": [_earlier_item(c) for c in earlier.items]}


def _earlier_item(carried: CarriedReaction) -> EarlierItem:
    comment = carried.comment
    changed = carried.state is CarryState.CHANGED and comment.quote_exact and carried.quote_exact
    diff = passage_diff(comment.quote_exact or "", carried.quote_exact or "") if changed else []
    return EarlierItem(carried, comment, diff)


def _paginate(query: Any, total: int, per_page: int = queries.THREADS_PER_PAGE) -> Pagination:
    """One page of ``query`` whose ``total`` the kept counts give: counting thousands of
    threads again for every page made a busy section's page slow."""
    return paginate(query, per_page, total)


def _annotations(threads: list[queries.Thread]) -> list[dict[str, Any]]:
    """The passages to highlight (for static/js/annotate.js) of the threads shown. The threads
    hold only reactions the viewer may read; hidden and deleted ones keep their quote to
    themselves, as the thread does."""
    return [
        {
            "id": t.comment.id,
            "start": t.comment.quote_start,
            "end": t.comment.quote_end,
            "exact": t.comment.quote_exact,
        }
        for t in threads
        if t.comment.has_quote and not t.comment.is_deleted and not t.comment.is_hidden
    ]


def filter_args(criteria: queries.CommentFilter) -> dict[str, str]:
    """The filter as query arguments, for links to a section's threads that keep it."""
    args = {}
    if criteria.kind is not None:
        args["kind"] = criteria.kind.value
    if criteria.group_id is not None:
        args["group"] = str(criteria.group_id)
    if criteria.mine:
        args["mine"] = "1"
    if criteria.unanswered:
        args["unanswered"] = "1"
    return args


def _filter_from_request() -> queries.CommentFilter:
    args = request.args
    return queries.CommentFilter(
        kind=enum_arg(CommentKind, "kind"),
        group_id=int_arg("group"),
        mine=args.get("mine") == "1" and can(current_user, Action.REACT),  # readers have none
        unanswered=args.get("unanswered") == "1",
    )
