"""Hostile input in every text a user controls, rendered in Chromium (issue 10, item 6).

One document with two versions full of payloads (title, description, labels, change
summaries, headings, paragraphs, lists, quotes, tables, footnotes, link references, code),
reactions, replies, a suggestion, a hidden and a reported reaction, a waiting one, a person and
groups with hostile names: all stored through the domain functions, then every page that shows
them loaded as a visitor, as the administrator and as the hostile partner.

Each page is loaded by each viewer with the page's Content Security Policy switched off
(Playwright's ``bypass_csp``), so that a payload that got into the markup would really run:
then no dialog may open, ``window.__xss`` must stay undefined, no script error may occur, and
the DOM may hold no element or attribute a payload could have brought in; a few payloads must
be shown as text where they belong. Each page is loaded once more with the policy on, as in
production: the browser must report no violation a payload caused (the policy is a second
line of defence; it should never have anything to block).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Dialog, Page
from sqlalchemy import select

from reviewhub import accounts
from reviewhub.clock import local_today
from reviewhub.dbtypes import DbSession
from reviewhub.extensions import db
from reviewhub.feedback import moderation, posting
from reviewhub.feedback.posting import NewComment, Passage
from reviewhub.models import (
    Comment,
    CommentKind,
    CommentVisibility,
    Document,
    Group,
    GroupKind,
    Role,
    Section,
    User,
    Version,
    VersionStatus,
)
from reviewhub.publishing import VersionMeta, create_document, publish_version
from reviewhub.samples import DEMO_PASSWORD
from tests.browser.conftest import TIMEOUT_MS
from tests.factories import user_with_role
from tests.hostile import payloads
from tests.hostile.payloads import QUOTED, hostile_markdown, in_chunks

pytestmark = pytest.mark.browser

SLUG = "vijandige-invoer"
PARTNER_EMAIL = "xss-partner@example.org"
TITLE = 'Kader "><script>window.__xss=1</script> {{7*7}} </title><img src=x onerror=alert(1)>'
DESCRIPTION = " ".join(payloads.BREAKOUTS[:4] + payloads.TEMPLATE_INJECTION[:2])
LABELS = {
    1: "Versie 1 </option></select><img src=x onerror=window.__xss=1>",
    2: 'Versie 2 "><svg onload=confirm(1)> {{7*7}}',
}
SUMMARIES = {
    1: "\n\n".join(payloads.MARKDOWN[:30]),
    2: "\n\n".join([*payloads.MARKDOWN[30:], *payloads.SCRIPT_TAGS, *payloads.EVENT_HANDLERS]),
}
PROFILE = {
    "name": 'Piet "><script>window.__xss=1</script>',
    "organisation": "<img src=x onerror=alert(1)> B.V.",
    "function": "' autofocus onfocus='window.__xss=1' x='",
    "sector": "{{7*7}} </textarea><script>window.__xss=1</script>",
}
GROUPS = [
    '"><script>window.__xss=1</script> Regio',
    "</option></select><img src=x onerror=prompt(1)> Proeftuin",
    "{{7*7}} \u202eWerkgroep <svg onload=window.__xss=1>",
]
GROUP_DESCRIPTION = "</textarea><script>window.__xss=1</script> <!-- {% raw %}"
HIDE_REASON = '"><img src=x onerror=window.__xss=1> verborgen {{7*7}}'
REPORT_REASON = "</p><script>window.__xss=1</script> gemeld"
WAITING = "<svg onload=confirm(1)> wacht op goedkeuring"
REPLY = "Officieel antwoord: <script>alert(1)</script> [x](javascript:window.__xss=1)"
PROPOSED = '<img src=x onerror=window.__xss=1> "><script>window.__xss=1</script>'
REACTIONS = in_chunks(payloads.TEXT + payloads.MARKDOWN, limit=700)  # eight reactions

# Reads what a page holds that a payload could have brought in. The site's own markup has
# scripts only from its own origin, inputs only in forms, no frames, objects, SVG, MathML,
# media, style elements, style or event handler attributes. (The site's own <details> and
# <template> are allowed: a payload's would show up by their attributes.)
DOM_PROBLEMS = """() => {
  const problems = [];
  const own = (url) => new URL(url, location.href).origin === location.origin;
  const scheme = (url) => url.replace(/[\\t\\n\\r]/g, '').replace(/^[\\u0000-\\u0020]+/, '')
      .toLowerCase().match(/^([a-z][a-z0-9+.-]*):/)?.[1];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'frame', 'object', 'embed', 'svg', 'math', 'style', 'base', 'video',
         'audio', 'source', 'input', 'noscript'].includes(tag) && !el.closest('form')) {
      problems.push(`<${tag}>`);
    }
    if (tag === 'script' && !(el.src && own(el.src))) problems.push(el.outerHTML.slice(0, 120));
    if (tag === 'meta' && el.httpEquiv) problems.push(`<meta http-equiv=${el.httpEquiv}>`);
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value;
      if (name.startsWith('on') || name === 'srcdoc' || name === 'formaction'
          || name.includes(':')) {
        problems.push(`<${tag} ${name}="${value}">`);
      } else if (['href', 'src', 'action', 'data', 'poster'].includes(name)) {
        const found = scheme(value);
        const image = tag === 'img' && /^data:image\\/(gif|png|jpeg|webp);/i.test(value.trim());
        if (['javascript', 'vbscript', 'livescript', 'data', 'file'].includes(found) && !image) {
          problems.push(`<${tag} ${name}="${value}">`);
        }
      } else if (name === 'style') {
        problems.push(`<${tag} style="${value}">`);
      }
    }
  }
  return problems;
}"""
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}: ${event.sample}`);
});
"""
SETTLED = "() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))"


