"""Configuration read from the environment, with defaults that are safe on a laptop."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from .clock import TIMEZONE_NAME


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _trusted_hosts(base_url: str) -> list[str]:
    """Host names the service answers to: REVIEWHUB_TRUSTED_HOSTS (comma-separated), else the
    base URL's host (plus the loopback names when that is local). Requests naming any other
    Host are refused, so no page or link is ever built for a host an attacker chose."""
    listed = os.environ.get("REVIEWHUB_TRUSTED_HOSTS", "")
    if listed.strip():
        return [host.strip() for host in listed.split(",") if host.strip()]
    host = urlsplit(base_url).hostname or "localhost"
    local = ["localhost", "127.0.0.1", "[::1]"]
    return local if host in local else [host]


def _cache_config(redis_url: str) -> dict[str, object]:
    """Flask-Caching: each worker's own memory by default; with REVIEWHUB_REDIS_URL, one store
    that all workers (and machines) share. (create_app adds a key prefix per database.)"""
    if redis_url:
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url,
                "CACHE_DEFAULT_TIMEOUT": 24 * 3600}  # fmt: skip
    # Entries per worker: a version's text for a reader is some 700 KB.
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 64, "CACHE_DEFAULT_TIMEOUT": 3600}


SECRET_FILE = "secret_key"


def kept_secret(instance: Path) -> str:
    """The key in ``instance``/secret_key, made (readable by its owner only) when there is
    none; a fresh one for this process when the folder cannot be written."""
    path = instance / SECRET_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text("utf-8").strip()
    except OSError:
        return secrets.token_hex(32)
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key


def load_config(instance_path: str) -> dict[str, object]:
    """Build the configuration mapping for an app whose instance folder is ``instance_path``."""
    base_url = os.environ.get("REVIEWHUB_BASE_URL", "http://127.0.0.1:5000")
    database_url = os.environ.get("REVIEWHUB_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "reviewhub.sqlite3")
    )
    redis_url = os.environ.get("REVIEWHUB_REDIS_URL", "")
    contact_email = os.environ.get("REVIEWHUB_CONTACT_EMAIL", "").strip()
    return {
        # SECRET_KEY from the environment (production sets it, README says so); else one
        # made once and kept in the instance folder, so that a restart of `make run` keeps
        # sessions and invitation links valid.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or kept_secret(Path(instance_path)),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAX_SOURCE_BYTES": _int_env("REVIEWHUB_MAX_SOURCE_BYTES", 2 * 1024 * 1024),
        # The JSON API's description (flask-smorest): OpenAPI 3.1 at /api/v1/openapi.json.
        "API_TITLE": "ReviewHub API",
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {
                    "token": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal API token, made on the profile page.",
                    }
                }
            }
        },
        # Files sent with reactions; empty: instance/attachments (never under the web root).
        "ATTACHMENT_FOLDER": os.environ.get("REVIEWHUB_ATTACHMENT_FOLDER", ""),
        # Sections one version may have (as sections.DEFAULT_MAX_SECTIONS): more is refused.
        "MAX_SECTIONS": _int_env("REVIEWHUB_MAX_SECTIONS", 2000),
        "MAX_CONTENT_LENGTH": _int_env("REVIEWHUB_MAX_REQUEST_BYTES", 4 * 1024 * 1024),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": TIMEZONE_NAME,
        "LANGUAGES": ("nl", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("REVIEWHUB_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": os.environ.get("REVIEWHUB_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),  # as accounts.REMEMBERED_SESSION_MAX_AGE
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
        # The address people use to reach the service: every link in mail is made from it.
        "BASE_URL": base_url,
        "TRUSTED_HOSTS": _trusted_hosts(base_url),
        # Reverse proxies in front that set X-Forwarded-For/-Proto; 0: trust no such header.
        "PROXY_COUNT": _int_env("REVIEWHUB_PROXY_COUNT", 0),
        "MAIL_SENDER": os.environ.get("REVIEWHUB_MAIL_SENDER", "ReviewHub <noreply@localhost>"),
        "MAIL_OUTBOX": os.environ.get("REVIEWHUB_MAIL_OUTBOX", str(Path(instance_path) / "outbox")),
        "SMTP_HOST": os.environ.get("REVIEWHUB_SMTP_HOST", ""),
        "SMTP_PORT": _int_env("REVIEWHUB_SMTP_PORT", 587),
        "SMTP_USERNAME": os.environ.get("REVIEWHUB_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("REVIEWHUB_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": os.environ.get("REVIEWHUB_SMTP_STARTTLS", "1") == "1",
        "RATELIMIT_STORAGE_URI": os.environ.get(
            "REVIEWHUB_RATELIMIT_STORAGE_URI", redis_url or "memory://"
        ),
        **_cache_config(redis_url),
        # The job queue (reviewhub.jobs): on Redis when a URL is given, else a SQLite file in
        # the instance folder; "1" runs each job at once, in the process that enqueued it.
        "JOBS_REDIS_URL": os.environ.get("REVIEWHUB_JOBS_REDIS_URL", redis_url),
        "JOBS_SQLITE_PATH": os.environ.get("REVIEWHUB_JOBS_PATH", ""),
        "JOBS_IMMEDIATE": os.environ.get("REVIEWHUB_JOBS_IMMEDIATE", "0") == "1",
        # Failed log-ins per account and address; per account from new devices; all log-in and
        # reset requests per address; reset mails per account.
        "LOGIN_RATE_LIMIT": os.environ.get("REVIEWHUB_LOGIN_RATE_LIMIT", "10 per minute"),
        "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get(
            "REVIEWHUB_LOGIN_ACCOUNT_RATE_LIMIT", "50 per hour"
        ),
        "ADDRESS_RATE_LIMIT": os.environ.get("REVIEWHUB_ADDRESS_RATE_LIMIT", "60 per minute"),
        "RESET_MAIL_RATE_LIMIT": os.environ.get("REVIEWHUB_RESET_MAIL_RATE_LIMIT", "3 per hour"),
        # Calls to the JSON API per token (or person), and per address without one.
        "API_RATE_LIMIT": os.environ.get("REVIEWHUB_API_RATE_LIMIT", "600 per minute"),
        "API_ANONYMOUS_RATE_LIMIT": os.environ.get(
            "REVIEWHUB_API_ANONYMOUS_RATE_LIMIT", "120 per minute"
        ),
        "SAMPLE_DOCUMENTS_DIR": os.environ.get(
            "REVIEWHUB_SAMPLE_DOCUMENTS", str(Path(__file__).resolve().parent.parent / "documents")
        ),
        # The organisation that runs the consultation: named in the header, the footer and the
        # privacy, accessibility and contact pages (views.site reads all of these settings).
        "ORG_NAME": os.environ.get("REVIEWHUB_ORG_NAME", "").strip() or "ReviewHub",
        # Its logo beside the site name: an SVG or PNG file, told apart by its content. A file
        # that cannot be read, or is neither, is left out with a warning in the log.
        "ORG_LOGO": os.environ.get("REVIEWHUB_ORG_LOGO", "").strip(),
        # Where people ask questions and report problems (the phone number is optional).
        "CONTACT_EMAIL": contact_email,
        "CONTACT_PHONE": os.environ.get("REVIEWHUB_CONTACT_PHONE", "").strip(),
        # Questions about personal data: the contact address unless set apart.
        "PRIVACY_EMAIL": os.environ.get("REVIEWHUB_PRIVACY_EMAIL", "").strip() or contact_email,
        # The accessibility statement's compliance status, A-E as in the Dutch model statement,
        # and its date (YYYY-MM-DD). Another value is shown as the default (as
        # views.site.DEFAULT_STATUS and DEFAULT_STATEMENT_DATE), with a warning in the log.
        "ACCESSIBILITY_STATUS": os.environ.get("REVIEWHUB_ACCESSIBILITY_STATUS", "").strip() or "B",
        "ACCESSIBILITY_DATE": os.environ.get("REVIEWHUB_ACCESSIBILITY_DATE", "").strip()
        or "2026-12-01",
        # A folder with the organisation's own texts for those pages, in Markdown:
        # privacy.nl.md, privacy.en.md, accessibility.nl.md, contact.en.md... A page with no
        # file of its own shows the built-in text.
        "PAGES_DIR": os.environ.get("REVIEWHUB_PAGES_DIR", "").strip(),
    }
