"""A group's positions on a version: the overview of the sections its members reacted to, and
per section the page where its coordinator composes the position from those reactions, keeps
it in preparation and sends it (again). Members read both; only coordinators get the form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired

from ..extensions import db
from ..feedback import positions
from ..feedback.positions import Draft, PositionError
from ..labels import COMMENT_KIND
from ..models import Comment, CommentKind, Group, GroupPosition, Section, Version
from ..permissions import Action, can
from .helpers import Form, form_id, keeps_input, options, paginate, require
from .loading import load_version

bp = Blueprint("positions", __name__)


class PositionForm(Form):
    kind = RadioField(_l("Kind"), validators=[InputRequired(message=_l("Choose a kind."))])
    body = TextAreaField(
        _l("The group's position"),
        description=_l("Sent as the group's reaction on this section. At most 2,000 "
                       "characters; Markdown is possible."),
    )  # fmt: skip
    sources = SelectMultipleField(
        _l("Taken from these reactions"), coerce=form_id, validate_choice=False
    )


def _load(group_id: int, slug: str, number: int) -> tuple[Group, Version, bool]:
    """The group and version, refused unless the visitor is in the group and reads the
    version; and whether they coordinate the group."""
    group = db.get_or_404(Group, group_id)
    require(Action.REACT_FOR_GROUP, group)
    version = load_version(slug, number)
    return group, version, can(current_user, Action.COORDINATE, group)


@bp.get("/groups/<int:group_id>/positions/<slug>/v/<int:number>")
@login_required
def overview(group_id: int, slug: str, number: int) -> str:
    group, version, coordinates = _load(group_id, slug, number)
    rows = positions.overview(db.session, group, version)
    sections = {s.id: s for s in _sections(version, [row.section_id for row in rows])}
    return render_template(
        "positions/overview.html",
        group=group, version=version, document=version.document, rows=rows,
        sections=sections, coordinates=coordinates,
        open=can(current_user, Action.COMMENT, version),
    )  # fmt: skip


def _sections(version: Version, ids: list[int]) -> list[Section]:
    if not ids:
        return []
    return list(
        db.session.scalars(select(Section).where(Section.version_id == version.id,
                                                 Section.id.in_(ids)))
    )  # fmt: skip


@bp.route("/groups/<int:group_id>/positions/<slug>/v/<int:number>/s/<key>",
          methods=["GET", "POST"])  # fmt: skip
@login_required
@keeps_input
def compose(group_id: int, slug: str, number: int, key: str) -> Any:
    group, version, coordinates = _load(group_id, slug, number)
    section = db.session.scalar(
        select(Section).where(Section.version_id == version.id, Section.key == key)
    )
    if section is None:
        abort(404)
    position = positions.position_of(db.session, group, section)
    form = _form(position) if coordinates else None
    status = 200
    if request.method == "POST":
        if form is None:
            abort(403)
        done = _act(group, section, position, form)
        if isinstance(done, BaseResponse):
            return done
        status = done
    return _render(group, version, section, position, form, status)


def _form(position: GroupPosition | None) -> PositionForm:
    if request.method == "POST":
        form = PositionForm()
    else:
        form = PositionForm(
            formdata=None,
            kind=position.kind.value if position else CommentKind.GENERAL.value,
            body=position.body if position else "",
            sources=[s.id for s in position.sources] if position else [],
        )
    form.kind.choices = options((kind.value, label) for kind, label in COMMENT_KIND.items())
    return form


def _act(
    group: Group, section: Section, position: GroupPosition | None, form: PositionForm
) -> BaseResponse | int:
    """Merge (show the text with the selected reactions added), save or send; a redirect
    when done, else the status of the page that shows the form again."""
    action = request.form.get("action")
    if not form.validate_on_submit():
        return 400
    chosen = list(dict.fromkeys(form.sources.data or []))
    if action == "merge":
        selected = db.session.scalars(
            positions.member_reactions_query(group, section).where(Comment.id.in_(chosen))
        ).all()
        form.body.data = positions.merged_text(form.body.data or "", selected)
        return 200
    if action not in ("save", "send"):
        abort(400)
    draft = Draft(CommentKind(form.kind.data), form.body.data or "", chosen)
    try:
        saved = positions.save_position(db.session, current_user, group, section, draft)
        if action == "send":
            edition = positions.send_position(db.session, current_user, saved)
    except PositionError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return 400
    db.session.commit()
    if action == "send":
        flash(_("Sent to the review group as edition %(number)d.", number=edition.number),
              "success")  # fmt: skip
    else:
        flash(_("Saved; the position is in preparation until you send it."), "success")
    return redirect(request.path)


def _render(
    group: Group,
    version: Version,
    section: Section,
    position: GroupPosition | None,
    form: PositionForm | None,
    status: int,
) -> Any:
    members = paginate(positions.member_reactions_query(group, section))
    return render_template(
        "positions/compose.html",
        group=group, version=version, document=version.document, section=section,
        position=position, form=form, members=members,
        chosen=set(form.sources.data or []) if form is not None else set(),
        editions=positions.editions_newest_first(position),
        pending=positions.pending_diff(position)
        if position is not None and position.in_preparation and position.editions else [],
        overview_url=url_for(".overview", group_id=group.id, slug=version.document.slug,
                             number=version.number),
    ), status  # fmt: skip