@dataclass(frozen=True)
class Hostile:
    """What the fixture stored that page addresses need."""

    partner_id: int
    group_ids: list[int]


def _section(version: Version, key: str) -> Section:
    return db.session.scalars(
        select(Section).where(Section.version_id == version.id, Section.key == key)
    ).one()


def _store_people(session: DbSession, admin: User) -> tuple[User, list[Group]]:
    """The hostile partner, in three groups with hostile names."""
    kinds = (GroupKind.REGION, GroupKind.PILOT, GroupKind.WORKGROUP)
    groups = []
    for name, kind in zip(GROUPS, kinds, strict=True):
        group = accounts.save_group(
            session, admin, None, name=name, kind=kind, description=GROUP_DESCRIPTION, active=True
        )
        groups.append(group)
    partner = accounts.create_person(
        session, admin, name="Piet", email=PARTNER_EMAIL, role=Role.PARTNER
    )
    accounts.update_profile(session, partner, language="nl", **PROFILE)
    partner.set_password(DEMO_PASSWORD)
    accounts.set_memberships(session, admin, partner, [g.id for g in groups], [groups[0].id])
    return partner, groups


def _store_document(session: DbSession, author: User) -> tuple[Document, list[Version]]:
    """The hostile document: version 1 closed, version 2 open for feedback."""
    document = create_document(session, SLUG, TITLE, owner=author)
    document.description = DESCRIPTION
    closes = local_today() + timedelta(days=365)
    versions = []
    for number, status in ((1, VersionStatus.CLOSED), (2, VersionStatus.OPEN)):
        meta = VersionMeta(
            label=LABELS[number],
            summary=SUMMARIES[number],
            status=status,
            closes_on=closes if status is VersionStatus.OPEN else None,
        )
        versions.append(
            publish_version(session, document, hostile_markdown(number), meta, publisher=author)
        )
    return document, versions


