"""`partycare sweep --as-of YYYY-MM-DD`: derive obligations and update their states as of a day."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from partycare.obligations.services import run_sweep


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD / dates are YYYY-MM-DD: {value}") from exc


class Command(BaseCommand):
    help = "按日期生成/更新责任事项（幂等，可重放） / derive obligations as of a date (idempotent, replayable)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--as-of", type=_date, default=None, help="业务日期，默认今天 / business date (default today)"
        )
        parser.add_argument("--since", type=_date, default=None, help="从哪天起生成，默认当年1月1日 / start of range")
        parser.add_argument("--no-notify", action="store_true", help="不生成提醒 / skip reminders")
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="只看上次核对以来的变化（不可行时自动全量） / only what changed since the previous run, when safe",
        )

    def handle(
        self,
        *args: Any,
        as_of: dt.date | None,
        since: dt.date | None,
        no_notify: bool,
        incremental: bool,
        **options: Any,
    ) -> None:
        report = run_sweep(as_of=as_of, since=since, notify=not no_notify, incremental=incremental)
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
