"""The audit log as people read it: each event a sentence in the reader's language, with links
to what it concerns when that still exists and the reader may open it; the filter's choice
of actions; and the log as CSV. The things a page of events names are loaded with one query
per kind, so a page costs the same however long the log."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload

# SelectChoice is new in WTForms 3.3; types-WTForms still describes 3.2 (as in helpers).
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from .. import audit
from ..clock import TIMEZONE
from ..exports.flat import safe_cell
from ..extensions import db
from ..models import AuditEvent, Comment, Document, Group, Section, User, Version
from ..permissions import Action, can
from .helpers import display_name

CSV_BATCH = 500  # events read and described at a time while the CSV streams
CSV_HEADINGS = (_l("Time"), _l("What happened"), _l("Action code"), _l("Who"),
                _l("E-mail address"), _l("About"), _l("Details"))  # fmt: skip


def action_choices() -> list[SelectChoice]:
    """Every known action by its readable name, grouped by family, each family as a whole
    first; "" for all."""
    choices = [SelectChoice("", _("All actions"))]
    for prefix, name, actions in audit.families():
        family = str(name)
        choices.append(
            SelectChoice(f"{prefix}.", _("%(family)s: all", family=family), optgroup=family)
        )
        choices += [SelectChoice(action, audit.action_name(action), optgroup=family)
                    for action in actions]  # fmt: skip
    return choices


@dataclass(frozen=True)
class EventLine:
    event: AuditEvent
    html: Markup  # the sentence, with links
    text: str  # the sentence, plain
    actor_name: str
    actor_email: str
    about: str  # what the event is about, plain
    details: str  # what the sentence does not say


def describe(events: Iterable[AuditEvent]) -> list[EventLine]:
    events = list(events)
    things = _Things(events)
    return [_line(event, things) for event in events]


# CSV -------------------------------------------------------------------------------------


class _Sink:
    """What the CSV writer writes, handed on a chunk at a time."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def take(self) -> bytes:
        text, self.parts = "".join(self.parts), []
        return text.encode("utf-8")


def csv_chunks(query: Select[AuditEvent] | None, delimiter: str) -> Iterator[bytes]:
    """The events of ``query`` as CSV in UTF-8 with a byte order mark (Excel then reads the
    accents), a batch to a chunk; the time in Europe/Amsterdam. None: the headings alone."""
    sink = _Sink()
    writer = csv.writer(sink, delimiter=delimiter)
    writer.writerow([str(heading) for heading in CSV_HEADINGS])
    yield "\ufeff".encode() + sink.take()
    if query is None:
        return
    for batch in _batches(query):
        for line in describe(batch):
            event = line.event
            writer.writerow([safe_cell(cell) for cell in (
                event.at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M:%S"), line.text,
                event.action, line.actor_name, line.actor_email, line.about, line.details,
            )])  # fmt: skip
        yield sink.take()


def _batches(query: Select[AuditEvent]) -> Iterator[list[AuditEvent]]:
    """The events of ``query`` (newest first) a batch at a time, each batch continuing after
    the last event of the one before: no offset, so the last batch costs what the first does."""
    batch = list(db.session.scalars(query.limit(CSV_BATCH)))
    while batch:
        yield batch
        last = batch[-1]
        after = or_(
            AuditEvent.at < last.at, and_(AuditEvent.at == last.at, AuditEvent.id < last.id)
        )
        batch = list(db.session.scalars(query.where(after).limit(CSV_BATCH)))


# An event as a sentence ------------------------------------------------------------------


@dataclass(frozen=True)
class _Thing:
    """Something an event names: how it reads, and where it is (when the reader may go)."""

    text: str
    url: str | None = None

    def html(self) -> Markup:
        if self.url is None:
            return escape(self.text)
        return Markup('<a href="%s">%s</a>') % (self.url, self.text)


class _Values(dict[str, Any]):
    """A sentence's values: a placeholder that a translation got wrong reads as nothing
    rather than an error page."""

    def __missing__(self, key: str) -> str:
        return ""


