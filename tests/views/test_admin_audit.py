"""The audit log as people read it: every action recorded anywhere has a sentence, events read
as sentences with links to what still exists, an unknown action still reads, the filters
(person, action, period in Europe/Amsterdam) work and explain a bad value, the page costs the
same however long the log, and the CSV export carries the same filter."""

from __future__ import annotations

import ast
import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from reviewhub import audit
from reviewhub.models import AuditEvent, Document, Group, GroupKind, Role, User, Version
from reviewhub.views import auditlog
from tests.factories import SAMPLE_SLUG, group_named, user_with_role
from tests.views.test_query_counts import counted
from tests.views.test_routes import partner_question

PACKAGE = Path(audit.__file__).resolve().parent
# Announced by the engineers working on them; their sentences are ready before their code.
COMING = ("version.closed", "version.reopened", "version.extended", "version.shortened",
          "version.finalised", "comment.report_dismissed", "attachment.added")  # fmt: skip


@pytest.fixture
def admin(client, auth):
    auth.login(Role.ADMIN)
    client.post("/language", data={"language": "en"})  # the new strings are not translated yet


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def add_event(session, action: str, actor: User | None = None, obj=None, summary: str = "",
              at: datetime | None = None, **details) -> AuditEvent:  # fmt: skip
    event = audit.record(session, actor, action, obj, summary, **details)
    if at is not None:
        event.at = at
    session.commit()
    return event


# Every action has a sentence ---------------------------------------------------------------


class _Module:
    """One module's source, to tell which strings reach ``audit.record`` as the action: a
    literal, either branch of ``a if c else b``, a sum of those, a local variable assigned
    one, or a parameter of a helper whose callers pass one (as rounds._record)."""

    def __init__(self, path: Path) -> None:
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parents = {child: node for node in ast.walk(self.tree)
                        for child in ast.iter_child_nodes(node)}  # fmt: skip

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def strings(self, node: ast.expr | None, depth: int = 0) -> set[str] | None:
        """The strings ``node`` can be; None when the source does not tell."""
        if node is None or depth > 4:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self._union([node.body, node.orelse], depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.strings(node.left, depth + 1), self.strings(node.right, depth + 1)
            return {a + b for a in left for b in right} if left and right else None
        if isinstance(node, ast.Name):
            return self._variable(node, depth)
        return None

    def _union(self, nodes: list[ast.expr], depth: int) -> set[str] | None:
        found: set[str] = set()
        for node in nodes:
            strings = self.strings(node, depth + 1)
            if strings is None:
                return None
            found |= strings
        return found or None

    def _variable(self, name: ast.Name, depth: int) -> set[str] | None:
        function = self.function_of(name)
        if function is None:
            return None
        assigned = [
            node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name.id for t in node.targets)
        ]
        if assigned:
            return self._union(assigned, depth)
        parameters = [a.arg for a in function.args.args]
        if name.id not in parameters:
            return None
        index = parameters.index(name.id)
        passed = [self.argument(call, index, name.id) for call in self.calls(function.name)]
        return self._union([a for a in passed if a is not None], depth) if passed else None

    def calls(self, function: str) -> list[ast.Call]:
        return [
            node
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == function
        ]

    @staticmethod
    def argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
        if index < len(call.args):
            return call.args[index]
        return next((k.value for k in call.keywords if k.arg == keyword), None)


