"""Configuration read from the environment, with defaults that are safe on a laptop."""

import os
import secrets
from pathlib import Path


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def load_config(instance_path: str) -> dict[str, object]:
    """Build the configuration mapping for an app whose instance folder is ``instance_path``."""
    database_url = os.environ.get("REVIEWHUB_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "reviewhub.sqlite3")
    )
    return {
        # Without SECRET_KEY sessions last until the process restarts, which is fine for a
        # laptop; production must set it (README says so).
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAX_SOURCE_BYTES": _int_env("REVIEWHUB_MAX_SOURCE_BYTES", 2 * 1024 * 1024),
        "MAX_CONTENT_LENGTH": _int_env("REVIEWHUB_MAX_REQUEST_BYTES", 4 * 1024 * 1024),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("REVIEWHUB_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
        # The address people use to reach the service: links in mail made outside a request.
        "BASE_URL": os.environ.get("REVIEWHUB_BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_SENDER": os.environ.get("REVIEWHUB_MAIL_SENDER", "ReviewHub <noreply@localhost>"),
        "MAIL_OUTBOX": str(Path(instance_path) / "outbox"),
        "SMTP_HOST": os.environ.get("REVIEWHUB_SMTP_HOST", ""),
        "SMTP_PORT": _int_env("REVIEWHUB_SMTP_PORT", 587),
        "SMTP_USERNAME": os.environ.get("REVIEWHUB_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("REVIEWHUB_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": os.environ.get("REVIEWHUB_SMTP_STARTTLS", "1") == "1",
        "RATELIMIT_STORAGE_URI": os.environ.get("REVIEWHUB_RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": os.environ.get("REVIEWHUB_LOGIN_RATE_LIMIT", "10 per minute"),
        "SAMPLE_DOCUMENTS_DIR": os.environ.get(
            "REVIEWHUB_SAMPLE_DOCUMENTS", str(Path(__file__).resolve().parent.parent / "documents")
        ),
    }