def _line(event: AuditEvent, things: _Things) -> EventLine:
    actor, about = things.actor(event), things.about(event)
    values = audit.sentence_values(event)
    values["email"] = values["email"] or about.text  # an anonymised person's was erased
    template = str(audit.sentence_template(event.action, bool(event.object_type)))
    html_values = _Values(values, actor=actor.html(), object=about.html())
    text_values = _Values(values, actor=actor.text, object=about.text)
    group = things.group_of(event)
    if group is not None:
        html_values["group"], text_values["group"] = group.html(), group.text
    person = things.users.get(event.actor_id) if event.actor_id is not None else None
    return EventLine(
        event=event,
        html=_capitalised(escape(template) % html_values),
        text=_capitalised(template % text_values),
        actor_name=actor.text,
        actor_email=person.email if person is not None and not person.anonymised_at else "",
        about=about.text,
        details=audit.details_text(event),
    )


def _capitalised(sentence: Any) -> Any:
    """A sentence that starts with "the system" starts with a capital (a link stays as it
    is); Markup in, Markup out."""
    return sentence[:1].upper() + sentence[1:] if sentence[:1].islower() else sentence


class _Things:
    """What a batch of events names (people, groups, documents, versions, reactions), loaded
    with one query per kind of thing, whatever the number of events."""

    def __init__(self, events: list[AuditEvent]) -> None:
        wanted: dict[str, set[int]] = defaultdict(set)
        for event in events:
            if event.object_type and event.object_id is not None:
                wanted[event.object_type].add(event.object_id)
            if event.actor_id is not None:
                wanted["user"].add(event.actor_id)
            group_id = (event.details or {}).get("group_id")
            if isinstance(group_id, int):
                wanted["group"].add(group_id)
        self.users = _load(User, wanted["user"])
        self.groups = _load(Group, wanted["group"])
        self.documents = _load(Document, wanted["document"])
        self.versions = _load(Version, wanted["version"], joinedload(Version.document))
        self.comments = _load(
            Comment, wanted["comment"],
            joinedload(Comment.section).joinedload(Section.version).joinedload(Version.document),
            joinedload(Comment.parent),
        )  # fmt: skip

    def actor(self, event: AuditEvent) -> _Thing:
        person = self.users.get(event.actor_id) if event.actor_id is not None else None
        return _person(person) if person is not None else _Thing(str(display_name(None)))

    def group_of(self, event: AuditEvent) -> _Thing | None:
        group_id = (event.details or {}).get("group_id")
        group = self.groups.get(group_id) if isinstance(group_id, int) else None
        return _group(group) if group is not None else None

    def about(self, event: AuditEvent) -> _Thing:
        kind, key = event.object_type, event.object_id
        if not kind:
            return _Thing("")
        found = {
            "user": (self.users, _person),
            "group": (self.groups, _group),
            "document": (self.documents, _document),
            "version": (self.versions, _version),
            "comment": (self.comments, _comment),
        }.get(kind)
        if found is None:  # a kind of thing this page does not know (yet)
            return _Thing(event.summary or f"{kind} {key or ''}".strip())
        loaded, describe_thing = found
        if key is None or key not in loaded:  # removed since
            return _Thing(event.summary or _("something that no longer exists"))
        return describe_thing(loaded[key])


def _load(model: Any, ids: set[int], *loading: Any) -> Mapping[int, Any]:
    if not ids:
        return {}
    rows = db.session.scalars(select(model).options(*loading).where(model.id.in_(ids)))
    return {row.id: row for row in rows.unique()}


def _person(person: User) -> _Thing:
    may = can(current_user, Action.MANAGE_PEOPLE)
    url = url_for("admin.edit_person", person_id=person.id) if may else None
    return _Thing(str(display_name(person)), url)


def _group(group: Group) -> _Thing:
    may = can(current_user, Action.MANAGE_GROUPS)
    return _Thing(group.name, url_for("admin.edit_group", group_id=group.id) if may else None)


def _document(document: Document) -> _Thing:
    may = can(current_user, Action.READ_DOCUMENT, document)
    return _Thing(
        document.title, url_for("documents.document", slug=document.slug) if may else None
    )


def _version(version: Version) -> _Thing:
    """ "Dialoogversie 2 of Handelingskader"."""
    text = _("%(version)s of %(document)s", version=version.label, document=version.document.title)
    if not can(current_user, Action.READ_VERSION, version):
        return _Thing(text)
    url = url_for("documents.version", slug=version.document.slug, number=version.number)
    return _Thing(text, url)


def _comment(comment: Comment) -> _Thing:
    text = comment.reference or _("no. %(id)d", id=comment.id)
    may = can(current_user, Action.READ_COMMENT, comment)
    return _Thing(text, url_for("review.permalink", comment_id=comment.id) if may else None)
