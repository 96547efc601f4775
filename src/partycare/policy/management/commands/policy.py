"""``partycare policy …`` — validate, show, compare, list and activate policy packs.

partycare policy validate FILE…          # every problem with its path, in Chinese and English; exit 1 if any
partycare policy validate --presets      # all shipped presets
partycare policy show SLUG|FILE [--quotes]
partycare policy show --org ORG_ID [--as-of YYYY-MM-DD]
partycare policy diff A B                # A, B: preset slugs or files
partycare policy list
partycare policy activate SLUG|FILE --org ORG_ID --effective YYYY-MM-DD [--note TEXT]
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from partycare.policy.errors import PackInvalid
from partycare.policy.loader import load_any, load_preset, preset_slugs
from partycare.policy.schema import PolicyPack


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"'{value}' 不是有效日期 YYYY-MM-DD / is not a valid date YYYY-MM-DD") from None


def render_pack(pack: PolicyPack, *, quotes: bool = False) -> str:
    from partycare.policy.summary import not_encoded, source_text, summarise

    md = pack.metadata
    lines = [f"{md.name}  [{pack.slug} v{pack.version}]", f"  {md.institution}《{md.title}》"]
    facts = [
        f"文号 {md.number}" if md.number else "",
        f"印发 {md.issued_on}" if md.issued_on else "",
        f"生效 {md.effective_from}",
        f"来源文件 seed {md.source_seed}",
    ]
    lines.append("  " + "；".join(f for f in facts if f))
    if md.supersedes:
        lines.append(f"  取代：{'、'.join(md.supersedes)}")
    for key, reason in md.defaulted.items():
        lines.append(f"  默认（{key}）：{reason}")
    for section in summarise(pack):
        lines += ["", f"【{section.title}】"]
        for item in section.items:
            lines.append(f"  - {item.text}")
            refs = [source_text(s) if quotes else s.label() for s in item.sources]
            if refs:
                lines.append(f"      来源：{'；'.join(dict.fromkeys(refs))}")
            for key, reason in item.defaults:
                lines.append(f"      默认（{key}）：{reason}")
            for note in item.notes:
                lines.append(f"      说明：{note}")
    skipped = not_encoded(pack)
    if skipped:
        lines += ["", "【已阅读但未编为规则的条款】"]
        for item in skipped:
            lines.append(f"  - {'；'.join(s.label() for s in item.sources)}：{item.text}")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "政策包：校验、查看、比较、列出、启用 / policy packs: validate, show, diff, list, activate"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{validate,show,diff,list,activate}")

        p = sub.add_parser("validate", help="校验政策包文件 / validate pack files")
        p.add_argument("files", nargs="*", help="YAML 文件 / YAML files")
        p.add_argument("--presets", action="store_true", help="校验全部预置政策包 / validate every shipped preset")

        p = sub.add_parser("show", help="以中文摘要显示政策包及来源 / readable summary with sources")
        p.add_argument("pack", nargs="?", help="预置名或文件 / preset slug or file")
        p.add_argument("--org", type=int, help="显示该组织当前适用的政策包 / the pack in force for this organisation")
        p.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD（默认今天 / default today）")
        p.add_argument("--quotes", action="store_true", help="显示原文引文 / include the quoted source text")

        p = sub.add_parser("diff", help="比较两个政策包 / compare two packs")
        p.add_argument("a")
        p.add_argument("b")
        p.add_argument("--no-sources", action="store_true")

        sub.add_parser("list", help="列出预置政策包 / list the shipped presets")

        p = sub.add_parser("activate", help="为组织启用政策包 / activate a pack for an organisation")
        p.add_argument("pack", help="预置名或文件 / preset slug or file")
        p.add_argument("--org", type=int, required=True, help="组织 ID / organisation id")
        p.add_argument("--effective", required=True, help="生效日期 YYYY-MM-DD / effective date")
        p.add_argument("--note", default="", help="说明 / note for the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"do_{action}")(options)

    # -- validate ------------------------------------------------------------------------------------------------

    def do_validate(self, options: dict[str, Any]) -> None:
        targets: list[tuple[str, Any]] = [(f, lambda f=f: load_any(f)) for f in options["files"]]
        if options["presets"]:
            targets += [(f"preset:{s}", lambda s=s: load_preset(s)) for s in preset_slugs()]
        if not targets:
            raise CommandError("请给出要校验的文件，或使用 --presets / give files to validate, or --presets")
        failed = 0
        for name, load in targets:
            try:
                pack = load()
            except PackInvalid as exc:
                failed += 1
                self.stderr.write(f"✗ {name}: {len(exc.issues)} 个问题 / problem(s)")
                for issue in exc.issues:
                    self.stderr.write(f"  {issue}")
                continue
            rules = sum(1 for _ in pack.rules())
            self.stdout.write(
                f"✓ {name}: 有效 / valid — {pack.slug} v{pack.version}，{rules} 条规则 / rules，"
                f"{len(pack.defaults())} 项默认值 / defaults"
            )
        if failed:
            raise CommandError(f"{failed} 个政策包未通过校验 / {failed} pack(s) invalid", returncode=1)

    # -- show ----------------------------------------------------------------------------------------------------

    def do_show(self, options: dict[str, Any]) -> None:
        if options["org"] is not None:
            from partycare.common.dates import business_today
            from partycare.orgs.models import Organisation
            from partycare.policy.selectors import pack_in_force

            org = Organisation.objects.filter(pk=options["org"]).first()
            if org is None:
                raise CommandError(f"组织 {options['org']} 不存在 / organisation not found")
            as_of = _date(options["as_of"]) if options["as_of"] else business_today()
            found = pack_in_force(org, as_of)
            if found is None:
                raise CommandError(f"{org} 在 {as_of} 没有适用的政策包 / no pack in force on {as_of}")
            where = "" if not found.inherited else f"（继承自 {found.source_org}）"
            self.stdout.write(
                f"{org} 于 {as_of} 适用{where}：自 {found.activation.effective_from} 起 / in force since\n\n"
            )
            self.stdout.write(render_pack(found.pack, quotes=options["quotes"]))
            return
        if not options["pack"]:
            raise CommandError("请给出预置名或文件，或使用 --org / give a preset slug or file, or --org")
        self.stdout.write(render_pack(self._load(options["pack"]), quotes=options["quotes"]))

    # -- diff ----------------------------------------------------------------------------------------------------

    def do_diff(self, options: dict[str, Any]) -> None:
        from partycare.policy.diff import diff_packs, render_diff

        a, b = self._load(options["a"]), self._load(options["b"])
        self.stdout.write(render_diff(diff_packs(a, b), with_sources=not options["no_sources"]))

    # -- list ----------------------------------------------------------------------------------------------------

    def do_list(self, options: dict[str, Any]) -> None:
        for slug in preset_slugs():
            try:
                pack = load_preset(slug)
            except PackInvalid as exc:
                self.stdout.write(f"{slug:<26} ✗ 无效 / invalid: {len(exc.issues)} 个问题")
                continue
            md = pack.metadata
            number = md.number or "—"
            self.stdout.write(f"{slug:<26} v{pack.version:<4} {md.effective_from}  {number:<18} {md.name}")

    # -- activate ------------------------------------------------------------------------------------------------

    def do_activate(self, options: dict[str, Any]) -> None:
        from partycare.common.errors import ServiceError
        from partycare.orgs.models import Organisation
        from partycare.policy.services import PackRejected, activate_pack

        org = Organisation.objects.filter(pk=options["org"]).first()
        if org is None:
            raise CommandError(f"组织 {options['org']} 不存在 / organisation not found")
        effective = _date(options["effective"])
        try:
            activation = activate_pack(
                actor=None, org=org, pack=options["pack"], effective_from=effective, note=options["note"]
            )
        except PackRejected as exc:
            for issue in exc.issues:
                self.stderr.write(f"  {issue}")
            raise CommandError(f"{exc.message}；未启用 / nothing activated", returncode=1) from None
        except ServiceError as exc:
            raise CommandError(f"{exc.message}；未启用 / nothing activated", returncode=1) from None
        self.stdout.write(
            f"✓ 已启用 / activated: {activation.pack_name} v{activation.pack_version} → {org}（ID {org.pk}），"
            f"自 {activation.effective_from} 起生效"
        )

    def _load(self, ref: str) -> PolicyPack:
        try:
            return load_any(ref)
        except PackInvalid as exc:
            for issue in exc.issues:
                self.stderr.write(f"  {issue}")
            raise CommandError(f"{ref}: 政策包无效 / invalid pack", returncode=1) from None
