"""`partycare policy …` (the Django management command the console script forwards to)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from partycare.policy.loader import load_preset, preset_slugs
from partycare.policy.models import PolicyActivation


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("policy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_pack(tmp_path: Path, mutate: object = None) -> Path:
    data = load_preset("xian-caijing-2018").to_content()
    if callable(mutate):
        mutate(data)
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_validate_a_good_file(tmp_path: Path) -> None:
    out, _ = run("validate", str(write_pack(tmp_path)))
    assert "✓" in out and "有效 / valid" in out and "xian-caijing-2018 v1" in out


def test_validate_a_bad_file_lists_every_problem_and_fails(tmp_path: Path) -> None:
    def break_it(data: dict) -> None:
        data["talks"]["periodic"][1]["interval"] = "fortnight"
        data["approvals"]["dues_reduction"]["steps"][-1]["final"] = False

    path = write_pack(tmp_path, break_it)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("policy", "validate", str(path), stdout=out, stderr=err)
    assert caught.value.returncode == 1
    text = err.getvalue()
    assert (
        "talks.periodic[1].interval: 'fortnight' 不是允许的取值 / is not one of year, semester, quarter, month" in text
    )
    assert "approvals.dues_reduction: 审批链缺少最终决定步骤" in text
    assert "✓" not in out.getvalue()


def test_validate_all_presets() -> None:
    out, _ = run("validate", "--presets")
    assert out.count("✓") == len(preset_slugs())


def test_validate_needs_something_to_validate() -> None:
    with pytest.raises(CommandError, match="--presets"):
        run("validate")


def test_list() -> None:
    out, _ = run("list")
    assert "西财党发〔2018〕16号" in out
    assert len(out.strip().splitlines()) == len(preset_slugs())


def test_show_prints_rules_with_sources_and_defaults() -> None:
    out, _ = run("show", "xinxiang-2020", "--quotes")
    assert "院党字〔2020〕89号" in out
    assert "党员约谈党员领导干部：收到申请后7日内安排谈心谈话" in out
    assert "来源002 四：“各级党员领导干部要自觉接受党员约谈" in out
    assert "默认（within_days）：原文未规定期限" in out
    assert "【已阅读但未编为规则的条款】" in out


def test_show_a_file(tmp_path: Path) -> None:
    out, _ = run("show", str(write_pack(tmp_path)))
    assert "党支部书记每学期至少1次与本支部每一名党员谈心谈话" in out


def test_show_unknown_preset() -> None:
    with pytest.raises(CommandError):
        run("show", "no-such-pack")


def test_diff_xian_against_sichuan() -> None:
    out, _ = run("diff", "xian-caijing-2018", "sichuan-wenli-2020")
    only_a, rest = out.split("要求而 西安财经学院（2018） 没有的", 1)
    assert "兼职教职工党支部书记工作经费" in only_a  # the 3000 元 stipend per branch is Xi'an's
    assert "遇“遭遇重大挫折/工作遇到问题”" in only_a  # 四必谈's setback item
    only_b, changed = rest.split("两者都有但规定不同", 1)
    assert "党总支/二级党委书记每季度至少1次与所属各党支部书记谈心谈话" in only_b
    assert "A：党支部书记每学期至少1次与本支部每一名党员谈心谈话" in changed
    assert "B：党支部书记每年至少1次与本支部每一名党员谈心谈话" in changed


@pytest.mark.django_db
def test_activate_and_show_by_organisation(world: SimpleNamespace) -> None:
    out, _ = run("activate", "xian-caijing-2018", "--org", str(world.root.pk), "--effective", "2018-09-01")
    assert "已启用 / activated" in out
    activation = PolicyActivation.objects.get()
    assert activation.activated_by is None and activation.effective_from == dt.date(2018, 9, 1)
    out, _ = run("show", "--org", str(world.b1.pk), "--as-of", "2019-01-01")
    assert "继承自 测试大学党委" in out and "西安财经学院（2018）" in out


@pytest.mark.django_db
def test_activate_refuses_out_of_order_dates_and_changes_nothing(world: SimpleNamespace) -> None:
    run("activate", "xian-caijing-2018", "--org", str(world.root.pk), "--effective", "2019-01-01")
    with pytest.raises(CommandError, match="nothing activated") as caught:
        run("activate", "linyi-zonggonghui-2016", "--org", str(world.root.pk), "--effective", "2018-01-01")
    assert caught.value.returncode == 1
    assert PolicyActivation.objects.count() == 1


@pytest.mark.django_db
def test_activate_an_invalid_file(world: SimpleNamespace, tmp_path: Path) -> None:
    path = write_pack(tmp_path, lambda d: d["metadata"].update(effective_from="2018-02-30"))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing activated"):
        call_command(
            "policy", "activate", str(path), "--org", str(world.root.pk), "--effective", "2019-01-01", stderr=err
        )
    assert "metadata.effective_from" in err.getvalue()
    assert not PolicyActivation.objects.exists()


@pytest.mark.django_db
def test_activate_unknown_org() -> None:
    with pytest.raises(CommandError, match="organisation not found"):
        run("activate", "xian-caijing-2018", "--org", "999999", "--effective", "2019-01-01")
