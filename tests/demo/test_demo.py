"""The demo generator: a valid tree, consistent people, the personas and their scopes, and set-based writes."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partycare.accounts.models import Role, RoleGrant, User
from partycare.audit.models import AuditEntry
from partycare.common.dates import add_years, business_today
from partycare.common.idcard import parse_id_number
from partycare.demo import generator
from partycare.demo.generator import PASSWORD, DemoError, generate
from partycare.members.models import Discipline, Honour, LifeEvent, Member, MemberCategory, MemberStatus
from partycare.members.selectors import MemberFilter, member_list
from partycare.orgs.models import ALLOWED_PARENT_KINDS, Organisation, OrgKind, OrgPost

SMALL = 300
AS_OF = business_today()


@pytest.fixture
def demo(db: None) -> generator.DemoResult:
    return generate(members=SMALL, seed=7, as_of=AS_OF)


def _members() -> list[Member]:
    return list(Member.objects.select_related("org"))


def _parent_kind(org: Organisation) -> str | None:
    parent = Organisation.objects.get_parent(org)
    return parent.kind if parent is not None else None


# --- the tree ------------------------------------------------------------------------------------------------------
def test_tree_is_a_valid_treebeard_tree_with_a_university_shape(demo: generator.DemoResult) -> None:
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    root = Organisation.objects.get(pk=demo.root_id)
    assert (root.depth, root.kind, root.name) == (1, OrgKind.COMMITTEE, "中共示范大学委员会")
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds[OrgKind.GENERAL_BRANCH] + kinds[OrgKind.SECONDARY_COMMITTEE] >= 4
    assert kinds[OrgKind.BRANCH] == demo.counts.branches >= 6
    for org in Organisation.objects.all():
        assert _parent_kind(org) in ALLOWED_PARENT_KINDS[org.kind], org.name
        assert org.numchild == Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).count()
    assert set(Member.objects.values_list("org__kind", flat=True)) <= {OrgKind.BRANCH, OrgKind.GROUP}


def test_every_branch_and_committee_has_one_current_secretary(demo: generator.DemoResult) -> None:
    secretaries = Counter(OrgPost.objects.current().filter(post="secretary").values_list("org_id", flat=True))
    for org in Organisation.objects.exclude(kind=OrgKind.GROUP):
        assert secretaries[org.pk] == 1, org.name
    # a branch big enough for a committee has one (组织委员, 宣传委员, 纪检委员)
    big = next(org for org in Organisation.objects.filter(kind=OrgKind.BRANCH) if org.members.count() >= 10)
    assert {"organisation_member", "propaganda_member", "discipline_member"} <= set(
        OrgPost.objects.filter(org=big).values_list("post", flat=True)
    )


# --- the people ----------------------------------------------------------------------------------------------------
def test_dates_and_id_numbers_are_consistent(demo: generator.DemoResult) -> None:
    members = _members()
    assert len(members) == SMALL
    year_ago = add_years(AS_OF, -1)
    for member in members:
        member.clean()  # the model's own rules: joined at 18, 转正 after 入党, ID checksum and birth date
        assert member.joined_on >= add_years(member.birth_date, 18), member.name
        assert member.joined_on <= AS_OF
        if member.status == MemberStatus.FULL:
            assert member.full_member_on == add_years(member.joined_on, 1) <= AS_OF
        else:
            assert member.full_member_on is None and member.joined_on > year_ago
        parsed = parse_id_number(member.id_number)
        assert (parsed.birth_date, parsed.gender) == (member.birth_date, member.gender)
        assert member.id_number_masked == member.id_number[:4] + "*" * 10 + member.id_number[-4:]
        assert len(member.phone) == 11 and member.phone_masked.startswith(member.phone[:3])
    assert len({m.id_number for m in members}) == SMALL
    assert len(set(Member.objects.values_list("id_number_index", flat=True))) == SMALL


def test_the_people_the_care_rules_need_are_there(demo: generator.DemoResult) -> None:
    members = [m for m in _members() if m.roll_state == "active"]
    retirees = [m for m in members if m.category == MemberCategory.RETIRED]
    assert any(m.age(AS_OF) >= 80 for m in retirees)
    assert any(m.lives_alone for m in retirees)
    assert any(m.widowed_or_alone and m.frail_sick_disabled for m in retirees)
    assert any(m.in_difficulty and m.receives_dibao and not m.has_pension for m in retirees)
    assert any(m.honorary and m.age(AS_OF) >= 70 for m in retirees)
    assert any(m.party_age(AS_OF) >= 50 for m in retirees)
    fifty_this_year = dt.date(AS_OF.year - 50, 7, 1)
    assert any(m.full_member_on and m.full_member_on.year == fifty_this_year.year for m in retirees)
    assert any(m.mobile for m in members)
    students = [m for m in members if m.category == MemberCategory.STUDENT]
    probationary = [m for m in students if m.status == MemberStatus.PROBATIONARY]
    assert len(probationary) >= len(students) // 5
    assert all(18 <= m.age(AS_OF) <= 32 for m in students)
    assert Counter(m.category for m in members).keys() >= {"staff", "student", "retired"}
    levels = Counter(m.leadership_level for m in members)
    assert levels["school"] >= 3 and levels["middle"] >= 5
    assert LifeEvent.objects.filter(kind="hospitalised", occurred_on__gte=AS_OF - dt.timedelta(days=30)).exists()
    assert Honour.objects.exists()


def test_one_sanction_is_over_and_one_still_runs(demo: generator.DemoResult) -> None:
    disciplines = list(Discipline.objects.all())
    assert any(d.impact_until < AS_OF for d in disciplines)
    assert any(d.in_impact(AS_OF) for d in disciplines)
    assert all(d.decided_on > d.member.joined_on for d in disciplines)


def test_names_look_chinese(demo: generator.DemoResult) -> None:
    names = [m.name for m in _members()]
    assert all(2 <= len(name) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names)
    assert len(set(names)) > SMALL * 0.8


# --- personas and scope --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("username", generator.PERSONA_USERNAMES)
def test_every_persona_logs_in_with_the_documented_password(demo: generator.DemoResult, username: str) -> None:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": "wrong-password"}).status_code == 200
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)


def _visible(username: str) -> set[int]:
    return set(
        member_list(user=User.objects.get(username=username), filters=MemberFilter()).values_list("pk", flat=True)
    )


def _subtree_members(org: Organisation) -> set[int]:
    return set(Member.objects.on_roll().filter(org__path__startswith=org.path).values_list("pk", flat=True))


def test_persona_scopes(demo: generator.DemoResult) -> None:
    bsec, gbsec = User.objects.get(username="bsec"), User.objects.get(username="gbsec")
    branch = OrgPost.objects.current().get(member=bsec.member, post="secretary").org
    unit = OrgPost.objects.current().get(member=gbsec.member, post="secretary").org
    assert branch.kind == OrgKind.BRANCH and "教工" in branch.name
    assert unit.kind == OrgKind.GENERAL_BRANCH and branch.path.startswith(unit.path)

    everyone = set(Member.objects.on_roll().values_list("pk", flat=True))
    assert _visible("bsec") == _subtree_members(branch)
    assert 5 <= len(_visible("bsec")) < len(_visible("gbsec")) < len(everyone)
    assert _visible("gbsec") == _subtree_members(unit)
    assert _visible("committee") == _subtree_members(branch)
    member = User.objects.get(username="member").member
    assert member is not None
    assert _visible("member") == {member.pk}
    assert member.org.path.startswith(branch.path) and not member.posts.exists()
    for username in ("admin", "auditor", "leader"):
        assert _visible(username) == everyone

    grants = set(RoleGrant.objects.values_list("user__username", "role", "org_id"))
    assert grants == {
        ("admin", Role.ORG_ADMIN, demo.root_id),
        ("auditor", Role.AUDITOR, demo.root_id),
        ("leader", Role.LEADER, demo.root_id),
    }
    leader, committee = User.objects.get(username="leader").member, User.objects.get(username="committee").member
    assert leader is not None and leader.leadership_level == "school"
    assert committee is not None and committee.posts.get().post == "organisation_member"
    assert User.objects.get(username="admin").member is None and User.objects.get(username="auditor").member is None


# --- the run -------------------------------------------------------------------------------------------------------
def test_one_audit_row_for_the_whole_run(demo: generator.DemoResult) -> None:
    entry = AuditEntry.objects.get()
    assert (entry.event, entry.actor, entry.actor_label) == ("demo.generate", None, "系统")
    assert entry.changes["members"] == SMALL and entry.changes["seed"] == 7
    assert entry.object_id == str(demo.root_id)


def _snapshot(members: int, seed: int) -> tuple[list[Any], int]:
    """Generates inside a savepoint that is rolled back; returns what was built and how many statements it took."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        generate(members=members, seed=seed, as_of=AS_OF)
        rows: list[Any] = list(
            Member.objects.order_by("org__path", "id").values_list(
                "org__path", "name", "gender", "birth_date", "joined_on", "id_number_index", "category", "position"
            )
        )
        rows += list(Organisation.objects.values_list("path", "name", "kind", "numchild"))
        rows += list(LifeEvent.objects.order_by("id").values_list("member__id_number_index", "kind", "occurred_on"))
        statements = len(queries)
        transaction.set_rollback(True)
    return rows, statements


