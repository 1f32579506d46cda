"""The reaction forms and what a page needs to show reactions: shared by the version page
(documents) and a section's own page (review), so neither blueprint imports the other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

from flask import get_template_attribute, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..extensions import db
from ..feedback import queries
from ..labels import COMMENT_KIND
from ..models import Comment, CommentKind, CommentVisibility, Section, Version
from ..permissions import Action, can
from .helpers import Form, enum_arg, int_arg, options


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


class ReplyForm(Form):
    body = TextAreaField(_l("Your reply"))
    client_token = HiddenField()


def comment_form(version: Version, section: Section | None) -> CommentForm:
    """The reaction form of one section; the prefix keeps ids unique on the version page.
    Without a section: the placeholder form that ``section_forms`` copies."""
    form = CommentForm(prefix=f"s{section.id}" if section else _PLACEHOLDER["prefix"])
    form.kind.choices = options((kind.value, label) for kind, label in COMMENT_KIND.items())
    groups = [m.group for m in current_user.memberships]
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
    if not form.client_token.data:
        form.client_token.data = uuid4().hex
    return form


# The prefix ends in a letter so that WTForms adds its "-", as it does for "s<id>".
_PLACEHOLDER = {"prefix": "sSECTIONID", "key": "SECTIONKEY", "token": "CLIENTTOKEN"}


class _PlaceholderSection:
    key = _PLACEHOLDER["key"]


def section_forms(version: Version) -> Callable[[Section], Markup]:
    """A function giving each section's reaction form. The form is rendered once and copied
    per section: rendering fifty WTForms forms made the version page slow."""
    form = comment_form(version, None)
    form.client_token.data = _PLACEHOLDER["token"]
    macro = get_template_attribute("review/_comment_form.html", "comment_form")
    html = str(macro(form, _PlaceholderSection, version))

    def for_section(section: Section) -> Markup:
        return Markup(
            html.replace(_PLACEHOLDER["prefix"], f"s{section.id}")
            .replace(_PLACEHOLDER["key"], section.key)
            .replace(_PLACEHOLDER["token"], uuid4().hex)
        )

    return for_section


def reply_form_for(comment: Comment) -> ReplyForm:
    return ReplyForm(formdata=None, prefix=f"r{comment.id}", client_token=uuid4().hex)


def feedback_context(version: Version) -> dict[str, Any]:
    """What the version page needs to show reactions: threads, counts, filters, forms."""
    criteria = _filter_from_request()
    threads = queries.version_threads(db.session, current_user, version, criteria)
    return {
        "threads": threads,
        "counts": {section_id: queries.thread_count(t) for section_id, t in threads.items()},
        "criteria": criteria,
        "filter_groups": queries.groups_reacting(db.session, current_user, version),
        "annotations": _annotations(threads),
        "may_comment": can(current_user, Action.COMMENT, version),
        "section_form": section_forms(version)
        if can(current_user, Action.COMMENT, version)
        else None,
        "reply_form_for": reply_form_for,
    }


def _annotations(threads: dict[int, list[queries.Thread]]) -> dict[int, list[dict[str, Any]]]:
    """Per section, the passages to highlight (for static/js/annotate.js). The threads hold
    only reactions the viewer may read; hidden and deleted ones keep their quote to
    themselves, as the thread does."""
    return {
        section_id: [
            {
                "id": t.comment.id,
                "start": t.comment.quote_start,
                "end": t.comment.quote_end,
                "exact": t.comment.quote_exact,
            }
            for t in section_threads
            if t.comment.has_quote and not t.comment.is_deleted and not t.comment.is_hidden
        ]
        for section_id, section_threads in threads.items()
    }


def _filter_from_request() -> queries.CommentFilter:
    args = request.args
    return queries.CommentFilter(
        kind=enum_arg(CommentKind, "kind"),
        group_id=int_arg("group"),
        mine=args.get("mine") == "1" and current_user.is_authenticated,
        unanswered=args.get("unanswered") == "1",
    )
