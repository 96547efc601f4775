"""Reads of care records, always limited to the user's scope (`visible_to`); single objects raise NotFound."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from partycare.accounts.scope import RECORD, VIEW, scope_of
from partycare.care.models import (
    Greeting,
    GreetingOccasion,
    LeaderLink,
    MedalAward,
    NeedsSurveyResponse,
    Talk,
    TalkRequest,
    Visit,
)
from partycare.common.errors import NotFound
from partycare.members.models import LeadershipLevel, Member, RollState
from partycare.orgs.models import Organisation, OrgPost, PostKind


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


# --- talks and visits ------------------------------------------------------------------------------------------


def talks_visible_to(user: Any) -> QuerySet[Talk]:
    return (
        Talk.objects.visible_to(user)
        .select_related("org", "reason_event")
        .prefetch_related("talkers", "participants")
        .order_by("-held_on", "-id")
    )


def get_talk(*, user: Any, pk: Any) -> Talk:
    talk: Talk = _get(talks_visible_to(user), pk)
    return talk


def visits_visible_to(user: Any) -> QuerySet[Visit]:
    return (
        Visit.objects.visible_to(user)
        .select_related("org", "member", "reason_event")
        .prefetch_related("visitors")
        .order_by("-visited_on", "-id")
    )


def get_visit(*, user: Any, pk: Any) -> Visit:
    visit: Visit = _get(visits_visible_to(user), pk)
    return visit


def in_subtree(queryset: QuerySet[Any], org: Organisation | None, prefix: str = "org__") -> QuerySet[Any]:
    """Narrow a scoped list to one organisation and everything below it."""
    return queryset if org is None else queryset.filter(**{f"{prefix}path__startswith": org.path})


# --- choosing people -------------------------------------------------------------------------------------------


def recordable_orgs(user: Any) -> QuerySet[Organisation]:
    """Organisations in whose name the user may record care work."""
    return Organisation.objects.visible_to(user, RECORD).filter(status="active")


def default_record_org(user: Any) -> Organisation | None:
    """The organisation a new record is most likely made for: the one whose secretary the user is, else their own
    branch if they may record there, else the top of their recording scope."""
    orgs = recordable_orgs(user)
    scope = scope_of(user)
    if scope.member_id is not None:
        posts = OrgPost.objects.current().filter(
            member_id=scope.member_id, post__in=[PostKind.SECRETARY, PostKind.DEPUTY_SECRETARY]
        )
        held = orgs.filter(pk__in=posts.values("org_id")).order_by("depth", "path").first()
        if held is not None:
            return held
    if scope.member_org_id:
        own = orgs.filter(pk=scope.member_org_id).first()
        if own is not None:
            return own
    return orgs.order_by("depth", "path").first()


def members_to_choose(user: Any, org: Organisation | None) -> QuerySet[Member]:
    """Members on the roll the user may see, in `org`'s subtree — the choices of a talk or visit form."""
    members = Member.objects.visible_to(user, VIEW).filter(roll_state=RollState.ACTIVE).select_related("org")
    return in_subtree(members, org).order_by("org__path", "name", "id")


def own_member_id(user: Any) -> int | None:
    return scope_of(user).member_id


def talkers_to_choose(user: Any, org: Organisation | None) -> QuerySet[Member]:
    """Who may have talked: members in the subtree, plus the user themself (a leader talking with a cadre)."""
    scope = scope_of(user)
    query = Q(pk__in=members_to_choose(user, org).values("pk"))
    if scope.member_id:
        query |= Q(pk=scope.member_id)
    return Member.objects.filter(query).select_related("org").order_by("org__path", "name", "id")


def leaders_to_choose(user: Any) -> QuerySet[Member]:
    """Leaders in the user's scope (for leader links)."""
    return (
        Member.objects.visible_to(user, VIEW)
        .filter(roll_state=RollState.ACTIVE)
        .exclude(leadership_level=LeadershipLevel.NONE)
        .select_related("org")
        .order_by("-leadership_level", "name", "id")
    )


def leaders_for_request(member: Member) -> QuerySet[Member]:
    """Whom a member may ask for a talk (约谈): leading cadres, and the secretaries of their own organisation and
    the organisations above it. A member sees these names whatever their scope: being approachable is the point."""
    org = member.org
    ancestor_paths = [org.path[:end] for end in range(Organisation.steplen, len(org.path) + 1, Organisation.steplen)]
    secretaries = OrgPost.objects.current().filter(
        org__path__in=ancestor_paths, post__in=[PostKind.SECRETARY, PostKind.DEPUTY_SECRETARY]
    )
    return (
        Member.objects.filter(
            Q(leadership_level=LeadershipLevel.SCHOOL) | Q(pk__in=secretaries.values("member_id")),
            roll_state=RollState.ACTIVE,
        )
        .exclude(pk=member.pk)
        .select_related("org")
        .order_by("-leadership_level", "org__path", "name")
    )


# --- greetings -------------------------------------------------------------------------------------------------


def greetings_visible_to(user: Any) -> QuerySet[Greeting]:
    return Greeting.objects.visible_to(user).select_related("org", "member").order_by("-greeted_on", "-id")


@dataclass(frozen=True)
class BirthdayRow:
    member: Member
    anniversary: dt.date  # this year's political birthday, or birthday
    years: int  # 入党 N 周年, or age reached
    greeted: bool  # already greeted for this occasion in this year


def birthdays_in_month(
    *, user: Any, org: Organisation, year: int, month: int, occasion: str = GreetingOccasion.POLITICAL_BIRTHDAY
) -> list[BirthdayRow]:
    """Members of `org`'s subtree whose political birthday (入党纪念日) — or, for birthday celebrations, birthday —
    falls in the month, with whether they were already greeted that year."""
    political = occasion == GreetingOccasion.POLITICAL_BIRTHDAY
    date_field = "joined_on" if political else "birth_date"
    greeted = Greeting.objects.filter(member_id=OuterRef("pk"), occasion=occasion, greeted_on__year=year)
    members = (
        members_to_choose(user, org)
        .filter(**{f"{date_field}__month": month, f"{date_field}__year__lt": year})
        .annotate(greeted=Exists(greeted))
    )
    rows = []
    for member in members:
        since: dt.date = getattr(member, date_field)
        day = min(since.day, 28) if (since.month, since.day) == (2, 29) else since.day
        rows.append(BirthdayRow(member, dt.date(year, month, day), year - since.year, bool(member.greeted)))
    return sorted(rows, key=lambda r: (r.anniversary, r.member.name))


# --- requested talks, links, surveys, medals -------------------------------------------------------------------


def talk_requests_visible_to(user: Any) -> QuerySet[TalkRequest]:
    return TalkRequest.objects.visible_to(user).select_related("org", "member", "leader", "talk").distinct()


def get_talk_request(*, user: Any, pk: Any) -> TalkRequest:
    item: TalkRequest = _get(talk_requests_visible_to(user), pk)
    return item


def leader_links_visible_to(user: Any) -> QuerySet[LeaderLink]:
    return (
        LeaderLink.objects.visible_to(user)
        .select_related("org", "leader", "member", "member__org")
        .distinct()
        .order_by("leader__name", "kind", "since", "id")
    )


def needs_surveys_visible_to(user: Any) -> QuerySet[NeedsSurveyResponse]:
    return (
        NeedsSurveyResponse.objects.visible_to(user)
        .select_related("org", "member")
        .order_by("-year", "-responded_on", "-id")
    )


def medal_awards_visible_to(user: Any) -> QuerySet[MedalAward]:
    return MedalAward.objects.visible_to(user).select_related("org", "member").order_by("-awarded_on", "-id")