@pytest.fixture(scope="module")
def hostile(live_app: Flask) -> Hostile:
    """The hostile document, people, groups and reactions, committed to the live database
    through the domain functions (the live app and its database are these tests' own: see
    conftest.py)."""
    with live_app.app_context():
        session = db.session
        admin, author, reviewer, reader = (
            user_with_role(session, role)
            for role in (Role.ADMIN, Role.AUTHOR, Role.REVIEWER, Role.READER)
        )
        partner, groups = _store_people(session, admin)
        document, versions = _store_document(session, author)
        script, links = (_section(versions[1], key) for key in ("script", "links"))

        def react(
            user: User, section: Section, body: str, parent: Comment | None = None, **fields: Any
        ) -> Comment:
            fields.setdefault("kind", None if parent else CommentKind.GENERAL)
            new = NewComment(body=body, client_token=uuid4().hex, **fields)
            return posting.post_comment(session, user, section, new, parent)

        kinds = list(CommentKind)
        comments = [
            react(partner, script, body, kind=kinds[n % len(kinds)], group_id=groups[n % 3].id)
            for n, body in enumerate(REACTIONS)
        ]
        react(
            partner,
            script,
            payloads.BREAKOUTS[2],
            kind=CommentKind.SUGGESTION,
            group_id=groups[0].id,
            proposed_text=PROPOSED,
            passage=Passage(exact=QUOTED, prefix='"><script>', suffix="</script>"),
        )
        react(
            partner,
            links,
            payloads.UNICODE[0],
            group_id=groups[1].id,
            visibility=CommentVisibility.GROUP,
            passage=Passage(exact="javascript:window.__xss=1"),
        )
        for user in (author, reviewer):  # official replies
            react(user, script, REPLY, parent=comments[0])
        posting.edit_comment(session, partner, comments[1], payloads.CSS[0], None)
        moderation.hide_comment(session, admin, comments[2], HIDE_REASON)
        moderation.report_comment(session, reader, comments[3], REPORT_REASON)
        moderation.set_premoderation(session, admin, document, True)
        react(partner, links, WAITING, group_id=groups[2].id)  # waits for approval
        moderation.set_premoderation(session, admin, document, False)
        hostile = Hostile(partner_id=partner.id, group_ids=[g.id for g in groups])
        session.commit()
        session.remove()
    return hostile


DOC = f"/documents/{SLUG}"
PUBLIC_PAGES = [
    "/documents/",
    DOC,
    f"{DOC}/v/1",
    f"{DOC}/v/2",
    f"{DOC}/v/2/s/script",
    f"{DOC}/v/2/s/links",
    f"{DOC}/v/1/s/kop-1",
    f"{DOC}/compare/1...2",
    f"{DOC}/compare/1...2?view=side",
    f"{DOC}/compare/1...2?view=source",
    f"{DOC}/sections/script/history",
    f"{DOC}/sections/links/history",
    "/documents/?x=%22%3E%3Cscript%3Ewindow.__xss%3D1%3C/script%3E",  # reflected in a form
]
ADMIN_PAGES = [
    *PUBLIC_PAGES,
    f"{DOC}/moderation",
    f"{DOC}/settings",
    "/documents/publish",
    "/admin/people",
    "/admin/people?q=%22%3E%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
    "/admin/people/{partner}",
    "/admin/groups",
    "/admin/groups?q=%3C%2Foption%3E%3Cimg+src%3Dx+onerror%3Dprompt(1)%3E",
    "/admin/groups/{group}",
    "/admin/audit",
]
PARTNER_PAGES = [f"{DOC}/v/2", f"{DOC}/v/2/s/script", "/me/profile", "/me/feedback"]
Visit = tuple[Role | str | None, str]  # who (None: a visitor), which page
VISITS: list[Visit] = [
    *((None, path) for path in PUBLIC_PAGES),
    *((Role.ADMIN, path) for path in ADMIN_PAGES),
    *((PARTNER_EMAIL, path) for path in PARTNER_PAGES),
]
# With the policy on, each page once, as the first of them who may see it.
CSP_VISITS = [visit for n, visit in enumerate(VISITS) if visit[1] not in [v[1] for v in VISITS[:n]]]

