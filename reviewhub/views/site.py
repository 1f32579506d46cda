"""Site-wide pages: the front page, the language switch, and what every page's footer links
to (the privacy statement, the accessibility statement, contact and help), with the
organisation's name and logo from the configuration. A setting that cannot be used never
breaks a page: the page falls back to the default and the log says why, once."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from .. import accounts
from ..extensions import db
from ..models import AnswerVerdict, Disposition
from ..permissions import Action, can
from ..text.sections import render_markdown
from .safety import safe_next_url

bp = Blueprint("site", __name__)
log = logging.getLogger(__name__)

# The compliance statuses of the Dutch model accessibility statement (digitoegankelijk.nl).
STATUSES = {
    "A": _l("A: fully compliant"),
    "B": _l("B: partially compliant"),
    "C": _l("C: first measures taken"),
    "D": _l("D: no measures taken"),
    "E": _l("E: not compliant"),
}
STATUS_MEANING = {
    "A": _l("The website meets all accessibility requirements."),
    "B": _l(
        "The website meets part of the accessibility requirements. For each known problem we "
        "describe below what we do about it."
    ),
    "C": _l(
        "The first measures have been taken to meet the accessibility requirements; a full "
        "evaluation has been planned."
    ),
    "D": _l("No measures have been taken yet to meet the accessibility requirements."),
    "E": _l("The website does not meet the accessibility requirements."),
}
DEFAULT_STATUS = "B"  # as config.load_config
DEFAULT_STATEMENT_DATE = date(2026, 12, 1)  # as config.load_config

# What each decision on a reaction means, for the help on the contact page.
DECISION_MEANING = {
    Disposition.NEW: _l("The review group has not yet looked at the reaction."),
    Disposition.IN_PROGRESS: _l("The review group is working on the reaction."),
    Disposition.ACCEPTED: _l("The reaction is taken into the text of a next version."),
    Disposition.PARTLY_ACCEPTED: _l(
        "Part of the reaction is taken into the text; the motivation says which part."
    ),
    Disposition.NOT_ACCEPTED: _l("The text does not change; the motivation says why."),
    Disposition.NOTED: _l(
        "The review group has taken note of the reaction; it asks for no change."
    ),
    Disposition.ANSWERED: _l("The review group has answered the question."),
    Disposition.OUT_OF_SCOPE: _l("The reaction is about something the framework does not cover."),
    Disposition.DUPLICATE: _l(
        "The same point was made in another reaction; the decision on that one applies."
    ),
}

# The pages an organisation may write itself, in REVIEWHUB_PAGES_DIR as <page>.<language>.md.
OWN_PAGES = ("privacy", "accessibility", "contact")
MAX_OWN_TEXT_BYTES = 256 * 1024
MAX_LOGO_BYTES = 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# An SVG file: an <svg> element after at most an XML declaration, comments and a doctype.
_SVG_START = re.compile(
    r"\s*(?:(?:<\?xml.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)\s*)*<svg[\s>/]", re.S
)
# The logo is the organisation's file, shown in <img>; opened on its own, an SVG could still
# run a script in this site's origin: this policy forbids it.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
YEAR = 365 * 24 * 3600
DAY = 24 * 3600


@cache
def _warn_once(message: str) -> None:
    """A bad setting is reported once per process, not on every page that falls back."""
    log.warning(message)


# Reading the settings -------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    organisation: str
    email: str
    phone: str
    privacy_email: str

    @property
    def phone_link(self) -> str:
        """The number as a tel: link takes it: digits and a leading plus only, without the
        "(0)" that a Dutch number written with its country code often keeps."""
        return "tel:" + re.sub(r"[^\d+]", "", self.phone.replace("(0)", ""))


def contact_details(config: Mapping[str, Any]) -> Contact:
    email = str(config.get("CONTACT_EMAIL") or "").strip()
    return Contact(
        organisation=organisation_name_in(config),
        email=email,
        phone=str(config.get("CONTACT_PHONE") or "").strip(),
        privacy_email=str(config.get("PRIVACY_EMAIL") or "").strip() or email,
    )


def organisation_name_in(config: Mapping[str, Any]) -> str:
    return str(config.get("ORG_NAME") or "").strip() or "ReviewHub"


def accessibility_status(config: Mapping[str, Any]) -> str:
    """The configured compliance status (A-E), else the default."""
    value = str(config.get("ACCESSIBILITY_STATUS") or DEFAULT_STATUS).strip().upper()
    if value in STATUSES:
        return value
    _warn_once(
        f"REVIEWHUB_ACCESSIBILITY_STATUS {value!r} is not one of A, B, C, D, E: "
        f"the accessibility statement shows {DEFAULT_STATUS}"
    )
    return DEFAULT_STATUS


def statement_date(config: Mapping[str, Any]) -> date:
    """The configured date of the accessibility statement, else the default."""
    value = config.get("ACCESSIBILITY_DATE")
    if isinstance(value, date):
        return value
    if not value:
        return DEFAULT_STATEMENT_DATE
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        _warn_once(
            f"REVIEWHUB_ACCESSIBILITY_DATE {value!r} is not a date (YYYY-MM-DD): "
            f"the accessibility statement shows {DEFAULT_STATEMENT_DATE.isoformat()}"
        )
        return DEFAULT_STATEMENT_DATE


@dataclass(frozen=True)
class Logo:
    data: bytes
    mimetype: str
    etag: str


def image_type(data: bytes) -> str | None:
    """``image/png`` or ``image/svg+xml`` by what the file holds (its name may say anything);
    None for anything else."""
    if data.startswith(PNG_SIGNATURE):
        return "image/png"
    head = data[:4096].decode("utf-8", "ignore").lstrip("\ufeff")
    return "image/svg+xml" if _SVG_START.match(head) else None


def organisation_logo(config: Mapping[str, Any]) -> Logo | None:
    """The configured logo, read once per version of the file; None without a usable one."""
    path = str(config.get("ORG_LOGO") or "").strip()
    if not path:
        return None
    try:
        stat = os.stat(path)
    except OSError as error:
        _warn_once(f"REVIEWHUB_ORG_LOGO {path!r} cannot be read ({error.strerror}): no logo shown")
        return None
    return _read_logo(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_logo(path: str, mtime_ns: int, size: int) -> Logo | None:
    """(The modification time and size are part of the cache key: a new file is read anew.)"""
    if size > MAX_LOGO_BYTES:
        _warn_once(f"REVIEWHUB_ORG_LOGO {path!r} is larger than {MAX_LOGO_BYTES} bytes: no logo")
        return None
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        _warn_once(f"REVIEWHUB_ORG_LOGO {path!r} cannot be read ({error.strerror}): no logo shown")
        return None
    mimetype = image_type(data)
    if mimetype is None:
        _warn_once(f"REVIEWHUB_ORG_LOGO {path!r} is neither an SVG nor a PNG file: no logo shown")
        return None
    return Logo(data, mimetype, hashlib.sha256(data).hexdigest()[:16])


@dataclass(frozen=True)
class OwnText:
    """An organisation's own text for a page, rendered."""

    html: Markup
    language: str
    has_title: bool  # it starts with a level-1 heading: the page shows no title of its own