@pytest.mark.django_db
def test_same_seed_same_demo_other_seed_other_demo() -> None:
    first, _ = _snapshot(SMALL, seed=11)
    second, _ = _snapshot(SMALL, seed=11)
    other, _ = _snapshot(SMALL, seed=12)
    assert first == second
    assert first != other


@pytest.mark.django_db
def test_statements_grow_by_batches_not_by_rows() -> None:
    _, small = _snapshot(SMALL, seed=3)
    _, double = _snapshot(2 * SMALL, seed=3)
    # 300 more members bring ~130 more rows (posts, events, honours) besides; one statement per row would be 430+.
    # SQLite takes ~30 member rows per INSERT (999 parameters), so about a dozen more statements are expected.
    assert double - small <= 30, (small, double)


@pytest.mark.django_db
def test_refuses_to_build_over_existing_members(demo: generator.DemoResult) -> None:
    before = (Member.objects.count(), Organisation.objects.count(), User.objects.count())
    with pytest.raises(DemoError):
        generate(members=SMALL, seed=8)
    assert (Member.objects.count(), Organisation.objects.count(), User.objects.count()) == before


def test_refuses_too_small_a_demo(db: None) -> None:
    with pytest.raises(DemoError):
        generate(members=generator.MIN_MEMBERS - 1)
    assert not Organisation.objects.exists()


