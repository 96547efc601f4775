"""Derived member facts that live in other tables, defined once for both evaluation paths.

* ``in_discipline_impact``: a ``Discipline`` decided on or before the date whose ``impact_until`` is on or after it
  (the same as ``Discipline.in_impact``), so a sanction whose impact period has ended no longer blocks anything.
* ``has_honour``: an ``Honour`` awarded on or before the date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef


def exists_expression(name: str, as_of: dt.date) -> Exists:
    from partycare.members.models import Discipline, Honour

    if name == "in_discipline_impact":
        return Exists(Discipline.objects.filter(member=OuterRef("pk"), decided_on__lte=as_of, impact_until__gte=as_of))
    if name == "has_honour":
        return Exists(Honour.objects.filter(member=OuterRef("pk"), awarded_on__lte=as_of))
    raise KeyError(name)


def member_fact(name: str, member: Any, as_of: dt.date) -> bool:
    """Single-record counterpart of :func:`exists_expression` (a ``FactLookup`` for ``conditions.evaluate``)."""
    if name == "in_discipline_impact":
        return member.disciplines.filter(decided_on__lte=as_of, impact_until__gte=as_of).exists()
    if name == "has_honour":
        return member.honours.filter(awarded_on__lte=as_of).exists()
    raise KeyError(name)
