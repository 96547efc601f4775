"""Comparing two packs: what A requires that B does not, the reverse, and what both require differently.

Works on the statements of :mod:`partycare.policy.summary`, so it reads the same way ``policy show`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from partycare.policy.schema import PolicyPack
from partycare.policy.summary import Item, summarise


@dataclass(frozen=True)
class Changed:
    key: str
    section: str
    a: Item
    b: Item


@dataclass
class PackDiff:
    a_name: str
    b_name: str
    only_a: list[tuple[str, Item]] = field(default_factory=list)  # (section title, item)
    only_b: list[tuple[str, Item]] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.only_a or self.only_b or self.changed)


def _index(pack: PolicyPack) -> dict[str, tuple[str, Item]]:
    return {item.key: (sec.title, item) for sec in summarise(pack, per_event=True) for item in sec.items}


def diff_packs(a: PolicyPack, b: PolicyPack) -> PackDiff:
    ia, ib = _index(a), _index(b)
    out = PackDiff(a.metadata.name, b.metadata.name)
    for key, (section, item) in ia.items():
        if key not in ib:
            out.only_a.append((section, item))
        elif ib[key][1].comparable != item.comparable:
            out.changed.append(Changed(key, section, item, ib[key][1]))
    out.only_b = [(section, item) for key, (section, item) in ib.items() if key not in ia]
    return out


def render_diff(d: PackDiff, *, with_sources: bool = True) -> str:
    lines: list[str] = []

    def block(title: str, entries: list[tuple[str, Item]]) -> None:
        lines.append(f"== {title}（{len(entries)} 条）==")
        if not entries:
            lines.append("  （无）")
        last = None
        for section, item in entries:
            if section != last:
                lines.append(f"  【{section}】")
                last = section
            lines.append(f"  - {item.text}")
            if with_sources and item.sources:
                labels = dict.fromkeys(s.label() for s in item.sources)
                lines.append(f"      来源：{'；'.join(labels)}")
        lines.append("")

    block(f"{d.a_name} 要求而 {d.b_name} 没有的 / required by A only", d.only_a)
    block(f"{d.b_name} 要求而 {d.a_name} 没有的 / required by B only", d.only_b)
    lines.append(f"== 两者都有但规定不同 / required by both, differently（{len(d.changed)} 条）==")
    if not d.changed:
        lines.append("  （无）")
    last = None
    for ch in d.changed:
        if ch.section != last:
            lines.append(f"  【{ch.section}】")
            last = ch.section
        lines.append(f"  - A：{ch.a.text}")
        lines.append(f"    B：{ch.b.text}")
    return "\n".join(lines).rstrip() + "\n"