# --- the command ---------------------------------------------------------------------------------------------------
def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_logins_and_if_empty_is_a_no_op_the_second_time(db: None) -> None:
    output = _command("--members", "150", "--if-empty")
    assert PASSWORD in output
    for username in generator.PERSONA_USERNAMES:
        assert f"\n  {username} " in output
    counts = (Member.objects.count(), Organisation.objects.count(), AuditEntry.objects.count())
    assert counts[0] == 150

    again = _command("--members", "150", "--if-empty")
    assert "nothing to do" in again
    assert (Member.objects.count(), Organisation.objects.count(), AuditEntry.objects.count()) == counts


def test_command_without_reset_refuses_and_with_reset_rebuilds(transactional_db: None) -> None:
    # --reset flushes every table, which PostgreSQL refuses inside the test's open transaction.
    _command("--members", "150", "--seed", "1")
    with pytest.raises(CommandError):
        _command("--members", "150")
    _command("--members", "200", "--seed", "2", "--reset", "--yes")
    assert Member.objects.count() == 200
    assert User.objects.filter(username__in=generator.PERSONA_USERNAMES).count() == 7
    assert Organisation.objects.filter(depth=1).count() == 1
    assert Organisation.objects.find_problems() == ([], [], [], [], [])


def test_reset_asks_first(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    _command("--members", "150")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError):
        _command("--members", "150", "--reset")
    assert Member.objects.count() == 150


# --- the province-sized tree ---------------------------------------------------------------------------------------
def test_a_million_members_plan_a_province_of_branches_of_about_thirty() -> None:
    import random

    root = generator.plan_tree(1_000_000, random.Random(1))
    nodes = list(root.walk())
    branches = [node for node in nodes if node.kind == OrgKind.BRANCH]
    sizes = generator.allocate(1_000_000, [generator._minimum_size(b) for b in branches], [b.target for b in branches])
    assert sum(sizes) == 1_000_000
    assert 25_000 <= len(branches) <= 40_000
    assert 20 <= sum(sizes) / len(branches) <= 40
    assert root.name == "中共示范省委员会"
    assert sum(1 for child in root.children if child.name.endswith("市委员会")) == 15
    for node in nodes:
        for child in node.children:
            assert node.kind in ALLOWED_PARENT_KINDS[child.kind], (node.name, child.name)
        names = [child.name for child in node.children]
        assert len(names) == len(set(names)), node.name


@pytest.mark.django_db
def test_province_mode_builds_a_valid_tree_around_the_university(monkeypatch: pytest.MonkeyPatch) -> None:
    # the real thresholds are 20,000 and 3,000 members; shrunk so the province shape runs in a unit test
    monkeypatch.setattr(generator, "UNIVERSITY_MAX_MEMBERS", 1000)
    monkeypatch.setattr(generator, "PROVINCE_UNIVERSITY_MEMBERS", 400)
    result = generate(members=3000, seed=5, as_of=AS_OF)
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    root = Organisation.objects.get(pk=result.root_id)
    assert root.name == "中共示范省委员会" and Member.objects.count() == 3000
    for org in Organisation.objects.all():
        assert _parent_kind(org) in ALLOWED_PARENT_KINDS[org.kind], org.name
    assert Organisation.objects.filter(depth=5, kind=OrgKind.BRANCH).exists()
    assert Member.objects.filter(category="other", org__name__contains="村党支部").exists()
    university = Organisation.objects.get(name="中共示范大学委员会")
    assert university.depth == 2
    branch = OrgPost.objects.get(member__account__username="bsec", post="secretary").org
    assert branch.path.startswith(university.path)
    assert _visible("bsec") == _subtree_members(branch)
    assert _visible("admin") == set(Member.objects.on_roll().values_list("pk", flat=True))


def test_command_activates_a_pack_so_personas_have_duties(db: None) -> None:
    from partycare.common.dates import business_today
    from partycare.obligations.selectors import my_duties
    from partycare.policy.models import PolicyActivation

    _command("--members", "150")
    root = Organisation.objects.get_root_nodes().get()
    assert PolicyActivation.objects.filter(org=root, pack_slug="xinxiang-2020").exists()
    bsec = User.objects.get(username="bsec")
    assert my_duties(user=bsec, as_of=business_today()).exists()


def test_command_can_leave_the_rules_unset(db: None) -> None:
    from partycare.policy.models import PolicyActivation

    _command("--members", "150", "--pack", "")
    assert not PolicyActivation.objects.exists()
