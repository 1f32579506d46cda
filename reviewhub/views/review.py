"""Reacting: section threads, passage annotations, replies, edits, moderation, my feedback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..extensions import db
from ..feedback import moderation as moderating
from ..feedback import posting, queries
from ..feedback.errors import FeedbackError
from ..labels import COMMENT_KIND
from ..models import Comment, CommentKind, CommentVisibility, Document, Section, Version
from ..permissions import Action, can
from ..web import deny, enum_arg, int_arg, keeps_input, options
from .loading import load_version

bp = Blueprint("review", __name__)


class CommentForm(FlaskForm):
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


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"))
    client_token = HiddenField()


class EditForm(FlaskForm):
    body = TextAreaField(_l("Your reaction"))
    proposed_text = TextAreaField(_l("Proposed new wording (optional)"))


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=1000)])


def comment_form(section: Section | None) -> CommentForm:
    """The reaction form of one section; the prefix keeps ids unique on the version page.
    Without a section: the placeholder form that ``section_forms`` copies."""
    form = CommentForm(prefix=f"s{section.id}" if section else _PLACEHOLDER["prefix"])
    form.kind.choices = options((kind.value, label) for kind, label in COMMENT_KIND.items())
    groups = [m.group for m in current_user.memberships if m.group.active]
    form.group.choices = options([(0, _("Myself"))] if not _needs_group() else [])
    form.group.choices += options((g.id, g.name) for g in groups)
    form.visibility.choices = options(
        [
            (CommentVisibility.PUBLIC.value, _("Everyone who can read the document")),
            (CommentVisibility.GROUP.value, _("Only my group and the review group")),
        ]
    )
    if not form.client_token.data:
        form.client_token.data = uuid4().hex
    return form


def _needs_group() -> bool:
    return current_user.role.value == "partner"


# The prefix ends in a letter so that WTForms adds its "-", as it does for "s<id>".
_PLACEHOLDER = {"prefix": "sSECTIONID", "key": "SECTIONKEY", "token": "CLIENTTOKEN"}


class _PlaceholderSection:
    key = _PLACEHOLDER["key"]


def section_forms(version: Version) -> Callable[[Section], Markup]:
    """A function giving each section's reaction form. The form is rendered once and copied
    per section: rendering fifty WTForms forms made the version page slow."""
    form = comment_form(None)
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


@bp.route("/documents/<slug>/v/<int:number>/s/<key>", methods=["GET", "POST"])
@keeps_input
def section(slug: str, number: int, key: str) -> Any:
    version = load_version(slug, number)
    target = _section_or_404(version, key)
    form = comment_form(target) if current_user.is_authenticated else None
    if request.method == "POST":
        if not current_user.is_authenticated:
            deny()
        assert form is not None
        if form.validate_on_submit():
            try:
                comment = posting.post_comment(db.session, current_user, target, _new_comment(form))
            except FeedbackError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
            else:
                db.session.commit()
                flash(_posted_message(comment), "success")
                return redirect(_comment_url(comment))
    return _render_section(version, target, form)


def _new_comment(form: CommentForm) -> posting.NewComment:
    passage = None
    if (form.quote.data or "").strip():
        passage = posting.Passage(
            exact=form.quote.data,
            prefix=form.quote_prefix.data or "",
            suffix=form.quote_suffix.data or "",
            start=form.quote_start.data,
        )
    return posting.NewComment(
        kind=CommentKind(form.kind.data) if form.kind.data else None,
        body=form.body.data or "",
        client_token=form.client_token.data or uuid4().hex,
        group_id=form.group.data or None,
        visibility=CommentVisibility(form.visibility.data or "public"),
        passage=passage,
        proposed_text=form.proposed_text.data,
    )


def _posted_message(comment: Comment) -> str:
    if comment.state.value == "pending":
        return _("Thank you. Your reaction is shown after a moderator has approved it.")
    return _("Thank you. Your reaction is placed.")


def _render_section(version: Version, target: Section, form: CommentForm | None) -> Any:
    status = 400 if form is not None and (form.errors or form.form_errors) else 200
    return render_template(
        "review/section.html",
        document=version.document,
        version=version,
        section=target,
        form=form,
        stale=g.get("stale_form", False),
        **feedback_context(version),
    ), status


def _section_or_404(version: Version, key: str) -> Section:
    target = db.session.scalar(
        select(Section).where(Section.version_id == version.id, Section.key == key)
    )
    if target is None:
        abort(404)
    return target


def _comment_or_404(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    if not can(current_user, Action.READ_COMMENT, comment):
        deny()
    return comment


def _comment_url(comment: Comment) -> str:
    section = comment.section
    return url_for(
        "documents.version",
        slug=section.version.document.slug,
        number=section.version.number,
        _anchor=f"c-{comment.id}",
    )


@bp.post("/comments/<int:comment_id>/replies")
@login_required
@keeps_input
def reply(comment_id: int) -> Any:
    parent = _comment_or_404(comment_id)
    form = ReplyForm(prefix=f"r{parent.id}")
    if form.validate_on_submit():
        new = posting.NewComment(
            kind=None, body=form.body.data or "", client_token=form.client_token.data or ""
        )
        try:
            answer = posting.post_comment(db.session, current_user, parent.section, new, parent)
        except FeedbackError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            flash(_posted_message(answer), "success")
            return redirect(_comment_url(answer))
    return render_template("review/reply.html", parent=parent, form=form), 400


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit(comment_id: int) -> Any:
    comment = _comment_or_404(comment_id)
    if not can(current_user, Action.EDIT_COMMENT, comment):
        if comment.is_hidden and comment.author_id == current_user.id:
            # Its author had an edit link a moment ago: say why it is gone.
            flash(posting.why_not_editable(comment), "error")
            return redirect(_comment_url(comment))
        abort(403)
    form = EditForm(obj=comment)
    if form.validate_on_submit():
        try:
            posting.edit_comment(
                db.session, current_user, comment, form.body.data, form.proposed_text.data
            )
        except FeedbackError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(_comment_url(comment))
    return render_template("review/edit.html", comment=comment, form=form), (
        400 if form.errors else 200
    )


def _act(comment_id: int, action: Any, message: str, *args: Any, moderation: bool = False) -> Any:
    """Run a moderation or author action on a comment and go back to it."""
    comment = _comment_or_404(comment_id)
    if moderation and not can(current_user, Action.MODERATE, comment.section.version.document):
        abort(403)
    try:
        action(db.session, current_user, comment, *args)
    except FeedbackError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(_comment_url(comment))


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete(comment_id: int) -> Any:
    return _act(comment_id, posting.delete_comment, _("Your reaction is deleted."))


@bp.post("/comments/<int:comment_id>/hide")
@login_required
def hide(comment_id: int) -> Any:
    reason = ReasonForm().reason.data or ""
    return _act(
        comment_id, moderating.hide_comment, _("The reaction is hidden."), reason, moderation=True
    )


@bp.post("/comments/<int:comment_id>/restore")
@login_required
def restore(comment_id: int) -> Any:
    return _act(
        comment_id, moderating.restore_comment, _("The reaction is visible again."), moderation=True
    )


@bp.post("/comments/<int:comment_id>/approve")
@login_required
def approve(comment_id: int) -> Any:
    return _act(
        comment_id, moderating.approve_comment, _("The reaction is approved."), moderation=True
    )


@bp.post("/comments/<int:comment_id>/report")
@login_required
def report(comment_id: int) -> Any:
    reason = ReasonForm().reason.data or ""
    return _act(
        comment_id,
        moderating.report_comment,
        _("Thank you. A moderator will look at the reaction."),
        reason,
    )


@bp.route("/documents/<slug>/moderation", methods=["GET", "POST"])
@login_required
def moderation(slug: str) -> Any:
    document = db.session.scalar(select(Document).where(Document.slug == slug))
    if document is None:
        abort(404)
    if not can(current_user, Action.MODERATE, document):
        abort(403)
    if request.method == "POST":
        on = request.form.get("premoderation") == "on"
        moderating.set_premoderation(db.session, current_user, document, on)
        db.session.commit()
        flash(
            _("New reactions now wait for approval.")
            if on
            else _("New reactions now appear at once."),
            "success",
        )
        return redirect(url_for(".moderation", slug=slug))
    return render_template(
        "review/moderation.html",
        document=document,
        queue=moderating.moderation_queue(db.session, document),
        reason_form=ReasonForm(),
    )


@bp.get("/me/feedback")
@login_required
def my_feedback() -> str:
    comments = [
        c
        for c in queries.comments_by(db.session, current_user)
        if can(current_user, Action.READ_VERSION, c.section.version)
    ]
    return render_template("review/my_feedback.html", comments=comments)
