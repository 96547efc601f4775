"""Reminders: inbox entries for the people responsible, then e-mail and SMS sent from the inbox.

Creating entries is set-based (INSERT … SELECT, idempotent through a unique constraint); sending loops over the
recipients who have something new, which is bounded by people, not by members.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import F, Q
from django.utils import timezone

from partycare.accounts.models import Role, RoleGrant
from partycare.obligations.models import Notification, NotificationKind, Obligation, ObligationState
from partycare.obligations.sms import TextMessage, get_backend
from partycare.obligations.sql import date_value, insert_from_select, text_value
from partycare.orgs.models import OrgPost, PostKind

# A duty is announced this many days before its due date (event duties with short windows: at once).
REMIND_DAYS_BEFORE_DUE = 14
RESPONSIBLE_POSTS = (PostKind.SECRETARY, PostKind.DEPUTY_SECRETARY)
# A leader answers in person (links, requested talks), never for the organisation the role is granted on.
RESPONSIBLE_ROLES = (Role.BRANCH_SECRETARY, Role.GENERAL_SECRETARY)


def _pending(kind: str, as_of: dt.date, prefix: str = "") -> Q:
    if kind == NotificationKind.OVERDUE:
        return Q(**{f"{prefix}state": ObligationState.OVERDUE})
    return Q(
        **{
            f"{prefix}state": ObligationState.OPEN,
            f"{prefix}window_start__lte": as_of,
            f"{prefix}due_on__lte": as_of + dt.timedelta(days=REMIND_DAYS_BEFORE_DUE),
        }
    )


def create_notifications(*, as_of: dt.date) -> dict[str, int]:
    """Inbox entries for duties that came due or went overdue, for each responsible person. Idempotent."""
    created: dict[str, int] = {}
    for kind in (NotificationKind.DUE, NotificationKind.OVERDUE):
        common = {"kind": text_value(kind), "created_on": date_value(as_of)}
        # The person named on the duty (a leader's own links and requested talks).
        personal = Obligation.objects.filter(_pending(kind, as_of), responsible_member__account__isnull=False)
        created[f"{kind}.personal"] = insert_from_select(
            Notification,
            personal,
            {"recipient": F("responsible_member__account__id"), "obligation": F("pk"), **common},
        )
        # Whoever currently holds the secretary's post of the responsible organisation.
        posts = OrgPost.objects.current(as_of).filter(
            _pending(kind, as_of, "org__obligations__"),
            post__in=RESPONSIBLE_POSTS,
            member__account__isnull=False,
        )
        created[f"{kind}.post"] = insert_from_select(
            Notification,
            posts,
            {"recipient": F("member__account__id"), "obligation": F("org__obligations__id"), **common},
        )
        # Staff accounts granted a secretary's role on exactly that organisation.
        grants = RoleGrant.objects.filter(_pending(kind, as_of, "org__obligations__"), role__in=RESPONSIBLE_ROLES)
        created[f"{kind}.grant"] = insert_from_select(
            Notification, grants, {"recipient": F("user_id"), "obligation": F("org__obligations__id"), **common}
        )
    return created


def _line(notification: Notification) -> str:
    obligation = notification.obligation
    whom = obligation.subject_member.name if obligation.subject_member else obligation.responsible_org.name
    return f"【{notification.get_kind_display()}】{obligation.rule_label} — {whom}，截止 {obligation.due_on:%Y-%m-%d}"


def dispatch_notifications(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One e-mail and one text per recipient summarising what is new; marks what was sent."""
    now = now or timezone.now()
    unsent = (
        Notification.objects.filter(Q(emailed_at__isnull=True) | Q(texted_at__isnull=True), read_at__isnull=True)
        .select_related("recipient", "recipient__member", "obligation__subject_member", "obligation__responsible_org")
        .order_by("recipient_id", "obligation__due_on")
    )
    by_recipient: dict[Any, list[Notification]] = defaultdict(list)
    for notification in unsent:
        by_recipient[notification.recipient].append(notification)

    mails, texts = [], []
    emailed_ids: list[int] = []
    texted_ids: list[int] = []
    for recipient, items in by_recipient.items():
        to_mail = [n for n in items if n.emailed_at is None]
        if to_mail and recipient.email:
            body = "\n".join(_line(n) for n in to_mail)
            subject = f"partycare 提醒：{len(to_mail)} 项待办/逾期"
            mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email]))
            emailed_ids += [n.pk for n in to_mail]
        to_text = [n for n in items if n.texted_at is None]
        member = getattr(recipient, "member", None)
        if to_text and member is not None and member.phone:
            overdue = sum(1 for n in to_text if n.kind == NotificationKind.OVERDUE)
            texts.append(
                TextMessage(
                    member.phone, f"【党内关怀】您有{len(to_text)}项新提醒（逾期{overdue}项），请登录系统查看。"
                )
            )
            texted_ids += [n.pk for n in to_text]
    sent_mail = send_mass_mail(mails, fail_silently=False) if mails else 0
    sent_text = get_backend().send(texts) if texts else 0
    Notification.objects.filter(pk__in=emailed_ids).update(emailed_at=now)
    Notification.objects.filter(pk__in=texted_ids).update(texted_at=now)
    return {"emails": sent_mail, "texts": sent_text}


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user: Any, ids: list[int] | None = None) -> int:
    """Reading one's own inbox is not an audited change (it alters nothing anyone else sees)."""
    inbox = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        inbox = inbox.filter(pk__in=ids)
    return inbox.update(read_at=timezone.now())


__all__ = ["create_notifications", "dispatch_notifications", "mark_read", "unread_count"]