# Payloads that must be shown, as text, on a page (spot checks).
SHOWN = {
    "/documents/": [TITLE, DESCRIPTION],
    DOC: [TITLE, LABELS[1], LABELS[2], payloads.EVENT_HANDLERS[-1]],  # from a summary
    f"{DOC}/v/2": [QUOTED, "<img src=x onerror=window.__xss=1> {{7*7}}", LABELS[2]],
    f"{DOC}/v/2/s/script": [payloads.SCRIPT_TAGS[4], payloads.BREAKOUTS[1], "\uff1cscript\uff1e"],
    f"{DOC}/compare/1...2?view=source": ["[r1]: javascript:window.__xss=1"],
    f"{DOC}/moderation": [REPORT_REASON, WAITING],
    "/admin/groups": GROUPS,
    "/admin/audit": [GROUPS[0], HIDE_REASON],
}
# ... and to one viewer only.
SHOWN_TO: dict[tuple[Role | str | None, str], list[str]] = {
    (Role.ADMIN, f"{DOC}/v/2/s/script"): [HIDE_REASON, REPLY],
    (PARTNER_EMAIL, f"{DOC}/v/2/s/script"): [HIDE_REASON, PROPOSED.partition(" ")[2]],
    (PARTNER_EMAIL, "/me/feedback"): [payloads.TEXT[0], TITLE],
}


def _visit_id(visit: Visit) -> str:
    who, path = visit
    name = "visitor" if who is None else who.value if isinstance(who, Role) else "partner"
    return f"{name}:{path.replace(SLUG, 'doc')}"


class Viewer:
    """One browser page of one person, kept for all the pages they load, which remembers the
    dialogs and script errors of the page loaded last."""

    def __init__(self, context: BrowserContext) -> None:
        self.page = context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._on_dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def load(self, path: str) -> Page:
        self.dialogs.clear()
        self.errors.clear()
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        assert urlsplit(self.page.url).path == urlsplit(path).path, f"sent to {self.page.url}"
        self.page.evaluate(SETTLED)  # handlers the parser queued (toggle, focus) have run
        return self.page

    def sentinel(self) -> str:
        return str(self.page.evaluate("() => typeof window.__xss"))


@pytest.fixture(scope="module")
def viewer(
    browser: Browser,
    live_server: str,
    storage_states: Callable[[Role | str], Path],
    hostile: Hostile,
) -> Iterator[Callable[[Role | str | None, bool], Viewer]]:
    """``viewer(who, csp)``: the page of ``who``, with the Content Security Policy on or
    bypassed. One context per person and mode for the whole module: a context costs more
    than the page loads it serves."""
    made: dict[tuple[Role | str | None, bool], Viewer] = {}

    def get(who: Role | str | None, csp: bool) -> Viewer:
        if (who, csp) not in made:
            options: dict[str, Any] = {"base_url": live_server, "bypass_csp": not csp}
            if who is not None:
                options["storage_state"] = storage_states(who)
            context = browser.new_context(**options)
            context.set_default_timeout(TIMEOUT_MS)
            if csp:
                context.add_init_script(RECORD_CSP_VIOLATIONS)
            made[who, csp] = Viewer(context)
        return made[who, csp]

    yield get
    for made_viewer in made.values():
        made_viewer.page.context.close()


def _path(hostile: Hostile, path: str) -> str:
    return path.format(partner=hostile.partner_id, group=hostile.group_ids[0])


@pytest.mark.parametrize("visit", VISITS, ids=_visit_id)
def test_no_payload_runs_on_the_page(
    hostile: Hostile, viewer: Callable[[Role | str | None, bool], Viewer], visit: Visit
) -> None:
    who, path = visit
    person = viewer(who, False)
    page = person.load(_path(hostile, path))
    assert person.dialogs == []
    assert person.sentinel() == "undefined"
    assert person.errors == []
    assert page.evaluate(DOM_PROBLEMS) == []
    text = page.locator("body").inner_text()
    for payload in [*SHOWN.get(path, []), *SHOWN_TO.get(visit, [])]:
        assert payload in text, f"{payload!r} is not shown as text on {path}"


