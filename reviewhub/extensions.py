"""Extensions created unbound; ``create_app`` binds them."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, registry

from .dbtypes import UTCDateTime

# Alembic needs predictable constraint names to alter them later, on SQLite above all.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    # Every datetime column stores UTC, whatever the database's own notion of time zones.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime},
    )


db = SQLAlchemy(model_class=Base)
# The models' base class. Flask-SQLAlchemy builds ``db.Model`` at run time (``Base`` plus its own
# table-naming and bind mixins), which a type checker cannot follow; to it, the models are plain
# ``Base`` subclasses, which is all they rely on (they never use the legacy ``Model.query``).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI: memory by default, a shared store (redis://…) when
# several workers must count together.
limiter = Limiter(key_func=get_remote_address)
# What pages keep between requests (views/pagecache.py): SimpleCache or Redis, by the config.
cache = Cache()
