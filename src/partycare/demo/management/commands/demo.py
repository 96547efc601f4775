"""`partycare demo`: builds the demo organisation (see partycare.demo.generator)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partycare.common.dates import business_today
from partycare.demo.generator import BATCH_SIZE, DEFAULT_MEMBERS, DEFAULT_SEED, DemoError, generate
from partycare.members.models import Member
from partycare.obligations.services import run_sweep
from partycare.orgs.models import Organisation
from partycare.policy.loader import load_preset
from partycare.policy.services import activate_pack

DEMO_PACK = "xinxiang-2020"


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
        parser.add_argument(
            "--pack",
            default=DEMO_PACK,
            help=f"为根组织启用的政策包 / preset activated on the root (default {DEMO_PACK}; '' for none)",
        )

    def handle(
        self,
        *args: Any,
        members: int,
        seed: int,
        if_empty: bool,
        reset: bool,
        yes: bool,
        batch_size: int,
        pack: str,
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
        if pack:
            self.activate_and_sweep(pack)

    def activate_and_sweep(self, slug: str) -> None:
        """A demo with rules in force shows duties on the very first page a persona opens."""
        root = Organisation.objects.get_root_nodes().last()  # the tree just built is the newest root
        if root is None:
            return
        preset = load_preset(slug)
        activate_pack(actor=None, org=root, pack=preset, effective_from=preset.effective_from)
        report = run_sweep(as_of=business_today(), notify=False, triggered_by="demo")
        self.stdout.write(
            f"已启用政策包 {slug} 并生成责任事项 {report.total_inserted} 项 / pack active, duties derived"
        )

    def confirm_reset(self) -> bool:
        answer = input(
            "这将删除数据库中的全部数据（党组织、党员、账号、审计记录等）。\n"
            "This deletes ALL data in the database (organisations, members, accounts, audit log, ...).\n"
            "输入 yes 继续 / type yes to continue: "
        )
        return answer.strip().lower() == "yes"
