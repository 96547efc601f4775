"""A small university with one persona per scope, built through the services like real data would be."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from typing import Any

from partycare.accounts.models import Role, User
from partycare.accounts.services import create_account, grant_role
from partycare.common.idcard import make_id_number
from partycare.members.models import Member
from partycare.members.services import create_member
from partycare.orgs.models import Organisation, OrgKind
from partycare.orgs.services import assign_post, create_organisation

PASSWORD = "correct-horse-battery-9"
_sequence = itertools.count(1)


def member_data(**overrides: Any) -> dict[str, Any]:
    """Valid member fields; the ID number matches the birth date and gender."""
    n = next(_sequence)
    # Modulo keeps birth dates in 1980–1999 however many members a test run makes.
    birth = overrides.pop("birth_date", dt.date(1980, 1, 1) + dt.timedelta(days=37 * (n % 197)))
    gender = overrides.pop("gender", "male" if n % 2 else "female")
    sequence = (n * 2 + (1 if gender == "male" else 0)) % 1000
    data = {
        "name": f"党员{n}",
        "gender": gender,
        "birth_date": birth,
        "id_number": make_id_number("410105", birth, sequence),
        "phone": f"138{n:08d}",
        "joined_on": dt.date(birth.year + 25, 7, 1),
        "full_member_on": dt.date(birth.year + 26, 7, 1),
        "status": "full",
        "category": "staff",
    }
    data.update(overrides)
    return data


def make_member(org: Organisation, actor: Any, **overrides: Any) -> Member:
    return create_member(actor=actor, org=org, data=member_data(**overrides))


def build_world() -> SimpleNamespace:
    root_user = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    w = SimpleNamespace(root_user=root_user)
    w.root = create_organisation(actor=root_user, parent=None, name="测试大学党委", kind=OrgKind.COMMITTEE)
    w.gb1 = create_organisation(actor=root_user, parent=w.root, name="文学院党总支", kind=OrgKind.GENERAL_BRANCH)
    w.gb2 = create_organisation(actor=root_user, parent=w.root, name="理学院党委", kind=OrgKind.SECONDARY_COMMITTEE)
    w.b1 = create_organisation(actor=root_user, parent=w.gb1, name="文学院教工第一党支部", kind=OrgKind.BRANCH)
    w.b2 = create_organisation(actor=root_user, parent=w.gb1, name="文学院学生党支部", kind=OrgKind.BRANCH)
    w.b3 = create_organisation(actor=root_user, parent=w.gb2, name="理学院教工党支部", kind=OrgKind.BRANCH)

    w.m1 = make_member(w.b1, root_user, name="张伟", gender="male")
    w.m2 = make_member(w.b1, root_user, name="王芳", gender="female")
    w.m3 = make_member(w.b2, root_user, name="李娜", gender="female", category="student")
    w.m4 = make_member(w.b3, root_user, name="刘洋", gender="male")
    w.secretary_member = make_member(w.b1, root_user, name="陈静", gender="female")

    def account(username: str, **kwargs: Any) -> User:
        return create_account(actor=root_user, username=username, password=PASSWORD, check_password=False, **kwargs)

    w.admin = account("admin", org=w.root)
    grant_role(actor=root_user, user=w.admin, org=w.root, role=Role.ORG_ADMIN)
    w.gbsec = account("gbsec", org=w.gb1)
    grant_role(actor=root_user, user=w.gbsec, org=w.gb1, role=Role.GENERAL_SECRETARY)
    # The branch secretary's rights come from holding the post, not from a separate grant.
    w.bsec = account("bsec", member=w.secretary_member)
    assign_post(actor=root_user, org=w.b1, member=w.secretary_member, post="secretary", since=dt.date(2020, 1, 1))
    w.committee = account("committee", org=w.b1)
    grant_role(actor=root_user, user=w.committee, org=w.b1, role=Role.COMMITTEE_MEMBER)
    w.auditor = account("auditor", org=w.root)
    grant_role(actor=root_user, user=w.auditor, org=w.root, role=Role.AUDITOR)
    w.member = account("member", member=w.m2)
    w.outsider = account("outsider", org=w.root)
    return w
