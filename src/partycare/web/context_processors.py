"""Navigation shown in the side menu, filtered by what the user's scope allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    icon: str
    active: bool = False


def _url(name: str) -> str | None:
    """Screens built by other apps appear in the menu once their URLs are wired in."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def may_have_duties(user: Any) -> bool:
    """Duties fall on people through organisation roles and posts, or in person (a leader's links and requests)."""
    from partycare.accounts.scope import scope_of

    scope = scope_of(user)
    member = getattr(user, "member", None)
    return bool(scope.grants) or scope.is_superuser or getattr(member, "leadership_level", "none") != "none"


def menu_for(request: HttpRequest) -> list[NavItem]:
    from partycare.accounts.scope import IMPORT, MANAGE_ACCOUNTS, RECORD, VIEW, VIEW_AUDIT, scope_of

    scope = scope_of(getattr(request, "user", None))
    if not scope.is_authenticated:
        return []
    sees_registry = scope.allows_anywhere(VIEW) or scope.member_id is not None
    sees_care = scope.allows_anywhere(VIEW)
    has_duties = may_have_duties(request.user)
    candidates: list[tuple[Any, str, str, bool]] = [
        (_("首页"), "web:home", "house", True),
        (_("我的待办"), "obligations:list", "list-check", has_duties),
        (_("谈心谈话"), "care:talks", "chat-dots", sees_care),
        (_("走访慰问"), "care:visits", "house-heart", sees_care),
        (_("政治生日"), "care:greetings", "gift", sees_care and scope.allows_anywhere(RECORD)),
        (_("约谈"), "care:requests", "chat-square-heart", sees_care or scope.member_id is not None),
        (_("督导检查"), "obligations:compliance", "bar-chart-line", sees_care),
        (_("节日日历"), "obligations:calendar", "calendar-heart", sees_care),
        (_("组织架构"), "orgs:tree", "diagram-3", sees_registry),
        (_("党员名册"), "members:list", "people", sees_registry),
        (_("导入名册"), "roster:import", "file-earmark-arrow-up", scope.allows_anywhere(IMPORT)),
        (_("政策包"), "policy:index", "journal-bookmark", scope.allows_anywhere(VIEW)),
        (_("审计日志"), "audit:list", "journal-text", scope.allows_anywhere(VIEW_AUDIT)),
        (_("账号管理"), "accounts:list", "person-gear", scope.allows_anywhere(MANAGE_ACCOUNTS)),
        (_("接口文档"), "api:docs", "code-square", scope.allows_anywhere(VIEW)),
    ]
    items = [(label, url, icon) for label, name, icon, shown in candidates if shown and (url := _url(name))]
    # The deepest menu entry that prefixes the current path is the active one ("/" only for the home page).
    matches = [
        url for _label, url, _icon in items if request.path == url or (url != "/" and request.path.startswith(url))
    ]
    active = max(matches, key=len, default=None)
    return [NavItem(label, url, icon, url == active) for label, url, icon in items]


def navigation(request: HttpRequest) -> dict[str, Any]:
    from partycare.accounts.scope import RECORD, scope_of

    user = getattr(request, "user", None)
    scope = scope_of(user)
    return {"scope": scope, "nav_items": menu_for(request), "can_record_care": scope.allows_anywhere(RECORD)}