@pytest.mark.parametrize("visit", CSP_VISITS, ids=_visit_id)
def test_the_content_security_policy_has_nothing_to_block(
    hostile: Hostile, viewer: Callable[[Role | str | None, bool], Viewer], visit: Visit
) -> None:
    who, path = visit
    person = viewer(who, True)
    page = person.load(_path(hostile, path))
    assert person.dialogs == [] and person.sentinel() == "undefined"
    violations = page.evaluate("() => window.__cspViolations")
    assert [v for v in violations if not _by_design(v)] == []


def _by_design(violation: str) -> bool:
    """Violations the policy means to cause, whatever the text: images from other sites
    (img-src 'self' data:). Table alignment is a class, so no inline style is left to block."""
    directive, _, blocked = violation.partition(" blocked ")
    return directive == "img-src" and blocked.startswith(("https://", "http://"))


def test_the_forms_give_back_the_hostile_values_unchanged(
    hostile: Hostile, viewer: Callable[[Role | str | None, bool], Viewer]
) -> None:
    """What was typed comes back in the form fields as typed: no attribute was broken out of,
    nothing was decoded or cut."""
    partner = viewer(PARTNER_EMAIL, False)
    page = partner.load("/me/profile")
    for name, value in PROFILE.items():
        assert page.locator(f"input[name={name}]").input_value() == value
    admin = viewer(Role.ADMIN, False)
    page = admin.load(f"/admin/groups/{hostile.group_ids[0]}")
    assert page.locator("input[name=name]").input_value() == GROUPS[0]
    assert page.locator("textarea[name=description]").input_value() == GROUP_DESCRIPTION
    page = admin.load(f"/admin/people/{hostile.partner_id}")
    assert page.locator("input[name=name]").input_value() == PROFILE["name"]
    assert page.locator("input[name=organisation]").input_value() == PROFILE["organisation"]
    assert partner.dialogs == admin.dialogs == []
    assert partner.sentinel() == admin.sentinel() == "undefined"


def test_the_page_title_shows_the_document_title_as_text(
    hostile: Hostile, viewer: Callable[[Role | str | None, bool], Viewer]
) -> None:
    page = viewer(None, False).load(DOC)
    assert TITLE in page.title()
    assert page.locator("h1").inner_text() == TITLE


def test_the_standalone_comparison_export_runs_no_payload(
    hostile: Hostile, viewer: Callable[[Role | str | None, bool], Viewer]
) -> None:
    """The HTML download is opened from disk, where no policy protects it: shown in a blank
    page, nothing in it may run either."""
    person = viewer(None, False)
    response = person.page.request.get(f"{DOC}/compare/1...2/export.html")
    assert response.ok
    person.dialogs.clear()
    person.page.set_content(response.text())
    person.page.evaluate(SETTLED)
    assert person.dialogs == []
    assert person.sentinel() == "undefined"
    problems = [p for p in person.page.evaluate(DOM_PROBLEMS) if p != "<style>"]  # its own
    assert problems == []
    assert QUOTED in person.page.locator("body").inner_text()


def _alignment(person: Viewer) -> str:
    """How the second column of the hostile table (``--:``) is aligned on version 2."""
    cell = person.load(f"{DOC}/v/2").locator("#s-tabel td:nth-child(2)").first
    return str(cell.evaluate("(td) => getComputedStyle(td).textAlign"))


def test_a_column_aligned_in_markdown_is_aligned_without_the_policy(
    hostile: Hostile, viewer: Callable[[Role | str | None, bool], Viewer]
) -> None:
    assert _alignment(viewer(None, False)) == "right"  # the markup itself is right


def test_a_column_aligned_in_markdown_is_aligned_under_the_policy(
    hostile: Hostile, viewer: Callable[[Role | str | None, bool], Viewer]
) -> None:
    assert _alignment(viewer(None, True)) == "right"
