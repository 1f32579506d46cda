"""Searching (/search): the box in the site's header and the page of results, grouped by
document and version, narrowed by document, version and kind, a page at a time. What may be
found is the search wing's to decide; this page reads the query string and shows it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from wtforms import SearchField, SelectField

from ..extensions import db
from ..models import Document, Version
from ..permissions import Action, can
from ..search import (
    MAX_QUERY,
    MAX_TERMS,
    PER_PAGE,
    Kind,
    SearchResults,
    search,
    searchable_documents,
)
from .helpers import MAX_ID, CheckboxesField, Form, options, parse_id

bp = Blueprint("search", __name__)

KINDS = {
    Kind.DOCUMENT: _l("Document titles"),
    Kind.VERSION: _l("Versions (name and summary of changes)"),
    Kind.SECTION: _l("Sections of the text"),
    Kind.REACTION: _l("Reactions and replies"),
}


class SearchForm(Form):
    class Meta:
        csrf = False  # a GET form

    q = SearchField(_l("Search for"))
    document = SelectField(_l("In document"), validate_choice=False)
    version = SelectField(_l("In version"), validate_choice=False)
    kind = CheckboxesField(_l("Find"), validate_choice=False)


class _KnownPage(Pagination):
    """A page whose hits and total the search wing counted already."""

    def _query_items(self) -> list[Any]:
        return list(self._query_args["items"])

    def _query_count(self) -> int:
        return int(self._query_args["total"])


def _chosen_document(documents: list[Document]) -> Document | None:
    slug = request.args.get("document", "")
    return next((d for d in documents if d.slug == slug), None)


def _chosen_version(document: Document | None) -> Version | None:
    """The version asked for, of the chosen document, if the visitor may read it: a filter
    that cannot apply is left out, as elsewhere."""
    number = parse_id(request.args.get("version"))
    if document is None or number is None:
        return None
    found = next((v for v in document.versions if v.number == number), None)
    return found if found is not None and can(current_user, Action.READ_VERSION, found) else None


def _form(documents: list[Document], document: Document | None) -> SearchForm:
    form = SearchForm(request.args)
    form.q.data = (form.q.data or "")[:MAX_QUERY]
    documents_choice = [(d.slug, d.title) for d in documents]
    form.document.choices = options([("", _l("All documents")), *documents_choice])
    versions = document.versions if document is not None else []
    readable = [v for v in reversed(versions) if can(current_user, Action.READ_VERSION, v)]
    versions_choice = [(str(v.number), v.label) for v in readable]
    form.version.choices = options([("", _l("All versions")), *versions_choice])
    form.kind.choices = options(KINDS.items())
    return form


def _kinds() -> list[Kind]:
    asked = request.args.getlist("kind")
    return [kind for kind in Kind if kind.value in asked]


@bp.get("/search")
def search_page() -> str:
    documents = searchable_documents(db.session, current_user)
    document = _chosen_document(documents)
    version = _chosen_version(document)
    form = _form(documents, document)
    text = form.q.data or ""
    results: SearchResults | None = None
    pagination = None
    if text.strip():
        page = min(parse_id(request.args.get("page"), most=2**63 - 1) or 1, MAX_ID // PER_PAGE)
        results = search(db.session, current_user, text, document=document, version=version,
                         kinds=_kinds(), page=page)  # fmt: skip
        pagination = _KnownPage(page=results.page, per_page=PER_PAGE, max_per_page=None,
                                error_out=False, items=results.hits,
                                total=results.total)  # fmt: skip
    return render_template("search/search.html", form=form, results=results, max_terms=MAX_TERMS,
                           pagination=pagination, kinds=KINDS, document=document,
                           version=version)  # fmt: skip
