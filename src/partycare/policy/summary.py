"""A pack as readable Chinese statements, each with its sources and defaults.

Used by ``policy show``, by the UI, and by ``diff`` — every statement has a *key* that names what it is about
(e.g. "talk.event|hospitalised", "talk.periodic|branch_secretary|members_of_branch|全部党员") without its parameters,
so two packs can be compared statement by statement: same key and same text = same rule; same key, different
text = both require it, differently; key on one side only = only that pack requires it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from partycare.policy.calendar import INTERVAL_LABELS
from partycare.policy.conditions import describe
from partycare.policy.schema import (
    ACTOR_LABELS,
    ASSESSED_SUBJECT_LABELS,
    AWARD_CATEGORY_LABELS,
    BIRTHDAY_ACTION_LABELS,
    CASE_TYPE_LABELS,
    CONTACT_MODE_LABELS,
    DISCLOSURE_CHANNEL_LABELS,
    DISCLOSURE_TOPIC_LABELS,
    EVENT_LABELS,
    EXTERNAL_ASSESSMENTS,
    FUND_SOURCE_LABELS,
    LEVEL_LABELS,
    PAIRING_MODE_LABELS,
    RECTIFICATION_ACTION_LABELS,
    RELATION_LABELS,
    STEP_ACTION_LABELS,
    TALK_MODE_LABELS,
    Audience,
    EventDuty,
    PolicyPack,
    Rule,
    SourceRef,
)


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    sources: tuple[SourceRef, ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()  # (key, reason)
    notes: tuple[str, ...] = ()
    # What a comparison looks at; defaults to the text. Event duties compare on who acts and how fast, not on the
    # name of the list they came from (四必谈 vs 五必谈 for the same event and deadline is no difference).
    substance: str | None = None

    @property
    def comparable(self) -> str:
        return self.text if self.substance is None else self.substance


@dataclass
class Section:
    code: str
    title: str
    items: list[Item] = field(default_factory=list)


def _item(
    key: str,
    text: str,
    *rules: Rule | None,
    sources: Iterable[SourceRef] | None = None,
    substance: str | None = None,
) -> Item:
    present = [r for r in rules if r is not None]
    refs = list(sources) if sources is not None else [s for r in present for s in r.refs]
    defaults = tuple(dict.fromkeys((k, v) for r in present for k, v in r.defaulted.items()))
    notes = tuple(dict.fromkeys(r.note for r in present if r.note))
    return Item(key, text, tuple(dict.fromkeys(refs)), defaults, notes, substance)


def _unique_keys(items: list[Item]) -> list[Item]:
    """Two rules of one pack can share a key (e.g. two holiday visits by branch secretaries on 七一); the later
    ones get a numbered key so a comparison never silently drops one."""
    seen: dict[str, int] = {}
    out = []
    for item in items:
        n = seen.get(item.key, 0)
        seen[item.key] = n + 1
        out.append(
            item
            if n == 0
            else Item(f"{item.key}#{n + 1}", item.text, item.sources, item.defaults, item.notes, item.substance)
        )
    return out


def _actor(role: str) -> str:
    return ACTOR_LABELS.get(role, role)


def _whom(aud: Audience) -> str:
    rel = "或".join(RELATION_LABELS[r] for r in aud.relations)
    return rel if aud.where is None else f"{rel}中{describe(aud.where)}的党员"


def _aud_key(aud: Audience) -> str:
    return f"{'+'.join(sorted(aud.relations))}|{describe(aud.where)}"


def _times(interval: str, times: int) -> str:
    return f"{INTERVAL_LABELS[interval]}至少{times}次"


def _money(value: object) -> str:
    return "金额未定（一定数额）" if value is None else f"{value}元"


def _yesno(flag: bool, text: str) -> list[str]:
    return [text] if flag else []


# --------------------------------------------------------------------------------------------------------------


def summarise(pack: PolicyPack, *, per_event: bool = False) -> list[Section]:
    """The pack as sections of statements. Event duties are shown as the documents list them (one statement per
    必谈/必访 list); ``per_event=True`` gives one statement per life event instead, which is what comparisons need
    (a list named differently in two documents can still ask for the same thing)."""
    sections = [
        _calendar(pack),
        _talks(pack, per_event),
        _visits(pack, per_event),
        _political(pack),
        _money_to_members(pack),
        _dues(pack),
        _approvals(pack),
        _assistance(pack),
        _incentives(pack),
        _organisation(pack),
    ]
    for sec in sections:
        sec.items = _unique_keys(sec.items)
    return [s for s in sections if s.items]


def _calendar(pack: PolicyPack) -> Section:
    sec = Section("calendar", "日历")
    cal = pack.calendar
    for key, title, entries in (
        ("holidays", "节日", [h.label() for h in cal.holidays]),
        ("semesters", "学期", [f"{s.name}{s.start.label()}至{s.end.label()}" for s in cal.semesters]),
    ):
        if entries:
            reason = {str(k): v for k, v in cal.defaulted.items()}.get(key)
            defaults = ((key, reason),) if reason else ()
            sec.items.append(Item(f"calendar.{key}", f"{title}：" + "、".join(entries), defaults=defaults))
    return sec


def _event_items(prefix: str, verb: str, duties: Sequence[EventDuty], extra: str = "") -> list[Item]:
    by_event: dict[str, list[tuple[EventDuty, str, list[SourceRef]]]] = {}
    for duty in duties:
        for item in duty.items:
            refs = [item.source] if item.source else duty.refs
            for kind in item.events:
                by_event.setdefault(kind, []).append((duty, item.label, refs))
    out = []
    for event, hits in by_event.items():
        parts = [
            f"{_actor(d.by)}须在{d.within_days}日内{verb}（{d.name + '：' if d.name else ''}{label}）"
            for d, label, _ in hits
        ]
        refs = [r for _, _, rs in hits for r in rs]
        substance = "；".join(sorted({f"{d.by}|{d.within_days}" for d, _, _ in hits}))
        text = f"遇“{EVENT_LABELS[event]}”：" + "；".join(parts) + extra
        out.append(_item(f"{prefix}|{event}", text, *[d for d, _, _ in hits], sources=refs, substance=substance))
    return out


def _list_items(prefix: str, verb: str, duties: Sequence[EventDuty]) -> list[Item]:
    out = []
    for d in duties:
        entries = "；".join(f"{item.label}（{'、'.join(EVENT_LABELS[e] for e in item.events)}）" for item in d.items)
        name = f"{d.name}：" if d.name else ""
        text = f"{name}{_actor(d.by)}须在事件发生后{d.within_days}日内{verb} — {entries}"
        refs = [*d.refs, *(item.source for item in d.items if item.source)]
        out.append(_item(f"{prefix}|{d.id}", text, d, sources=refs))
    return out


def _talks(pack: PolicyPack, per_event: bool = False) -> Section:
    sec = Section("talks", "谈心谈话")
    for t in pack.talks.periodic:
        modes = "、".join(TALK_MODE_LABELS[m] for m in t.modes)
        text = f"{_actor(t.by)}{_times(t.interval, t.times)}与{_whom(t.whom)}谈心谈话（{modes}）"
        sec.items.append(_item(f"talk.periodic|{t.by}|{_aud_key(t.whom)}", text, t))
    if per_event:
        sec.items += _event_items("talk.event", "谈心谈话", pack.talks.event_triggered)
    else:
        sec.items += _list_items("talk.list", "谈心谈话", pack.talks.event_triggered)
    if pack.talks.requested:
        r = pack.talks.requested
        text = f"党员约谈{'、'.join(_actor(b) for b in r.by)}：收到申请后{r.deadline_days}日内安排谈心谈话"
        sec.items.append(_item("talk.requested", text, r))
    return sec


def _visits(pack: PolicyPack, per_event: bool = False) -> Section:
    sec = Section("visits", "走访慰问")
    v = pack.visits
    for p in v.periodic:
        modes = "、".join(CONTACT_MODE_LABELS[m] for m in p.modes)
        text = f"{_actor(p.by)}{_times(p.interval, p.times)}走访/联系{_whom(p.whom)}（{modes}）"
        sec.items.append(_item(f"visit.periodic|{p.by}|{_aud_key(p.whom)}", text, p))
    for h in v.holiday:
        for code in h.holidays:
            holiday = pack.calendar.holiday(code)
            window = f"节前{h.days_before}天" + (f"至节后{h.days_after}天" if h.days_after else "") + "内"
            text = f"{holiday.label()}：{_actor(h.by)}在{window}走访慰问{_whom(h.whom)}"
            sec.items.append(_item(f"visit.holiday|{code}|{h.by}|{'+'.join(sorted(h.whom.relations))}", text, h))
    if per_event:
        sec.items += _event_items("visit.event", "走访慰问", v.event_triggered)
    else:
        sec.items += _list_items("visit.list", "走访慰问", v.event_triggered)
    eol = v.end_of_life
    if eol.terminal_visit:
        t = eol.terminal_visit
        sec.items.append(_item("visit.terminal", f"党员临终前：{_actor(t.by)}在{t.within_days}日内探望抚慰", t))
    if eol.condolence:
        c = eol.condolence
        extras = (
            _yesno(c.attend, "派人吊唁")
            + _yesno(c.comfort_family, "慰问亲属")
            + _yesno(c.assist_funeral, "协助处理后事")
            + _yesno(c.gifts, "可购买慰问品")
            + [f"慰问金：{_money(c.amount)}"]
            + ([f"费用从{'、'.join(FUND_SOURCE_LABELS[s] for s in c.funded_from)}列支"] if c.funded_from else [])
            + _yesno(c.report_up_for_honour_holders, "功勋荣誉获得者逐级报告，由授予组织安排")
        )
        sec.items.append(
            _item("visit.condolence", f"党员去世后：{_actor(c.by)}在{c.within_days}日内" + "，".join(extras), c)
        )
    return sec


def _political(pack: PolicyPack) -> Section:
    sec = Section("political", "政治关怀与联系服务")
    if pack.political_birthday:
        b = pack.political_birthday
        text = f"政治生日（入党纪念日）：{'或'.join(_actor(x) for x in b.by)}提前{b.lead_days}天安排，" + "、".join(
            BIRTHDAY_ACTION_LABELS[a] for a in b.actions
        )
        sec.items.append(_item("political_birthday", text, b))
    if pack.oath_ceremony:
        o = pack.oath_ceremony
        sec.items.append(
            _item("oath_ceremony", f"预备党员入党后{o.within_days}日内由{_actor(o.by)}组织面向党旗宣誓", o)
        )
    for m in pack.medals:
        when = f"（以当年{m.measured_on.label()}计）" if m.measured_on else ""
        extra = "，且一贯表现良好" if m.requires_good_standing else ""
        central = "，按中央统一部署颁发" if m.needs_central_deployment else ""
        text = f"{m.name}：{describe(m.where)}{when}{extra}，由{LEVEL_LABELS[m.awarded_by]}颁发{central}"
        sec.items.append(_item(f"medal|{m.name}", text, m))
    if pack.birthday_celebrations:
        c = pack.birthday_celebrations
        text = (
            f"集体过生日：{_actor(c.by)}"
            + "或".join({"month": "按月", "quarter": "按季"}[x] for x in c.cadences)
            + "为党员过生日"
        )
        sec.items.append(_item("birthday_celebrations", text, c))
    if pack.needs_survey:
        n = pack.needs_survey
        text = (
            f"需求调查：{_actor(n.by)}{INTERVAL_LABELS[n.interval]}对{_whom(n.whom)}全面调查一次"
            + ("，并不定期抽查" if n.also_ad_hoc else "")
            + ("，建立需求档案" if n.keeps_file else "")
        )
        sec.items.append(_item("needs_survey", text, n))
    if pack.leader_links:
        link = pack.leader_links
        parts = []
        if link.min_members:
            parts.append(f"每人至少直接联系{link.min_members}名党员")
        if link.min_orgs:
            parts.append(f"每人至少联系{link.min_orgs}个基层党组织")
        if link.preferred:
            parts.append("重点联系" + "、".join(p.label for p in link.preferred))
        sec.items.append(_item("leader_links", f"{_actor(link.by)}：" + "，".join(parts), link))
    if pack.honorary_members:
        h = pack.honorary_members
        parts = [f"{describe(h.eligibility)}的党员" + ("可申请" if h.by_application else "") + "为荣誉党员"]
        if h.checkups_per_year:
            parts.append(f"每年免费体检{h.checkups_per_year}次")
        if h.young_contact:
            age = f"（{h.young_contact_max_age}周岁及以下）" if h.young_contact_max_age else ""
            parts.append(f"确定一名年轻党员{age}定期联系")
        if h.briefing_interval:
            parts.append(f"{INTERVAL_LABELS[h.briefing_interval]}上门通报支部工作")
        if h.materials_interval:
            parts.append(f"{INTERVAL_LABELS[h.materials_interval]}送学习资料")
        sec.items.append(_item("honorary_members", "荣誉党员：" + "，".join(parts), h))
    return sec


def _money_to_members(pack: PolicyPack) -> Section:
    sec = Section("subsidies", "补贴、待遇与工作经费")
    per = {"month": "每月", "year": "每年", "once": "一次性"}
    who = {"member": "本人", "minor_children": "未成年子女", "family": "家属"}
    for s in pack.subsidies:
        funds = f"，从{'、'.join(FUND_SOURCE_LABELS[f] for f in s.funded_from)}列支" if s.funded_from else ""
        text = f"{s.name}：{describe(s.where)}的党员（{who[s.beneficiary]}）{per[s.per]}{_money(s.amount)}{funds}"
        sec.items.append(_item(f"subsidy|{describe(s.where)}|{s.beneficiary}", text, s))
    if pack.on_duty_support:
        o = pack.on_duty_support
        flags = (
            _yesno(o.file_per_household, "逐户逐人建档立卡")
            + _yesno(o.designated_contact, "明确专人联系")
            + _yesno(o.education_priority, "子女入园入学照顾")
            + _yesno(o.medical_help_for_family, "家属就医帮助")
            + _yesno(o.martyr_assessment_help, "协助烈士、见义勇为评定")
            + _yesno(o.injured_medical_convenience, "因公伤残党员就医康复便利")
            + _yesno(o.injured_branch_care_if_difficult, "因公伤残且生活困难的由党支部关心照顾")
        )
        sec.items.append(_item("on_duty_support", "因公殉职、牺牲党员家庭和因公伤残党员：" + "、".join(flags), o))
    recip = {"part_time_branch_secretary": "兼职党支部书记", "part_time_org_secretary": "兼职基层党组织书记"}
    for st in pack.stipends:
        unit = "每个支部" if st.per == "branch" else "每人"
        cond = f"（{describe(st.secretary_where)}）" if st.secretary_where else ""
        passed = "，经考核合格" if st.requires_assessment_pass else ""
        uses = f"，用于{'、'.join(st.uses)}" if st.uses else ""
        text = (
            f"{st.name}：{recip[st.recipient]}{cond}{passed}，{unit}{per[st.period]}{_money(st.amount)}{uses}，"
            f"由{LEVEL_LABELS[st.decided_by]}核定"
        )
        sec.items.append(_item(f"stipend|{st.recipient}", text, st))
    return sec


def _dues(pack: PolicyPack) -> Section:
    sec = Section("dues", "党费")
    basis = {"salary_after_tax": "月工资收入（税后）", "pension": "月离退休费", "fixed": ""}
    for t in pack.dues.tables:
        if t.basis == "fixed":
            text = f"{t.label}：每月{t.fixed_amount}元"
        else:
            parts = []
            low = "0"
            for b in t.brackets:
                rng = f"{low}元以上至{b.up_to}元（含）" if b.up_to is not None else f"{low}元以上"
                if low == "0":
                    rng = f"{b.up_to}元以下（含）" if b.up_to is not None else "全部"
                parts.append(f"{rng}交{b.rate_percent}%")
                low = str(b.up_to)
            text = f"{t.label}：按{basis[t.basis]}，" + "；".join(parts)
        sec.items.append(_item(f"dues.table|{t.id}", text, t))
    if pack.dues.reduction:
        r = pack.dues.reduction
        limit = f"，每次最长{r.max_months}个月" if r.max_months else ""
        text = f"党费减免：{describe(r.who_may_apply)}的党员可申请，按“{CASE_TYPE_LABELS[r.chain]}”流程审批{limit}"
        sec.items.append(_item("dues.reduction", text, r))
    return sec


def _approvals(pack: PolicyPack) -> Section:
    sec = Section("approvals", "审批流程")
    for case, chain in pack.approvals.items():
        steps = []
        for s in chain.steps:
            label = s.label or f"{LEVEL_LABELS[s.level]}{STEP_ACTION_LABELS[s.action]}"
            flags = (
                ("，集体研究" if s.collective and s.action not in ("discuss", "democratic_review") else "")
                + (f"，{s.notice_days}天" if s.notice_days else "")
                + ("，最终决定" if s.final else "")
            )
            steps.append(f"{label}{'（' + flags.lstrip('，') + '）' if flags else ''}")
        sec.items.append(_item(f"approval|{case}", f"{CASE_TYPE_LABELS[case]}：" + " → ".join(steps), chain))
    return sec


def _assistance(pack: PolicyPack) -> Section:
    sec = Section("assistance", "帮扶基金、台账与结对帮扶")
    if pack.fund:
        f = pack.fund
        parts = [f"来源：{'、'.join(FUND_SOURCE_LABELS[s] for s in f.sources)}"]
        if f.budget_by:
            parts.append(f"{LEVEL_LABELS[f.budget_by]}编制年度预算")
        parts.append("超预算停止支出" if f.budget_control == "stop" else "超预算预警")
        parts.append(f"由{LEVEL_LABELS[f.decided_by]}{'集体研究' if f.decision_collective else ''}决定")
        parts += (
            _yesno(f.dedicated_account, "设立专门账户")
            + _yesno(f.designated_manager, "专人管理")
            + ([f"{INTERVAL_LABELS[f.audit_interval]}审计"] if f.audit_interval else [])
            + _yesno(f.publish_relief_list, "救助公示")
        )
        if f.purposes:
            parts.append("用途：" + "；".join(f.purposes))
        body = "，".join(parts)
        sec.items.append(_item("fund", f"{f.name}：{body}", f, substance=body))
        if f.loans:
            ln = f.loans
            text = (
                f"帮扶借款：{'无息，' if ln.interest_free else ''}{'定期还本、滚动使用，' if ln.rolling else ''}"
                f"对象为{describe(ln.for_whom)}、{ln.purpose}"
                + (f"，期限{ln.term_months}个月" if ln.term_months else "")
            )
            sec.items.append(_item("fund.loans", text, ln))
    if pack.ledger:
        lg = pack.ledger
        from partycare.policy.conditions import MEMBER_FIELDS

        cats = "、".join(MEMBER_FIELDS[c].label for c in lg.categories)
        review = f"，{INTERVAL_LABELS[lg.review_interval]}复核" if lg.review_interval else ""
        text = f"困难党员台账：登记{cats}等党员{review}" + ("，动态管理" if lg.dynamic else "")
        sec.items.append(_item("ledger", text, lg))
    if pack.pairing:
        p = pack.pairing
        text = (
            "结对帮扶："
            + "、".join(PAIRING_MODE_LABELS[m] for m in p.modes)
            + ("；确定帮扶对象、制定帮扶措施、落实帮扶责任" if p.measures_required else "")
        )
        sec.items.append(_item("pairing", text, p))
    for a in pack.assistance:
        who = f"（{describe(a.where)}）" if a.where else ""
        sec.items.append(_item(f"assistance|{a.label}", f"{a.label}{who}：" + "、".join(a.measures), a))
    return sec


def _incentives(pack: PolicyPack) -> Section:
    sec = Section("incentives", "激励")
    inc = pack.incentives
    for a in inc.assessments:
        dims = "、".join(f"{d.name}{d.weight}%" for d in a.dimensions)
        text = f"{a.name}（{ASSESSED_SUBJECT_LABELS[a.subject]}，{INTERVAL_LABELS[a.interval]}）：{dims}"
        sec.items.append(_item(f"assessment|{a.subject}|{a.name}", text, a))
    if inc.grades:
        text = "考核等次：" + "、".join(f"{g.name}（{g.min_score}分及以上）" for g in inc.grades)
        sec.items.append(Item("grades", text))
    names = {a.id: a.name for a in inc.assessments} | EXTERNAL_ASSESSMENTS
    for link in inc.linkage:
        text = (
            f"{names[link.when.assessment]}评为“{link.when.grade}”，须{names[link.requires.assessment]}"
            f"为“{link.requires.grade}”"
        )
        sec.items.append(_item(f"linkage|{link.when.assessment}|{link.when.grade}", text, link))
    if inc.rectification:
        r = inc.rectification
        text = (
            f"评为{'、'.join(r.grades)}的："
            + "、".join(RECTIFICATION_ACTION_LABELS[x] for x in r.actions)
            + f"，整改期限{r.deadline_days}日"
        )
        sec.items.append(_item("rectification", text, r))
    if inc.bonus:
        b = inc.bonus
        ratios = "、".join(f"{k}{v}%" for k, v in b.ratios.items())
        text = (
            f"考核奖金按等次发放：{ratios}"
            + ("，剩余留存并入下年" if b.carry_over else "")
            + ("，按元取整" if b.rounding == "yuan" else "")
        )
        sec.items.append(_item("bonus", text, b))
    if inc.commendation:
        c = inc.commendation
        if c.every_years:
            cycle = "每年" if c.every_years == 1 else f"每{c.every_years}年"
            before = f"在{c.before.label()}前" if c.before else ""
            cats = "、".join(AWARD_CATEGORY_LABELS[x] for x in c.categories)
            text = f"推选表彰：{cycle}{before}表彰{cats}"
        else:
            text = "推选表彰：无固定周期"
        text += "；适时/及时分类表彰" if c.timely else ""
        text += "；设党员风采录" if c.honour_roll else ""
        text += "；处分影响期满不影响评先评优" if c.excludes_discipline_impact else ""
        sec.items.append(_item("commendation", text, c))
    for aw in inc.awards:
        benefits = f"：{'、'.join(aw.benefits)}" if aw.benefits else ""
        sec.items.append(_item(f"award|{aw.name}", f"{aw.name}{'（物质奖励）' if aw.material else ''}{benefits}", aw))
    return sec


def _organisation(pack: PolicyPack) -> Section:
    sec = Section("organisation", "党务公开、组织活动与督导")
    if pack.disclosure:
        d = pack.disclosure
        channels = f"（{'、'.join(DISCLOSURE_CHANNEL_LABELS[c] for c in d.channels)}）" if d.channels else ""
        text = "党务公开：" + "、".join(DISCLOSURE_TOPIC_LABELS[t] for t in d.topics) + channels
        sec.items.append(_item("disclosure", text, d))
    for a in pack.activities:
        days = f"，不少于{a.min_days}天" if a.min_days else ""
        text = f"{a.name}：{LEVEL_LABELS[a.by]}{_times(a.interval, a.times)}{days}"
        sec.items.append(_item(f"activity|{a.name}", text, a))
    if pack.supervision:
        s = pack.supervision
        parts = [f"{LEVEL_LABELS[s.by]}{INTERVAL_LABELS[s.interval] if s.interval else '定期或不定期'}督促检查"]
        parts += (
            _yesno(s.in_assessment, "列入基层党建述职评议考核")
            + _yesno(s.annual_plan_required, "列入年度党建工作计划")
            + _yesno(s.accountability, "责任不落实的问责")
        )
        sec.items.append(_item("supervision", "督导：" + "，".join(parts), s))
    return sec


def not_encoded(pack: PolicyPack) -> list[Item]:
    return [Item(f"not_encoded|{i}", n.reason, tuple(n.source)) for i, n in enumerate(pack.not_encoded)]


def source_text(ref: SourceRef) -> str:
    quote = f"：“{ref.quote}”" if ref.quote else ""
    return f"{ref.label()}{quote}"
