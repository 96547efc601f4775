"""Activating packs: one pack in force at a time, history kept, inheritance down the tree, all or nothing."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from partycare.audit.models import AuditEntry
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.policy import services
from partycare.policy.loader import load_preset
from partycare.policy.models import PolicyActivation
from partycare.policy.selectors import activation_history, activations_in_force, pack_in_force
from partycare.policy.services import PackRejected, activate_pack

D = dt.date
pytestmark = pytest.mark.django_db


def test_activate_a_preset_and_find_it_in_force(world: SimpleNamespace) -> None:
    activation = activate_pack(
        actor=world.admin, org=world.root, pack="xian-caijing-2018", effective_from=D(2018, 9, 1)
    )
    assert (activation.pack_slug, activation.pack_version, activation.effective_to) == ("xian-caijing-2018", "1", None)
    assert activation.activated_by == world.admin
    found = pack_in_force(world.root, D(2019, 1, 1))
    assert found is not None and found.pack.slug == "xian-caijing-2018"
    assert found.pack == load_preset("xian-caijing-2018")  # stored content loads back to the same pack
    assert pack_in_force(world.root, D(2018, 8, 31)) is None


def test_the_audit_row_is_written_in_the_same_transaction(world: SimpleNamespace) -> None:
    activation = activate_pack(actor=world.admin, org=world.root, pack="xinxiang-2020", effective_from=D(2021, 1, 1))
    entry = AuditEntry.objects.get(event="policy.activate")
    assert entry.object_id == str(activation.pk)
    assert entry.changes["pack"] == [None, "xinxiang-2020@1"]
    assert entry.org_path == world.root.path
    assert entry.actor == world.admin


def test_a_new_version_closes_the_old_one_and_keeps_history(world: SimpleNamespace) -> None:
    first = activate_pack(actor=world.admin, org=world.root, pack="xian-caijing-2018", effective_from=D(2018, 9, 1))
    second = activate_pack(actor=world.admin, org=world.root, pack="sichuan-wenli-2020", effective_from=D(2021, 3, 1))
    first.refresh_from_db()
    assert first.effective_to == D(2021, 3, 1)
    assert second.effective_to is None
    # Which pack was in force on any past date:
    assert pack_in_force(world.root, D(2021, 2, 28)).pack.slug == "xian-caijing-2018"
    assert pack_in_force(world.root, D(2021, 3, 1)).pack.slug == "sichuan-wenli-2020"
    assert [a.pack_slug for a in activation_history(world.root)] == ["sichuan-wenli-2020", "xian-caijing-2018"]
    supersede = AuditEntry.objects.get(event="policy.supersede")
    assert supersede.changes == {"effective_to": [None, "2021-03-01"]}
    assert AuditEntry.objects.get(event="policy.activate", object_id=str(second.pk)).changes["pack"] == [
        "xian-caijing-2018@1",
        "sichuan-wenli-2020@1",
    ]


def test_a_subtree_inherits_the_root_pack_unless_it_has_its_own(world: SimpleNamespace) -> None:
    activate_pack(actor=world.admin, org=world.root, pack="xian-caijing-2018", effective_from=D(2019, 1, 1))
    activate_pack(actor=world.admin, org=world.gb2, pack="xinxiang-2020", effective_from=D(2021, 1, 1))
    day = D(2022, 1, 1)
    inherited = pack_in_force(world.b1, day)
    assert inherited.pack.slug == "xian-caijing-2018" and inherited.inherited
    assert inherited.source_org == world.root
    own_subtree = pack_in_force(world.b3, day)  # b3 sits under gb2
    assert own_subtree.pack.slug == "xinxiang-2020" and own_subtree.source_org == world.gb2
    # Before the subtree's own pack started, the root's applied there too.
    assert pack_in_force(world.b3, D(2020, 12, 31)).pack.slug == "xian-caijing-2018"
    assert [a.org for a in activations_in_force(day)] == [world.root, world.gb2]


def test_pack_in_force_is_one_query(world: SimpleNamespace, django_assert_num_queries: Any) -> None:
    activate_pack(actor=world.admin, org=world.root, pack="xian-caijing-2018", effective_from=D(2019, 1, 1))
    pack_in_force(world.b1, D(2020, 1, 1))  # warm the parsed-pack cache
    with django_assert_num_queries(1):
        assert pack_in_force(world.b1, D(2020, 1, 1)) is not None


def test_history_is_append_only(world: SimpleNamespace) -> None:
    activate_pack(actor=world.admin, org=world.root, pack="xian-caijing-2018", effective_from=D(2020, 1, 1))
    for day in (D(2020, 1, 1), D(2019, 6, 1)):
        with pytest.raises(ServiceError, match="history is append-only"):
            activate_pack(actor=world.admin, org=world.root, pack="linyi-zonggonghui-2016", effective_from=day)
    assert PolicyActivation.objects.count() == 1
    assert PolicyActivation.objects.get().effective_to is None


def test_activation_cannot_predate_the_document(world: SimpleNamespace) -> None:
    with pytest.raises(ServiceError, match="before the pack's own effective date"):
        activate_pack(actor=world.admin, org=world.root, pack="xinxiang-2020", effective_from=D(2020, 11, 1))
    assert not PolicyActivation.objects.exists()


def test_an_invalid_pack_changes_nothing(world: SimpleNamespace, tmp_path: Any) -> None:
    activate_pack(actor=world.admin, org=world.root, pack="xian-caijing-2018", effective_from=D(2019, 1, 1))
    broken = tmp_path / "broken.yaml"
    text = (load_preset("xian-caijing-2018").model_dump_json(by_alias=True)).replace('"semester"', '"fortnight"')
    broken.write_text(text, encoding="utf-8")  # JSON is YAML
    with pytest.raises(PackRejected) as caught:
        activate_pack(actor=world.admin, org=world.root, pack=str(broken), effective_from=D(2022, 1, 1))
    assert any("talks.periodic[1].interval" in str(i) for i in caught.value.issues)
    assert PolicyActivation.objects.count() == 1
    assert PolicyActivation.objects.get().effective_to is None
    assert not AuditEntry.objects.filter(event__startswith="policy.supersede").exists()


def test_a_failure_while_writing_rolls_everything_back(world: SimpleNamespace, monkeypatch: Any) -> None:
    """Closing the old activation succeeds, then writing the new one's audit row fails: nothing may remain half-done."""
    first = activate_pack(actor=world.admin, org=world.root, pack="xian-caijing-2018", effective_from=D(2019, 1, 1))
    real = services.record_change

    def failing(**kwargs: Any) -> Any:
        if kwargs.get("event") == "policy.activate":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "record_change", failing)
    with pytest.raises(RuntimeError):
        activate_pack(actor=world.admin, org=world.root, pack="sichuan-wenli-2020", effective_from=D(2022, 1, 1))
    first.refresh_from_db()
    assert first.effective_to is None
    assert PolicyActivation.objects.count() == 1
    assert pack_in_force(world.root, D(2023, 1, 1)).pack.slug == "xian-caijing-2018"
    assert not AuditEntry.objects.filter(event="policy.supersede").exists()


@pytest.mark.parametrize("persona", ["gbsec", "bsec", "committee", "auditor", "member", "outsider"])
def test_only_organisation_administrators_may_activate(world: SimpleNamespace, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        activate_pack(
            actor=getattr(world, persona), org=world.b1, pack="xian-caijing-2018", effective_from=D(2019, 1, 1)
        )
    assert not PolicyActivation.objects.exists()


def test_the_system_actor_is_recorded_as_such(world: SimpleNamespace) -> None:
    activation = activate_pack(actor=None, org=world.b1, pack="linyi-zonggonghui-2016", effective_from=D(2017, 1, 1))
    assert activation.activated_by is None
    assert AuditEntry.objects.get(event="policy.activate").actor_label == "系统"


def test_stored_content_is_the_validated_json(world: SimpleNamespace) -> None:
    activation = activate_pack(actor=world.admin, org=world.root, pack="xx-district", effective_from=D(2024, 1, 1))
    activation.refresh_from_db()
    assert activation.content["subsidies"][0]["amount"] == "80.00"  # money as a string, never a float
    assert len(activation.content_sha256) == 64
    assert activation.pack.incentives.bonus.ratios["良好"] == 80
