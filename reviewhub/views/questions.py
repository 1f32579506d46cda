"""The authors' page of a version's consultation questions: the list in its order, each with
its number of answers (linked to the workspace, filtered on it), a form to reword it, buttons
to move it up or down and to remove it, and the form to add one about a section or the
version as a whole. Every step is a form of its own that works without JavaScript; a refused
step shows the page again with the reason and what was typed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectField, TextAreaField

from ..clock import local_today
from ..extensions import db
from ..feedback import questions, register
from ..feedback.errors import FeedbackError
from ..models import Question, Section, Version
from ..permissions import Action, can
from .helpers import ButtonForm, Form, keeps_input, options, require
from .loading import load_version

bp = Blueprint("questions", __name__)

STEPS = ("reword", "up", "down", "remove")
WHOLE_VERSION = ""  # the section choice of a question about the version as a whole


class QuestionForm(Form):
    text = TextAreaField(
        _l("Question"),
        description=_l("At most 500 characters, such as “What do you miss in this chapter?”"),
    )
    section = SelectField(_l("About"), validate_choice=False)


class RewordForm(Form):
    text = TextAreaField(_l("Wording"))


def _load(slug: str, number: int) -> Version:
    version = load_version(slug, number)
    require(Action.MANAGE_QUESTIONS, version)
    return version


def _question_or_404(version: Version, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.version_id != version.id:
        abort(404)
    return question


@bp.get("/documents/<slug>/v/<int:number>/questions")
@login_required
def manage(slug: str, number: int) -> Any:
    version = _load(slug, number)
    return _page(version, _add_form(sent=False), {}, 200)


@bp.post("/documents/<slug>/v/<int:number>/questions")
@login_required
@keeps_input
def add(slug: str, number: int) -> Any:
    version = _load(slug, number)
    form = _add_form(sent=True)
    if form.validate_on_submit() and _added(version, form):
        db.session.commit()
        flash(_("The question is added."), "success")
        return redirect(url_for(".manage", slug=slug, number=number))
    _say_if_stale(form)
    return _page(version, form, {}, 400)


@bp.post("/documents/<slug>/v/<int:number>/questions/<int:question_id>/<step>")
@login_required
@keeps_input
def change(slug: str, number: int, question_id: int, step: str) -> Any:
    """Reword, move up or down, or remove one question."""
    version = _load(slug, number)
    if step not in STEPS:
        abort(404)
    question = _question_or_404(version, question_id)
    form: Form = RewordForm(prefix=f"q{question.id}") if step == "reword" else ButtonForm()
    if form.validate_on_submit():
        try:
            message = _take_step(question, step, form)
        except FeedbackError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            if message:
                flash(message, "success")
            anchor = f"question-{question_id}" if step != "remove" else None
            return redirect(url_for(".manage", slug=slug, number=number, _anchor=anchor))
    _say_if_stale(form)
    return _page(version, _add_form(sent=False), {question.id: form}, 400)


def _say_if_stale(form: Form) -> None:
    """A form refused for its CSRF token says so (the error summary leaves that field out)."""
    if "csrf_token" in form.errors:
        form.form_errors.append(_("This form was open too long or came from another page. "
                                  "Nothing was changed: try again."))  # fmt: skip


def _take_step(question: Question, step: str, form: Form) -> str:
    if step == "reword":
        assert isinstance(form, RewordForm)
        questions.reword_question(db.session, current_user, question, form.text.data or "")
        return _("The question is reworded.")
    if step == "remove":
        questions.remove_question(db.session, current_user, question)
        return _("The question is removed.")
    questions.move_question(db.session, current_user, question, -1 if step == "up" else 1)
    return ""  # the list shows it


def _add_form(*, sent: bool) -> QuestionForm:
    """The form to add a question; its section choices are the page's to fill in."""
    return QuestionForm() if sent else QuestionForm(formdata=None)


def _section_label(section: Section) -> str:
    return f"{section.number or ''} {section.heading or _('Opening text')}".strip()


def _added(version: Version, form: QuestionForm) -> bool:
    """Add the form's question; False when refused, with the reason at its field."""
    key = form.section.data or WHOLE_VERSION
    section = None
    if key != WHOLE_VERSION:
        section = db.session.scalar(
            select(Section).where(Section.version_id == version.id, Section.key == key)
        )
        if section is None:
            form.section.errors = [_("Choose a section of this version, or the whole version.")]
            return False
    try:
        questions.add_question(db.session, current_user, version, form.text.data or "", section)
    except FeedbackError as error:
        db.session.rollback()
        form.text.errors = [str(error)]
        return False
    return True


def _page(version: Version, form: QuestionForm, sent: dict[int, Form], status: int) -> Any:
    """The page; ``sent``: the form of a question that came back refused, by question id."""
    sections = register.sections_of(db.session, version)
    form.section.choices = options(
        [(WHOLE_VERSION, _("The whole version")), *((s.key, _section_label(s)) for s in sections)]
    )
    asked = questions.questions_of(db.session, version)
    counts = questions.answer_counts(db.session, version, current_user)
    rewords = {
        q.id: sent[q.id] if isinstance(sent.get(q.id), RewordForm)
        else RewordForm(formdata=None, prefix=f"q{q.id}", text=q.text)
        for q in asked
    }  # fmt: skip
    return render_template(
        "questions/manage.html",
        document=version.document,
        version=version,
        asked=asked,
        counts=counts,
        form=form,
        rewords=rewords,
        refused=sent,
        step_form=ButtonForm(formdata=None),
        changeable=version.effective_status(local_today()) in questions.CHANGEABLE,
        may_read_answers=can(current_user, Action.READ_WORKSPACE, version.document),
        section_labels={s.id: _section_label(s) for s in sections},
    ), status
