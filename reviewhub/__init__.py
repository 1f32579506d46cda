"""ReviewHub: review successive dialogue versions of a policy framework together."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import load_config
from .extensions import babel, cache, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides what the environment says (tests use it)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    app.config.update(config or {})
    # Two installations (or a test and the demo) sharing one Redis never read each other's
    # pages: the keys carry the database's name.
    database_digest = hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()
    app.config.setdefault("CACHE_KEY_PREFIX", f"reviewhub:{database_digest[:12]}:")
    if app.config["PROXY_COUNT"]:
        # Behind N reverse proxies: take the client's address and scheme from the headers
        # those proxies set, and from no one else (a client can write them too).
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]

    # Imported here, not at the top: importing a domain module (reviewhub.text, say) need not
    # load the web layer.
    from . import cli, database, i18n, jobs, security, web
    from .feedback import revisions
    from .notifications import events

    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", database.engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    )
    db.init_app(app)
    revisions.watch()
    cache.init_app(app)
    database.configure_engine(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    login_manager.init_app(app)
    app.before_request(web.request_limit)  # before CSRFProtect reads the body
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)
    events.watch()
    return app
