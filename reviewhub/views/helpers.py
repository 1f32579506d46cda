"""What the blueprints share: reading query arguments safely, form helpers, refusing, and the
template helpers (asset URLs, display names, page links). No blueprint imports another."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

from flask import abort, current_app, g, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from flask_wtf import FlaskForm
from sqlalchemy import Select
from wtforms import Field, SelectMultipleField

# SelectChoice is new in WTForms 3.3; types-WTForms still describes 3.2.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.widgets import CheckboxInput, ListWidget

from ..extensions import db, login_manager
from ..feedback.attachments import remove_files
from ..feedback.register import SORTS, WorkspaceFilter
from ..models import Attachment, Attribution, CommentKind, Disposition, User
from ..permissions import Action, can

E = TypeVar("E", bound=Enum)
V = TypeVar("V", bound=Callable[..., ResponseReturnValue])


# The largest number every id column holds: PostgreSQL's INTEGER (SQLite's holds more). A
# larger id in a URL or query string would reach the database as an error, a 500 (found by
# the API's contract fuzzing at 2**31).
MAX_ID = 2**31 - 1


def display_name(user: User | None) -> str:
    """How a person is named on pages; anonymised accounts stay recognisable as such."""
    if user is None:
        return _l("the system")
    return user.name or _l("Former participant")


def signed_name(user: User | None) -> str:
    """How a reaction is signed where everyone reads it, as its author chose: name, function
    and organisation, or the organisation only. (The review group's pages name the person.)"""
    if user is None or not user.name:
        return display_name(user)
    if user.attribution is Attribution.ORGANISATION:
        return user.organisation or _l("A participant")
    return ", ".join(part for part in (user.name, user.function, user.organisation) if part)


def attachment_folder() -> Path:
    """Where reactions' files lie: the instance folder, outside anything the web server
    serves (REVIEWHUB_ATTACHMENT_FOLDER to put them elsewhere)."""
    configured = current_app.config.get("ATTACHMENT_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def commit_with_files(*attachments: Attachment) -> None:
    """Commit; when that fails, the files just written go too (no file without its row)."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        remove_files(attachment_folder(), list(attachments))
        raise


@cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """A static file's URL with its content hash, so browsers may cache it for a year."""
    assert current_app.static_folder
    return url_for(
        "static", filename=filename, v=_file_digest(f"{current_app.static_folder}/{filename}")
    )


def enum_arg(enum_class: type[E], name: str) -> E | None:
    """The query-string argument ``name`` as a member of ``enum_class``; None when absent or
    unknown (a filter that cannot match is simply not applied)."""
    value = request.args.get(name, "")
    return enum_class(value) if value in enum_class._value2member_map_ else None


def parse_id(text: str | None, most: int = MAX_ID) -> int | None:
    """``text`` as an id or count a database column can hold, else None. ``str.isdigit``
    alone lets through "²" (``int`` fails on it) and numbers too large for the database."""
    if not text or not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > 19:
        return None
    value = int(text)
    return value if value <= most else None


def form_id(value: Any) -> int:
    """A form's id (a field's ``coerce``), or ValueError: WTForms then reports the field as
    invalid."""
    found = parse_id(str(value))
    if found is None:
        raise ValueError(value)
    return found


def int_arg(name: str) -> int | None:
    """The query-string argument ``name`` as a non-negative number (see ``parse_id``); None
    when absent or not such a number."""
    return parse_id(request.args.get(name))


def page_url(endpoint: str, page: int, arg: str = "page") -> str:
    """This page's URL asking for another ``page`` (in the query argument ``arg``), the other
    query arguments kept. They are encoded, never passed to ``url_for`` as keywords:
    ``?endpoint=x`` or ``?_method=…`` would clash with its own parameters."""
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != arg]
    base = url_for(endpoint, **(request.view_args or {}))
    return f"{base}?{urlencode([*kept, (arg, str(page))])}"


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox field, from (value, label) pairs."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


def add_error(field: Field, message: str) -> None:
    """Show ``message`` at ``field``, as if its validation had found it (a field's errors are
    a tuple until it is validated, a list after)."""
    field.errors = [*field.errors, message]


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes: usable by keyboard and screen reader alike."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Form(FlaskForm):
    """Every form of the site. Once the busy database made a write fail for good, the view is
    shown again with what was typed: no form validates then, so nothing is written twice."""

    def validate_on_submit(self, extra_validators: Any = None) -> bool:
        if g.get("write_failed"):
            return False
        return bool(super().validate_on_submit(extra_validators))


class ButtonForm(Form):
    """A button that does one thing: nothing to fill in but its CSRF token."""


def require(action: Action, obj: Any = None) -> None:
    """Go on only if the visitor may do ``action`` on ``obj``; else refuse, one way
    everywhere (``deny``)."""
    if not can(current_user, action, obj):
        deny()


def deny() -> NoReturn:
    """Refuse: visitors are sent to log in (they may have access then), people who are
    logged in get 403."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    abort(403)


def keeps_input(view: V) -> V:
    """Mark a form view that re-renders itself, input kept, when its form went stale."""
    view.__dict__["keeps_input"] = True  # read by errors._stale_form; wrappers copy it
    return view


PAGE_SIZE = 50  # rows per page of a list (people, groups, one's reactions, the moderation queue)


class _CountedPagination(SelectPagination):
    """A page whose total is known already (kept counts): no count of every row per page."""

    def _query_count(self) -> int:
        return int(self._query_args["total"])


def paginate(
    query: Select[Any], per_page: int = PAGE_SIZE, total: int | None = None, arg: str = "page"
) -> Pagination:
    """One page of ``query`` as the query argument ``arg`` asks; past the end, an empty page.
    ``total``: the number of rows, when known, instead of counting them."""
    # Capped so that the offset still fits the database; so far is past the end anyway.
    asked = parse_id(request.args.get(arg), most=2**63 - 1)  # far past the end is a page too
    page = min(asked or 1, MAX_ID // per_page)
    if total is not None:
        return _CountedPagination(select=query, session=db.session, total=total, page=page,
                                  per_page=per_page, error_out=False)  # fmt: skip
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def workspace_filter() -> WorkspaceFilter:
    """The workspace's filter and sort as the query string gives them (its list, its
    reactions' pages and its exports read the same arguments); a near-duplicate cluster is
    the workspace's own to add."""
    args = request.args
    sort = args.get("sort", "reference")
    return WorkspaceFilter(
        section_key=args.get("section") or None,
        group_id=int_arg("group"),
        kind=enum_arg(CommentKind, "kind"),
        disposition=enum_arg(Disposition, "status"),
        assignee_id=parse_id(args.get("assignee", "")),
        has_motivation={"yes": True, "no": False}.get(args.get("motivation", "")),
        text=args.get("q", "")[:200],
        hinted=args.get("hint") == "yes",
        question_id=int_arg("question"),
        sort=sort if sort in SORTS else "reference",
        descending=args.get("order") == "desc",
    )
