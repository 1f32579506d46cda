"""Display names for stored values, translated when shown."""

from flask_babel import lazy_gettext as _l

from .models import (
    AnswerVerdict,
    Attribution,
    CarryState,
    ChangeKind,
    CommentKind,
    Disposition,
    GroupKind,
    HintReason,
    Role,
    VersionStatus,
    Visibility,
)

# How a person's reactions are signed where everyone reads them.
ATTRIBUTION = {
    Attribution.FULL: _l("My name, function and organisation"),
    Attribution.ORGANISATION: _l("Only my organisation and the group I react for"),
}

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

GROUP_KIND = {
    GroupKind.REGION: _l("Region"),
    GroupKind.WORKGROUP: _l("Workgroup"),
    GroupKind.PILOT: _l("Pilot site"),
    GroupKind.REVIEW: _l("Review group"),
    GroupKind.ORGANISATION: _l("Organisation"),
}

VISIBILITY = {
    Visibility.PUBLIC: _l("Public: anyone may read; log in to react"),
    Visibility.RESTRICTED: _l("Restricted to the groups chosen below"),
}

COMMENT_KIND = {
    CommentKind.QUESTION: _l("Question"),
    CommentKind.SUGGESTION: _l("Suggestion"),
    CommentKind.CONCERN: _l("Concern"),
    CommentKind.SUPPORT: _l("Support"),
    CommentKind.GENERAL: _l("General"),
}

DISPOSITION = {
    Disposition.NEW: _l("New"),
    Disposition.IN_PROGRESS: _l("In progress"),
    Disposition.ACCEPTED: _l("Accepted"),
    Disposition.PARTLY_ACCEPTED: _l("Partly accepted"),
    Disposition.NOT_ACCEPTED: _l("Not accepted"),
    Disposition.NOTED: _l("Noted"),
    Disposition.ANSWERED: _l("Answered"),
    Disposition.OUT_OF_SCOPE: _l("Out of scope"),
    Disposition.DUPLICATE: _l("Duplicate"),
}

# The resolution statuses of standards bodies (ISO, OSD), in English whatever the language:
# exports name both.
ISO_RESOLUTION = {
    Disposition.NEW: "Open",
    Disposition.IN_PROGRESS: "Open",
    Disposition.ACCEPTED: "Accepted",
    Disposition.PARTLY_ACCEPTED: "Partially accepted",
    Disposition.NOT_ACCEPTED: "Rejected",
    Disposition.NOTED: "Noted",
    Disposition.ANSWERED: "Noted",
    Disposition.OUT_OF_SCOPE: "Noted",
    Disposition.DUPLICATE: "Noted",
}

ANSWER_VERDICT = {
    AnswerVerdict.AGREE: _l("Agree"),
    AnswerVerdict.OBJECT: _l("Object"),
}

# What became of an earlier reaction's place in a later version (feedback.carrying).
CARRY_STATE = {
    CarryState.UNCHANGED: _l("Passage unchanged"),
    CarryState.CHANGED: _l("Passage changed"),
    CarryState.ORPHANED: _l("Passage no longer in the text"),
    CarryState.SECTION_REMOVED: _l("Section removed"),
}

HINT_REASON = {
    HintReason.WORDING: _l("The proposed wording appears in the new text."),
    HintReason.PASSAGE: _l("The passage the reaction is about was changed or removed."),
}
