"""`partycare demo`: builds the demo organisation (see partycare.demo.generator)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partycare.demo.generator import BATCH_SIZE, DEFAULT_MEMBERS, DEFAULT_SEED, DemoError, generate
from partycare.members.models import Member


class Command(BaseCommand):
    help = "生成演示单位（可扩展到百万党员） / build the demo organisation (scales to 1,000,000 members)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members",
            type=int,
            default=DEFAULT_MEMBERS,
            help=f"党员人数 / number of members (default {DEFAULT_MEMBERS})",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="随机种子，相同种子生成相同数据 / same seed, same data"
        )
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--if-empty", action="store_true", help="已有党员时什么也不做 / do nothing when members already exist"
        )
        when.add_argument(
            "--reset", action="store_true", help="先清空数据库全部数据再生成 / wipe the whole database first"
        )
        parser.add_argument("--yes", action="store_true", help="--reset 时不再确认 / do not ask before --reset")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="每批写入行数 / rows per bulk insert")

    def handle(
        self,
        *args: Any,
        members: int,
        seed: int,
        if_empty: bool,
        reset: bool,
        yes: bool,
        batch_size: int,
        **options: Any,
    ) -> None:
        if if_empty and Member.objects.exists():
            self.stdout.write("已有党员数据，跳过演示数据生成 / members exist, nothing to do")
            return
        if reset:
            if not yes and not self.confirm_reset():
                raise CommandError("已取消 / cancelled")
            # flush empties every table whatever later apps add, and is a TRUNCATE on PostgreSQL (fast at 1M rows)
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("已清空数据库 / database emptied")
        try:
            generate(members=members, seed=seed, stdout=self.stdout, batch_size=batch_size)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc

    def confirm_reset(self) -> bool:
        answer = input(
            "这将删除数据库中的全部数据（党组织、党员、账号、审计记录等）。\n"
            "This deletes ALL data in the database (organisations, members, accounts, audit log, ...).\n"
            "输入 yes 继续 / type yes to continue: "
        )
        return answer.strip().lower() == "yes"