def own_text(config: Mapping[str, Any], page: str, language: str) -> OwnText | None:
    """The organisation's text for ``page`` in ``language``; else in another language (its
    own words, marked with their language, say more than the built-in text); else None."""
    folder = str(config.get("PAGES_DIR") or "").strip()
    if not folder:
        return None
    languages = [language, config.get("BABEL_DEFAULT_LOCALE", "nl"), *config.get("LANGUAGES", ())]
    for candidate in dict.fromkeys(languages):
        path = Path(folder) / f"{page}.{candidate}.md"
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        except OSError as error:
            _warn_once(f"REVIEWHUB_PAGES_DIR: {str(path)!r} cannot be read ({error.strerror})")
            continue
        html = _rendered_text(str(path), stat.st_mtime_ns, stat.st_size)
        if html is not None:
            return OwnText(Markup(html), str(candidate), html.lstrip().startswith("<h1"))
    return None


@lru_cache(maxsize=16)
def _rendered_text(path: str, mtime_ns: int, size: int) -> str | None:
    """The file's Markdown as HTML, raw HTML in it escaped (text.sections' renderer)."""
    if size > MAX_OWN_TEXT_BYTES:
        _warn_once(f"REVIEWHUB_PAGES_DIR: {path!r} is larger than {MAX_OWN_TEXT_BYTES} bytes")
        return None
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _warn_once(f"REVIEWHUB_PAGES_DIR: {path!r} cannot be read as UTF-8 text ({error})")
        return None
    return render_markdown(source)


@bp.record_once
def _check_settings(state: BlueprintSetupState) -> None:
    """Read every setting once at start-up, so a bad one is in the log before anyone visits."""
    config = state.app.config
    accessibility_status(config)
    statement_date(config)
    organisation_logo(config)
    folder = config.get("PAGES_DIR")
    if folder and not Path(folder).is_dir():
        _warn_once(f"REVIEWHUB_PAGES_DIR {folder!r} is not a folder: the built-in texts are shown")
    if not config.get("CONTACT_EMAIL"):
        _warn_once("REVIEWHUB_CONTACT_EMAIL is not set: the contact pages name no address")


# What every page's header and footer show ------------------------------------------------


@bp.app_template_global()
def organisation_name() -> str:
    return organisation_name_in(current_app.config)


@bp.app_template_global()
def organisation_logo_url() -> str | None:
    """The logo's address, with its content hash so browsers may keep it for a year."""
    logo = organisation_logo(current_app.config)
    return url_for("site.logo", v=logo.etag) if logo else None


# The pages ----------------------------------------------------------------------------


@bp.get("/")
def index() -> Response:
    return redirect(url_for("documents.index"))


@bp.post("/language")
def set_language() -> Response:
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["language"] = language
    if current_user.is_authenticated and can(current_user, Action.EDIT_PROFILE, current_user):
        # Remembered with the person: their next visit, and their mail, are in it too.
        accounts.choose_language(current_user, language)
        db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("documents.index"))


def _page(name: str, **context: Any) -> str:
    config = current_app.config
    locale = get_locale()
    language = locale.language if locale else config["BABEL_DEFAULT_LOCALE"]
    return render_template(
        f"site/{name}.html",
        own=own_text(config, name, language),
        contact=contact_details(config),
        **context,
    )


@bp.get("/privacy")
def privacy() -> str:
    return _page("privacy")


@bp.get("/toegankelijkheid")
def accessibility() -> str:
    config = current_app.config
    status = accessibility_status(config)
    return _page(
        "accessibility",
        status=status,
        status_label=STATUSES[status],
        status_meaning=STATUS_MEANING[status],
        statement_date=statement_date(config),
        site_address=config.get("BASE_URL", ""),
    )


@bp.get("/contact")
def contact() -> str:
    return _page("contact", decisions=DECISION_MEANING, answer_verdicts=AnswerVerdict)


@bp.get("/organisation-logo")
def logo() -> Response:
    found = organisation_logo(current_app.config)
    if found is None:
        abort(404)
    response = Response(found.data, mimetype=found.mimetype)
    response.set_etag(found.etag)
    response.cache_control.public = True
    if request.args.get("v") == found.etag:  # the address pages use: it changes with the file
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = DAY
    response.headers["Content-Security-Policy"] = LOGO_POLICY
    return response.make_conditional(request)
