"""Reacting: section threads (a section's page, and its threads as a fragment for the version
page), passage annotations, replies, edits, deleting (after a confirmation), moderation, my
feedback, a group's feedback, the commenter's answer to a decision and the open objections for
the review group.

What a reaction's author or moderator did to it is said next to the reaction (``_say_at``), on
the section's page the redirect leads to: a flash would show at the top of the page while the
browser shows the reaction further down."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..extensions import db
from ..feedback import attachments, decisions, posting, queries
from ..feedback import moderation as moderating
from ..feedback.attachments import AttachmentRefused
from ..feedback.errors import FeedbackError
from ..labels import ANSWER_VERDICT, DISPOSITION
from ..models import (
    AnswerVerdict,
    Attribution,
    Comment,
    CommentKind,
    CommentVisibility,
    DecisionAnswer,
    Disposition,
    Document,
    Group,
    Section,
    Version,
)
from ..permissions import Action, can
from .helpers import (
    Form,
    add_error,
    attachment_folder,
    commit_with_files,
    deny,
    enum_arg,
    int_arg,
    keeps_input,
    options,
    paginate,
    require,
)
from .loading import load_version
from .reactions import (
    CommentForm,
    ReplyForm,
    asked_questions,
    comment_form,
    earlier_page,
    question_choices,
    question_id_of,
    threads_context,
)
from .safety import safe_next_url

bp = Blueprint("review", __name__)


class EditForm(Form):
    body = TextAreaField(_l("Your reaction"))
    proposed_text = TextAreaField(_l("Proposed new wording (optional)"))
    question = SelectField(_l("Answers the question (optional)"), validate_choice=False)


class ReasonForm(Form):
    reason = StringField(_l("Reason"), validators=[Length(max=1000)])


class AnswerForm(Form):
    """The commenter's answer to a decision; the domain checks the text (decisions)."""

    verdict = RadioField(
        _l("Your answer to the decision"),
        validators=[InputRequired(_l("Choose whether you agree or object."))],
    )
    body = TextAreaField(
        _l("Explanation"),
        description=_l("Required when you object. At most 1,000 characters."),
    )

    def __init__(self, comment: Comment, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verdict.choices = options((v.value, label) for v, label in ANSWER_VERDICT.items())
        # The ids review/_comment.html's answer_form gives the fields: the error summary
        # links to them.
        self.verdict.id = f"answer-{comment.id}-{AnswerVerdict.AGREE.value}"
        self.body.id = f"answer-{comment.id}-body"


class FeedbackFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter form

    document = SelectField(_l("Document"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    group = SelectField(_l("Group"), validate_choice=False)


@bp.app_template_global("answer_of")
def _answer_of(comment: Comment) -> DecisionAnswer | None:
    """The answer to a reaction's decision as it stands, for review/_comment.html."""
    return decisions.answer_of(comment)


@bp.route("/documents/<slug>/v/<int:number>/s/<key>", methods=["GET", "POST"])
@keeps_input
def section(slug: str, number: int, key: str) -> Any:
    version = load_version(slug, number)
    target = _section_or_404(version, key)
    form = comment_form(version, target) if current_user.is_authenticated else None
    if form is not None and request.method == "GET":  # "Answer this question" chose one
        form.question.data = request.args.get("question", "")
    if request.method == "POST":
        if not current_user.is_authenticated:
            deny()
        assert form is not None
        if form.validate_on_submit() and _attribution_chosen(form):
            upload = _attached_file(form)
            try:
                comment = posting.post_comment(db.session, current_user, target, _new_comment(form))
                if upload is not None:
                    attachments.add_attachment(db.session, attachment_folder(), current_user,
                                               comment, *upload)  # fmt: skip
            except AttachmentRefused as error:
                db.session.rollback()
                form.attachment.errors = [str(error)]  # the reaction's text stays in the form
            except FeedbackError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
            else:
                commit_with_files(*comment.attachments)
                _say_at(comment, _posted_message(comment))
                return redirect(_comment_url(comment))
    return _render_section(version, target, form)


def _attribution_chosen(form: CommentForm) -> bool:
    """At a first reaction the person says how it is signed in public; stored with it."""
    if current_user.attribution is not None or "attribution" not in form:
        return True
    if not form.attribution.data:
        form.attribution.errors = [_("Choose how your reactions are signed.")]
        return False
    current_user.attribution = Attribution(form.attribution.data)
    return True


def _attached_file(form: CommentForm) -> tuple[str, bytes] | None:
    """The chosen file's name and content, its temporary file closed; None for none."""
    upload = form.attachment.data
    if not upload or not upload.filename:
        return None
    try:
        return upload.filename, upload.read()  # whole: its size is told right
    finally:
        upload.close()


def _new_comment(form: CommentForm) -> posting.NewComment:
    passage = None
    if (form.quote.data or "").strip():
        passage = posting.Passage(
            exact=form.quote.data or "",
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
        question_id=question_id_of(form),
    )


def _posted_message(comment: Comment) -> str:
    if comment.state.value == "pending":
        return _("Thank you. Your reaction is shown after a moderator has approved it.")
    return _("Thank you. Your reaction is placed.")


def _render_section(version: Version, target: Section, form: CommentForm | None) -> Any:
    status = 400 if form is not None and (form.errors or form.form_errors) else 200
    threads = threads_context(target)
    notice = session.pop(_NOTICE, None) if request.method == "GET" else None
    shown = {t.comment.id for t in threads["threads"]}
    shown.update(reply.id for t in threads["threads"] for reply in t.replies)
    asked = asked_questions(version)
    return render_template(
        "review/section.html",
        document=version.document,
        version=version,
        section=target,
        version_questions=[q for q in asked if q.section_id is None],
        section_questions=[q for q in asked if q.section_id == target.id],
        form=form,
        stale=g.get("stale_form", False),
        filter_groups=threads["summary"].groups(),
        notice=notice,
        notice_elsewhere=notice is not None and notice.get("id") not in shown,
        **threads,
    ), status


_NOTICE = "reaction_notice"  # the session's key for what ``_say_at`` says


def _say_at(comment: Comment, message: Any, category: str = "success") -> None:
    """Say ``message`` once next to ``comment`` on its section's page (review/_comment.html),
    where the redirect to the reaction's anchor leaves the visitor."""
    session[_NOTICE] = {"id": comment.id, "message": str(message), "category": category}


@bp.get("/documents/<slug>/v/<int:number>/s/<key>/reactions")
def threads(slug: str, number: int, key: str) -> Any:
    """One page of a section's threads as an HTML fragment: the version page fetches it when
    a section's reactions are opened (static/js/annotate.js). Its page links lead to the
    section's own page, so they work without the script too."""
    version = load_version(slug, number)
    target = _section_or_404(version, key)
    return render_template(
        "review/_threads.html",
        document=version.document,
        version=version,
        section=target,
        **threads_context(target),
    )


def _section_or_404(version: Version, key: str) -> Section:
    target = db.session.scalar(
        select(Section).where(Section.version_id == version.id, Section.key == key)
    )
    if target is None:
        abort(404)
    return target


def _comment_or_404(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    require(Action.READ_COMMENT, comment)
    return comment


def _comment_url(comment: Comment) -> str:
    """Where a reaction is shown: the page of its section's threads that holds it."""
    section = comment.section
    page = queries.thread_page(db.session, current_user, comment)
    return url_for(
        "review.section",
        slug=section.version.document.slug,
        number=section.version.number,
        key=section.key,
        page=page if page > 1 else None,
        _anchor=f"c-{comment.id}",
    )


@bp.get("/comments/<int:comment_id>")
def permalink(comment_id: int) -> Any:
    """A reaction's lasting address: to the page of its section's threads that shows it."""
    return redirect(_comment_url(_comment_or_404(comment_id)))


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
            add_error(form.body, str(error))
        else:
            db.session.commit()
            _say_at(answer, _posted_message(answer))
            return redirect(_comment_url(answer))
    return render_template("review/reply.html", parent=parent, form=form), 400


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
@keeps_input
def edit(comment_id: int) -> Any:
    comment = _comment_or_404(comment_id)
    if not can(current_user, Action.EDIT_COMMENT, comment):
        if comment.author_id != current_user.id or comment.is_deleted:
            deny()
        # Its author had an edit link a moment ago: say why it is gone.
        if comment.is_hidden:
            _say_at(comment, posting.why_not_editable(comment), "error")
            return redirect(_comment_url(comment))
        return _edit_refused(comment)
    form = EditForm(obj=comment)
    asks = comment.parent_id is None  # a reaction, not a reply: it may answer a question
    form.question.choices = (
        question_choices(comment.section.version, comment.section) if asks else []
    )
    if asks and request.method == "GET":
        form.question.data = str(comment.question_id or "")
    if form.validate_on_submit():
        try:
            posting.edit_comment(
                db.session, current_user, comment, form.body.data or "", form.proposed_text.data
            )
            if asks:
                posting.answer_question(db.session, current_user, comment,
                                        question_id_of(form))  # fmt: skip
        except FeedbackError as error:
            db.session.rollback()
            add_error(form.body, str(error))
        else:
            db.session.commit()
            _say_at(comment, _("Your changes are saved."))
            return redirect(_comment_url(comment))
    return render_template("review/edit.html", comment=comment, form=form), (
        400 if form.errors else 200
    )


def _edit_refused(comment: Comment) -> Any:
    """Its author's edit of a reaction that can no longer change (someone replied, or the
    version closed): the reason in plain words, and what they typed kept in a reply form,
    which is the way to add to it."""
    typed = EditForm().body.data if request.method == "POST" else None
    thread = comment.parent or comment  # replies answer the thread's reaction
    reply_form = None
    if not thread.is_deleted and can(current_user, Action.COMMENT, comment.section.version):
        token = uuid4().hex
        reply_form = ReplyForm(
            formdata=None, prefix=f"r{thread.id}", body=typed, client_token=token
        )
    return render_template(
        "review/edit_refused.html",
        comment=comment,
        thread=thread,
        reason=posting.why_not_editable(comment),
        typed=typed,
        reply_form=reply_form,
    ), 409


def _act(comment_id: int, action: Any, message: str, *args: Any, moderation: bool = False) -> Any:
    """Run a moderation or author action on a comment and go back: to the page the form came
    from when it says so (``next``: the moderation queue), else to the reaction."""
    comment = _comment_or_404(comment_id)
    if moderation:
        require(Action.MODERATE, comment.section.version.document)
    back = safe_next_url(request.form.get("next"))
    try:
        action(db.session, current_user, comment, *args)
    except FeedbackError as error:
        db.session.rollback()
        said, category = str(error), "error"
    else:
        db.session.commit()
        said, category = message, "success"
    if back:
        flash(said, category)
        return redirect(back)
    _say_at(comment, said, category)
    return redirect(_comment_url(comment))


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete(comment_id: int) -> Any:
    """GET: the reaction and a button to delete it (nothing is deleted by a link)."""
    if request.method == "POST":
        return _act(comment_id, posting.delete_comment, _("Your reaction is deleted."))
    comment = _comment_or_404(comment_id)
    require(Action.DELETE_COMMENT, comment)
    return render_template("review/delete.html", comment=comment)


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


@bp.post("/comments/<int:comment_id>/dismiss")
@login_required
def dismiss(comment_id: int) -> Any:
    """The reports on a reaction are unfounded: it stays, the reports are closed."""
    reason = ReasonForm().reason.data or ""
    return _act(
        comment_id,
        moderating.dismiss_reports,
        _("The report is marked as unfounded; the reaction stays visible."),
        reason,
        moderation=True,
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
    require(Action.MODERATE, document)
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
    pagination = paginate(queries.with_decisions(moderating.moderation_queue_query(document)))
    return render_template(
        "review/moderation.html",
        document=document,
        queue=pagination.items,
        pagination=pagination,
        reason_form=ReasonForm(),
        # Where the queue's actions lead back to (review._act reads it as ``next``).
        back=url_for(
            ".moderation", slug=slug, page=pagination.page if pagination.page > 1 else None
        ),
    )


@bp.post("/comments/<int:comment_id>/answer")
@login_required
@keeps_input
def answer(comment_id: int) -> Any:
    """The author (or their group's coordinator) agrees with or objects to the decision."""
    comment = _comment_or_404(comment_id)
    require(Action.ANSWER_DECISION, comment)
    form = AnswerForm(comment)
    if form.validate_on_submit():
        verdict = AnswerVerdict(form.verdict.data)
        try:
            decisions.answer_decision(
                db.session, current_user, comment, verdict, form.body.data or ""
            )
        except FeedbackError as error:
            db.session.rollback()
            add_error(form.body, str(error))
        else:
            db.session.commit()
            _say_at(comment, _("Thank you. Your answer to the decision is saved."))
            return redirect(_comment_url(comment))
    return render_template("review/answer.html", comment=comment, form=form), 400


def _on_readable_versions(comments: list[Comment]) -> list[Comment]:
    """A list's reactions on versions the visitor may still read (a document can be closed
    to one's groups after one reacted)."""
    return [c for c in comments if can(current_user, Action.READ_VERSION, c.section.version)]


@bp.get("/me/feedback")
@login_required
def my_feedback() -> str:
    documents = queries.documents_reacted_by(db.session, current_user)
    form, criteria = _feedback_filter(documents, _groups_of_mine())
    pagination = paginate(queries.comments_by_query(current_user, criteria))
    comments = _on_readable_versions(pagination.items)
    return render_template(
        "review/my_feedback.html",
        comments=comments,
        pagination=pagination,
        form=form,
        criteria=criteria,
    )


@bp.get("/groups/<int:group_id>/feedback")
@login_required
def group_feedback(group_id: int) -> str:
    """A group's reactions with their decisions, for its members; its coordinators answer
    the decisions from the reactions themselves."""
    group = db.get_or_404(Group, group_id)
    require(Action.REACT_FOR_GROUP, group)  # the membership check
    documents = [
        d
        for d in queries.documents_reacted_for(db.session, current_user, group)
        if can(current_user, Action.READ_DOCUMENT, d)
    ]
    form, criteria = _feedback_filter(documents, [])
    pagination = paginate(queries.group_comments_query(current_user, group, criteria))
    comments = _on_readable_versions(pagination.items)
    open_versions = [  # the documents' versions in one statement, not one per document
        version
        for version in queries.versions_of(db.session, documents)
        if can(current_user, Action.COMMENT, version)
    ]
    return render_template(
        "review/group_feedback.html",
        group=group,
        open_versions=open_versions,
        comments=comments,
        pagination=pagination,
        form=form,
        criteria=criteria,
    )


def _groups_of_mine() -> list[Group]:
    """One's groups, in one statement, by name."""
    ids = [m.group_id for m in current_user.memberships]
    if not ids:
        return []
    return list(db.session.scalars(select(Group).where(Group.id.in_(ids)).order_by(Group.name)))


def _feedback_filter(
    documents: list[Document], groups: list[Group]
) -> tuple[FeedbackFilterForm, queries.FeedbackFilter]:
    """The filter form of a list of reactions and what it asks; an unknown value filters
    nothing (as on the other lists)."""
    form = FeedbackFilterForm(request.args)
    form.document.choices = options(
        [("", _("All documents"))] + [(str(d.id), d.title) for d in documents]
    )
    form.status.choices = options(
        [("", _("Every status"))] + [(d.value, label) for d, label in DISPOSITION.items()]
    )
    form.group.choices = options([("", _("All groups"))] + [(str(g.id), g.name) for g in groups])
    criteria = queries.FeedbackFilter(
        document_id=int_arg("document"),
        disposition=enum_arg(Disposition, "status"),
        group_id=int_arg("group") if groups else None,
    )
    return form, criteria


@bp.get("/documents/<slug>/v/<int:number>/objections")
@login_required
def objections(slug: str, number: int) -> str:
    """The reactions on a version whose author objects to the decision as it stands: what
    the review group looks at again."""
    version = load_version(slug, number)
    require(Action.DECIDE, version.document)
    pagination = paginate(queries.listed(decisions.open_objections_query(version)))
    return render_template(
        "review/objections.html",
        document=version.document,
        version=version,
        pagination=pagination,
    )


@bp.get("/documents/<slug>/v/<int:number>/removed-sections")
def removed_sections(slug: str, number: int) -> str:
    """The reactions of earlier versions whose section this version no longer has: carried
    along all the same, so that none is lost from sight."""
    version = load_version(slug, number)
    total = queries.earlier_counts(db.session, current_user, version).get(None, 0)
    return render_template(
        "review/removed_sections.html",
        document=version.document,
        version=version,
        section=None,
        **earlier_page(version, None, total),
    )
