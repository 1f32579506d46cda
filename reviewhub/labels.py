"""Display names for stored values, translated when shown."""

from flask_babel import lazy_gettext as _l

from .models import ChangeKind, Role, VersionStatus

VERSION_STATUS = {
    VersionStatus.DRAFT: _l("Draft"),
    VersionStatus.OPEN: _l("Open for feedback"),
    VersionStatus.CLOSED: _l("Closed"),
    VersionStatus.FINAL: _l("Final"),
}

CHANGE_KIND = {
    ChangeKind.UNCHANGED: _l("Unchanged"),
    ChangeKind.EDITED: _l("Edited"),
    ChangeKind.RENAMED: _l("Renamed"),
    ChangeKind.MOVED: _l("Moved"),
    ChangeKind.NEW: _l("New"),
}

ROLE = {
    Role.ADMIN: _l("Administrator"),
    Role.AUTHOR: _l("Author"),
    Role.REVIEWER: _l("Review group"),
    Role.PARTNER: _l("Partner"),
    Role.READER: _l("Reader"),
}
