"""Pages that are not rendered again when nothing they show has changed.

Each page names what it shows (``parts``: the version and its feedback revision, the
document's versions, the visitor's reading scope…); with the visitor, the language, the date,
the address and the code itself, that gives the page's ETag. A browser that sends the ETag
back gets 304 Not Modified. Anonymous visitors, who all see the same page, share one rendered
copy in the cache, each with their own CSRF token put in (views keep smaller parts with
``kept`` and ``kept_with_values``). Nothing expires to be right: a
write of a reaction moves the version's feedback revision on (feedback.revisions), which
changes every key that depends on it."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import cache as once
from pathlib import Path
from threading import Lock
from time import time
from typing import Any, TypeVar

from flask import current_app, make_response, request, session
from flask.wrappers import Response
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..clock import local_today
from ..extensions import cache

T = TypeVar("T")
H = TypeVar("H", str, bytes)

# A page answered with 304 keeps the token it was rendered with: a new ETag every half
# CSRF lifetime keeps that token valid while the page is in use (Flask-WTF: an hour).
TOKEN_PERIOD = 1800


def kept(key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """``make()``, kept in the cache (memory or Redis) under ``key`` for the next request."""
    name = _digest(("kept", *key))
    found = cache.get(name)
    if found is None:
        found = make()
        cache.set(name, found)
    return found


# Values read on every request of a page and costly to unpickle (a version's near-duplicate
# clusters: a dict of every clustered reaction) are also kept in this process, a few at a time.
# Their keys change with what they show, as in the shared cache, so a copy here is never stale.
_HERE: OrderedDict[str, Any] = OrderedDict()
_HERE_SIZE = 16
_here_lock = Lock()


def kept_here(key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """``kept(key, make)``, with the last few values also in this process's memory."""
    name = f"{current_app.config.get('CACHE_KEY_PREFIX', '')}{_digest(('kept', *key))}"
    with _here_lock:
        if name in _HERE:
            _HERE.move_to_end(name)
            return _HERE[name]
    value = kept(key, make)
    with _here_lock:
        _HERE[name] = value
        while len(_HERE) > _HERE_SIZE:
            _HERE.popitem(last=False)
    return value


def kept_with_values(key: tuple[Any, ...], render: Callable[[], H], values: list[str]) -> H:
    """The HTML ``render()`` makes (text or UTF-8), kept under ``key`` without this
    request's ``values`` (its CSRF token, a form's submission token…): ``values`` must be
    what ``render()`` puts in, and each later request passes, and gets, its own."""
    name = _digest(("with-values", *key))
    marks = [f"\x00value{index}\x00" for index in range(len(values))]
    stored = cache.get(name)
    if stored is None:
        html = render()
        cache.set(name, _replaced(html, values, marks))
        return html
    return _replaced(stored, marks, values)


def _replaced(html: H, old: list[str], new: list[str]) -> H:
    for before, after in zip(old, new, strict=True):
        if isinstance(html, bytes):
            html = html.replace(before.encode(), after.encode())
        else:
            html = html.replace(before, after)
    return html


def conditional_page(
    parts: tuple[Any, ...],
    render: Callable[[], bytes],
    last_modified: datetime | None = None,
) -> Response:
    """The page ``render()`` makes (UTF-8), answered with 304 when the browser holds it already and,
    for anonymous visitors, kept whole. ``parts`` must change whenever the page would."""
    if session.get("_flashes"):  # a message to show once: render, keep nothing
        return _fresh(render())
    etag = _digest((*parts, *_visitor(), *_request_parts()))
    if request.if_none_match.contains(etag):
        return _headers(Response(status=304), etag, last_modified)
    if current_user.is_authenticated:
        body = render()
    else:
        body = kept_with_values(("page", etag), render, [generate_csrf()])
    return _headers(make_response(body), etag, last_modified)


def _visitor() -> tuple[Any, ...]:
    if not current_user.is_authenticated:
        return ("anonymous",)
    user = current_user
    return (user.id, user.name, user.role, user.email, user.attribution,
            int(time() // TOKEN_PERIOD))  # fmt: skip


def _request_parts() -> tuple[Any, ...]:
    config = current_app.config  # the organisation's name and logo are on every page
    return (str(get_locale()), local_today(), request.script_root, request.full_path,
            _code_stamp(current_app.root_path, str(current_app.template_folder)),
            config.get("ORG_NAME"), config.get("ORG_LOGO"))  # fmt: skip


def _headers(response: Response, etag: str, last_modified: datetime | None) -> Response:
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    # Private: every page holds the visitor's CSRF token. no-cache: ask each time (cheap).
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def _fresh(body: bytes) -> Response:
    response = make_response(body)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _digest(parts: tuple[Any, ...]) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@once
def _code_stamp(*folders: str) -> str:
    """The code and templates that render pages: a deployment changes every ETag."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in {".py", ".html", ".mo", ".css", ".js"}:
                digest.update(str(path).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