def recorded_actions() -> dict[str, set[str]]:
    """Each action given to ``audit.record(`` in reviewhub/, with where; "?" for an action
    the source does not spell out."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = _Module(path)
        for call in module.calls("record"):
            target = call.func.value if isinstance(call.func, ast.Attribute) else None
            if not (isinstance(target, ast.Name) and target.id == "audit"):
                continue
            where = f"{path.relative_to(PACKAGE)}:{call.lineno}"
            for action in module.strings(module.argument(call, 2, "action")) or {"?"}:
                found.setdefault(action, set()).add(where)
    return found


def test_every_recorded_action_reads_as_a_sentence():
    found = recorded_actions()
    assert len(found) > 25  # the scan finds the calls
    missing = {action: where for action, where in found.items() if action not in audit.ACTIONS}
    assert missing == {}, "give these actions a sentence in reviewhub/audit.py ACTIONS"


def test_the_announced_actions_have_sentences_and_every_sentence_names_its_actor():
    assert set(COMING) <= audit.ACTIONS.keys()
    for action, text in audit.ACTIONS.items():
        assert action.partition(".")[0] in audit.FAMILIES, action
        sentence = str(text.sentence)
        assert "%(actor)s" in sentence or action.startswith("auth."), action


# Sentences ---------------------------------------------------------------------------------


def test_events_read_as_sentences_with_links_to_what_they_concern(app, client, session, admin):
    admin_user = user_with_role(session, Role.ADMIN)
    reader = user_with_role(session, Role.READER)
    version = session.scalars(
        select(Version).join(Document).where(Document.slug == SAMPLE_SLUG, Version.number == 3)
    ).one()
    comment = partner_question(app, session)
    add_event(session, "version.published", admin_user, version)
    add_event(session, "person.role_changed", admin_user, reader, reader.name,
              old="reader", new="author")  # fmt: skip
    add_event(session, "group.member_added", admin_user, reader, reader.name,
              group_id=group_named(session).id, group="Regio Twente")  # fmt: skip
    add_event(session, "comment.hidden", admin_user, comment, "Scheldwoorden")
    page = page_text(client, "/admin/audit")
    person = f'<a href="/admin/people/{admin_user.id}">Anna Admin</a>'
    assert (f'{person} published <a href="/documents/{SAMPLE_SLUG}/v/3">{version.label} of '
            f"{version.document.title}</a>") in page  # fmt: skip
    assert (f'{person} changed the role of <a href="/admin/people/{reader.id}">{reader.name}</a>'
            " from Reader to Author") in page  # fmt: skip
    twente = group_named(session)
    assert f'to the group <a href="/admin/groups/{twente.id}">Regio Twente</a>' in page
    assert (f'{person} hid reaction <a href="/comments/{comment.id}">{comment.reference}</a>'
            in page)  # fmt: skip
    assert "<td>Scheldwoorden</td>" in page  # the reason beside it


def test_the_system_an_unknown_action_and_a_removed_thing_still_read(client, session, admin):
    add_event(session, "test.something_new")
    session.add(AuditEvent(action="test.odd", object_type="widget", object_id=5,
                           summary="Widget 5"))  # fmt: skip
    gone = User(email="weg@example.org", name="Weg")
    session.add(gone)
    session.flush()
    add_event(session, "person.deactivated", None, gone, "Wim Weg")
    session.delete(gone)
    session.commit()
    page = page_text(client, "/admin/audit")
    assert "The system: “test.something_new”" in page
    assert "The system: “test.odd” on Widget 5" in page
    assert "The system deactivated the account of Wim Weg" in page  # the name at the time


def test_a_failed_log_in_names_the_address_tried(client, session, admin):
    client.post("/logout")
    client.post("/login", data={"email": "Indringer@Example.org", "password": "x"})
    client.post("/login", data={"email": "admin@example.org", "password": "demo-reviewhub"})
    client.post("/language", data={"language": "en"})
    assert "Someone failed to log in as indringer@example.org" in page_text(client, "/admin/audit")


# Filters -----------------------------------------------------------------------------------


def test_filtered_by_person_by_e_mail_address(client, session, admin):
    reader = user_with_role(session, Role.READER)
    add_event(session, "person.data_exported", reader, reader)
    page = page_text(client, f"/admin/audit?actor={reader.email.upper()}")
    assert "Eef Lezer</a> downloaded their personal data" in page
    assert "Anna Admin</a> logged in" not in page
    datalist = re.search(r'<datalist id="audit-people">(.*?)</datalist>', page, re.S).group(1)
    assert f'value="{reader.email}"' in datalist


def test_an_unknown_person_is_said_and_matches_nothing(client, admin):
    page = page_text(client, "/admin/audit?actor=niemand@example.org")
    assert "Nobody has this e-mail address." in page and "No events match" in page


def test_filtered_by_action_or_by_a_family_of_actions(client, session, admin):
    client.post("/admin/groups/new", data={"name": "Werkgroep Nieuw", "kind": "workgroup"})
    family = page_text(client, "/admin/audit?action=group.")
    assert "created the group" in family and "logged in" not in family
    assert '<option selected value="group.">Groups: all</option>' in family
    assert '<optgroup label="Groups">' in family  # the actions by their names, grouped
    exact = page_text(client, "/admin/audit?action=auth.login")
    assert "logged in" in exact and "created the group" not in exact


def test_the_period_is_in_dutch_days(client, session, admin):
    # 23:30 UTC on 1 March is half past midnight on 2 March in Amsterdam.
    add_event(session, "person.data_exported", None, None, at=datetime(2026, 3, 1, 23, 30,
                                                                      tzinfo=UTC))  # fmt: skip
    second = page_text(client, "/admin/audit?since=2026-03-02&until=2026-03-02")
    first = page_text(client, "/admin/audit?since=2026-03-01&until=2026-03-01")
    assert "downloaded their personal data" in second
    assert "downloaded their personal data" not in first


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-02-30", "Not a valid date value."),
        ("until=gisteren", "Not a valid date value."),
        ("since=2026-03-02&until=2026-03-01", "The end date is before the start date."),
    ],
)
def test_a_bad_date_gets_a_message_and_the_rest_of_the_filter_holds(client, admin, query, message):
    page = page_text(client, f"/admin/audit?{query}&action=auth.login")
    assert message in page and "logged in" in page


# Pages and the CSV -------------------------------------------------------------------------


def many_events(session, count: int) -> None:
    """``count`` events about people, groups, documents, versions and reactions, by several
    people, inserted at once."""
    people = session.scalars(select(User.id)).all()
    groups = session.scalars(select(Group.id)).all()
    documents = session.scalars(select(Document.id)).all()
    versions = session.scalars(select(Version.id)).all()
    kinds = [("user", people, "person.invited"), ("group", groups, "group.updated"),
             ("document", documents, "document.created"), ("version", versions,
             "version.published")]  # fmt: skip
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for n in range(count):
        kind, ids, action = kinds[n % len(kinds)]
        rows.append({"at": start + timedelta(seconds=n), "actor_id": people[n % len(people)],
                     "action": action, "object_type": kind, "object_id": ids[n % len(ids)],
                     "summary": f"gebeurtenis {n}", "details": {}})  # fmt: skip
    session.execute(insert(AuditEvent), rows)
    session.commit()


def test_a_page_of_the_log_costs_the_same_however_long_the_log(app, client, session, admin):
    def statements(url: str) -> int:
        with counted(app) as sent:
            assert client.get(url).status_code == 200
        return len(sent)

    many_events(session, 60)
    urls = ["/admin/audit", "/admin/audit?page=2",
            "/admin/audit?action=person.&actor=lezer@example.org"]  # fmt: skip
    few = [statements(url) for url in urls]
    many_events(session, 5000)
    assert [statements(url) for url in urls] == few
    page = page_text(client, "/admin/audit?page=3")
    assert page.count("<tr>") == 50 + 1 and "Page 3 of " in page  # 50 events and the headings


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";" if ";" in text[:80] else ","))


def test_the_csv_holds_the_filtered_log_with_dutch_times(client, session, admin):
    twente = group_named(session)
    admin_user = user_with_role(session, Role.ADMIN)
    add_event(session, "group.updated", admin_user, twente, "=HYPERLINK(\"x\")",
              at=datetime(2026, 7, 1, 10, 0, tzinfo=UTC))  # fmt: skip
    page = page_text(client, "/admin/audit?action=group.updated&since=2026-07-01")
    assert 'href="/admin/audit.csv?action=group.updated&since=2026-07-01"' in page
    response = client.get("/admin/audit.csv?action=group.updated&since=2026-07-01")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == ["Time", "What happened", "Action code", "Who", "E-mail address", "About",
                      "Details"]  # fmt: skip
    assert rows == [["2026-07-01 12:00:00", "Anna Admin changed the group Regio Twente",
                     "group.updated", "Anna Admin", "admin@example.org", "Regio Twente",
                     ""]]  # fmt: skip


def test_the_csv_reads_the_whole_log_in_batches(client, session, admin, monkeypatch):
    monkeypatch.setattr(auditlog, "CSV_BATCH", 7)
    many_events(session, 40)
    rows = read_csv(client.get("/admin/audit.csv?since=2026-01-01&until=2026-01-01"))[1:]
    assert len(rows) == 40
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), reverse=True)


def test_the_csv_of_an_unknown_person_has_the_headings_alone(client, admin):
    assert len(read_csv(client.get("/admin/audit.csv?actor=niemand@example.org"))) == 1


def test_only_administrators_read_the_log(client, auth):
    auth.login(Role.REVIEWER)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_a_group_kind_is_never_confused_with_a_role_in_a_sentence(session):
    """sentence_values names roles only where a role was recorded."""
    event = AuditEvent(action="group.created", details={"kind": GroupKind.REGION.value})
    assert audit.sentence_values(event)["role"] == ""


def test_names_in_sentences_are_text_never_markup(client, session, admin):
    admin_user = user_with_role(session, Role.ADMIN)
    group = Group(name='<script>alert("x")</script>', kind=GroupKind.WORKGROUP)
    session.add(group)
    session.flush()
    add_event(session, "group.created", admin_user, group, group.name)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</a>" in page
