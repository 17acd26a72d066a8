"""The ledger's actions: earning, redeeming, reversing, stations, catalogue and rules, refusals included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError

from gongzhi.core.errors import DomainError, NotFound
from gongzhi.core.models import AuditEvent
from gongzhi.points import actions, selectors
from gongzhi.points.earning import award_for_service, points_for
from gongzhi.points.models import (
    AccountKind,
    CatalogItem,
    EarningRule,
    PointAccount,
    PointEntry,
    PointTransaction,
    Redemption,
    Station,
    StockMovement,
    TransactionKind,
)
from gongzhi.volunteers.models import ServiceKind
from gongzhi.volunteers.records import do_record_service
from tests.points.conftest import Pts, earn
from tests.points.ledger_checks import assert_ledger_consistent

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[int, ...]:
    return (
        PointTransaction.objects.count(),
        PointEntry.objects.count(),
        StockMovement.objects.count(),
        Redemption.objects.count(),
        sum(PointAccount.objects.values_list("balance", flat=True)),
        sum(CatalogItem.objects.values_list("stock", flat=True)),
        AuditEvent.objects.filter(action__startswith="points.").count(),
    )


# ── earning ──────────────────────────────────────────────────────────────────────────────────────


def test_a_fulfilled_wish_credits_the_volunteer_from_the_communitys_issuance(pts: Pts) -> None:
    w = pts.world
    # when a wish fulfilled by wang is recorded
    record, _ = do_record_service(
        actor=None,
        kind=ServiceKind.WISH,
        source_id=7,
        community=w.community,
        served_on=dt.date(2025, 3, 1),
        summary="为独居老人买药",
        volunteer=w.volunteers["wang"],
    )
    # then wang has the wish rule's 20 points, debited from 尧化门's issuance account
    txn = PointTransaction.objects.get(source_key=record.key)
    assert txn.kind == TransactionKind.EARN and txn.region_code == w.community.code
    assert selectors.balance_of(w.volunteers["wang"]) == 20
    issuance = PointAccount.objects.get(kind=AccountKind.ISSUANCE, community=w.community)
    assert issuance.balance == -20
    assert AuditEvent.objects.filter(action="points.earn", object_id=str(txn.pk)).exists()
    assert_ledger_consistent()


def test_activity_hours_earn_per_hour_rounded(pts: Pts) -> None:
    w = pts.world
    record, _ = do_record_service(
        actor=None,
        kind=ServiceKind.ACTIVITY,
        source_id=8,
        community=w.community,
        served_on=dt.date(2025, 3, 1),
        summary="社区清扫",
        volunteer=w.volunteers["wu"],
        hours=Decimal("2.25"),
    )
    # 10 points an hour × 2.25 h = 22.5 → 23
    assert selectors.balance_of(w.volunteers["wu"]) == 23
    assert PointTransaction.objects.filter(source_key=record.key).count() == 1
    assert points_for(EarningRule(points=10, per_hour=True), Decimal("0.04")) == 0


def test_a_units_project_credits_the_units_account(pts: Pts) -> None:
    w = pts.world
    assert w.unit is not None
    do_record_service(
        actor=None,
        kind=ServiceKind.PROJECT,
        source_id=9,
        community=w.community,
        served_on=dt.date(2025, 3, 1),
        summary="认领项目：楼道照明",
        unit=w.unit,
    )
    account = PointAccount.objects.get(unit=w.unit)
    assert account.kind == AccountKind.UNIT and account.balance == 50


def test_award_is_idempotent_per_record(pts: Pts) -> None:
    txn = earn(pts, "wang", 40)
    record_key = txn.source_key
    from gongzhi.volunteers.models import ServiceRecord

    record = ServiceRecord.objects.get(key=record_key)
    # when the same record is awarded again
    again = award_for_service(record, actor=None)
    # then the first transaction comes back and nothing more is paid
    assert again == txn
    assert PointTransaction.objects.filter(source_key=record_key).count() == 1
    assert selectors.balance_of(pts.world.volunteers["wang"]) == 40


def test_no_rule_or_zero_points_awards_nothing(pts: Pts) -> None:
    w = pts.world
    # "other" has no rule
    record, _ = do_record_service(
        actor=None,
        kind=ServiceKind.OTHER,
        source_id=10,
        community=w.community,
        served_on=dt.date(2025, 3, 1),
        summary="其他",
        volunteer=w.volunteers["wang"],
    )
    assert award_for_service(record, actor=None) is None
    # an inactive rule, and an hour-based rule with no hours, pay nothing either
    EarningRule.objects.filter(kind=ServiceKind.WISH).update(is_active=False)
    wish, _ = do_record_service(
        actor=None,
        kind=ServiceKind.WISH,
        source_id=11,
        community=w.community,
        served_on=dt.date(2025, 3, 1),
        summary="心愿",
        volunteer=w.volunteers["wang"],
    )
    activity, _ = do_record_service(
        actor=None,
        kind=ServiceKind.ACTIVITY,
        source_id=12,
        community=w.community,
        served_on=dt.date(2025, 3, 1),
        summary="活动",
        volunteer=w.volunteers["wang"],
        hours=Decimal("0"),
    )
    assert award_for_service(wish, actor=None) is None and award_for_service(activity, actor=None) is None
    assert PointTransaction.objects.count() == 0 and selectors.balance_of(w.volunteers["wang"]) == 0


# ── redeeming ────────────────────────────────────────────────────────────────────────────────────


def test_a_member_redeems_at_a_station_of_their_community(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 100)
    # when wang redeems two bags of rice (30 each)
    redemption = actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice, quantity=2)
    # then 60 points went to the station, two bags left the stock, and there is a code to show
    assert selectors.balance_of(w.volunteers["wang"]) == 40
    assert PointAccount.objects.get(station=pts.station).balance == 60
    assert CatalogItem.objects.get(pk=pts.rice.pk).stock == 3
    assert len(redemption.code) == 8 and redemption.transaction.kind == TransactionKind.REDEEM
    movement = StockMovement.objects.filter(item=pts.rice).first()
    assert movement is not None and movement.delta == -2 and movement.stock_after == 3
    assert AuditEvent.objects.filter(action="points.redeem", object_id=str(redemption.pk)).exists()
    assert_ledger_consistent()


def test_a_member_registered_elsewhere_redeems_where_they_serve(pts: Pts) -> None:
    w = pts.world
    earn(pts, "zhao", 30)  # zhao lives in 马群 but serves in 尧化门 (approved)
    actions.do_redeem_item(actor=w.user("zhao"), volunteer=w.volunteers["zhao"], item=pts.rice)
    assert selectors.balance_of(w.volunteers["zhao"]) == 0


def test_short_balance_is_refused_and_changes_nothing(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 50)
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice, quantity=2)
    assert refused.value.items[0].code == "insufficient_points"
    assert "Not enough points" in refused.value.items[0].message or "积分不足" in refused.value.items[0].message
    assert _snapshot() == before


def test_short_stock_is_refused_and_changes_nothing(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 500)
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.soap, quantity=3)
    assert refused.value.items[0].code == "out_of_stock"
    assert _snapshot() == before


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_a_silly_quantity_is_refused(pts: Pts, quantity: int) -> None:
    w = pts.world
    earn(pts, "wang", 500)
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice, quantity=quantity)
    assert refused.value.items[0].field == "quantity"
    assert _snapshot() == before


def test_an_item_off_offer_or_a_closed_station_cannot_be_redeemed(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 500)
    staff = w.user("community")
    actions.do_update_catalog_item(actor=staff, item=pts.rice, cost=30, is_active=False)
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice)
    assert refused.value.items[0].code == "unavailable"
    actions.do_update_station(
        actor=staff, station=pts.station, name=pts.station.name, address="", opening_hours="", is_active=False
    )
    with pytest.raises(DomainError):
        actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.soap)
    assert _snapshot()[:6] == before[:6]


def test_a_member_cannot_redeem_where_they_do_not_serve(pts: Pts) -> None:
    w = pts.world
    earn(pts, "sun", 100)  # sun's registration with 尧化门 is still pending
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.do_redeem_item(actor=w.user("sun"), volunteer=w.volunteers["sun"], item=pts.rice)
    assert _snapshot() == before


def test_someone_elses_points_cannot_be_spent(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 100)
    before = _snapshot()
    # li (a participant, not staff) tries to redeem with wang's points
    with pytest.raises(PermissionDenied):
        actions.do_redeem_item(actor=w.user("li"), volunteer=w.volunteers["wang"], item=pts.rice)
    # staff of another community cannot either
    with pytest.raises(PermissionDenied):
        actions.do_redeem_item(actor=w.user("zhao"), volunteer=w.volunteers["wang"], item=pts.rice)
    assert _snapshot() == before


def test_station_staff_redeem_for_the_member_at_the_counter(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 100)
    redemption = actions.do_redeem_item(actor=w.user("secretary"), volunteer=w.volunteers["wang"], item=pts.rice)
    assert redemption.transaction.created_by == w.user("secretary")
    assert selectors.balance_of(w.volunteers["wang"]) == 70
    # the street's staff also cover the station; a grid worker (no services.manage) does not
    actions.do_redeem_item(actor=w.user("street"), volunteer=w.volunteers["wang"], item=pts.rice)
    with pytest.raises(PermissionDenied):
        actions.do_redeem_item(actor=w.user("grid"), volunteer=w.volunteers["wang"], item=pts.rice)
    assert selectors.balance_of(w.volunteers["wang"]) == 40


def test_staff_cannot_redeem_for_an_inactive_volunteer(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 100)
    w.volunteers["wang"].is_active = False
    w.volunteers["wang"].save()
    with pytest.raises(DomainError) as refused:
        actions.do_redeem_item(actor=w.user("community"), volunteer=w.volunteers["wang"], item=pts.rice)
    assert refused.value.items[0].code == "inactive"


# ── reversing ────────────────────────────────────────────────────────────────────────────────────


def test_reversing_a_redemption_returns_the_points_and_the_stock(pts: Pts) -> None:
    w = pts.world
    earn(pts, "wang", 100)
    redemption = actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice, quantity=2)
    # when the community's staff reverse it
    reversal = actions.do_reverse_transaction(
        actor=w.user("community"), transaction_id=redemption.transaction_id, reason="误操作，退回"
    )
    # then a mirror transaction exists, points and stock are back, and the original is untouched
    assert reversal.kind == TransactionKind.REVERSE and reversal.reverses_id == redemption.transaction_id
    assert reversal.memo == "误操作，退回"
    assert sorted(reversal.entries.values_list("amount", flat=True)) == [-60, 60]
    assert selectors.balance_of(w.volunteers["wang"]) == 100
    assert CatalogItem.objects.get(pk=pts.rice.pk).stock == 5
    assert StockMovement.objects.filter(item=pts.rice, kind="return", delta=2).exists()
    assert redemption.transaction.entries.count() == 2
    assert AuditEvent.objects.filter(action="points.reverse", object_id=str(reversal.pk)).exists()
    assert_ledger_consistent()


def test_reversing_an_earning_takes_the_points_back(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 40)
    actions.do_reverse_transaction(actor=w.user("secretary"), transaction_id=txn.pk, reason="重复记录")
    assert selectors.balance_of(w.volunteers["wang"]) == 0
    assert PointAccount.objects.get(kind=AccountKind.ISSUANCE).balance == 0
    assert_ledger_consistent()


def test_reversing_an_earning_already_spent_is_refused(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 40)
    actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice)
    before = _snapshot()
    with pytest.raises(DomainError) as refused:
        actions.do_reverse_transaction(actor=w.user("community"), transaction_id=txn.pk, reason="重复记录")
    assert refused.value.items[0].code == "insufficient_points"
    assert _snapshot() == before


def test_a_transaction_is_reversed_once_and_a_reversal_never(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 40)
    reversal = actions.do_reverse_transaction(actor=w.user("community"), transaction_id=txn.pk, reason="重复记录")
    before = _snapshot()
    with pytest.raises(DomainError) as again:
        actions.do_reverse_transaction(actor=w.user("community"), transaction_id=txn.pk, reason="再来一次")
    assert again.value.items[0].code == "already_reversed"
    with pytest.raises(DomainError) as of_reversal:
        actions.do_reverse_transaction(actor=w.user("community"), transaction_id=reversal.pk, reason="撤销冲正")
    assert of_reversal.value.items[0].code == "is_reversal"
    assert _snapshot() == before


def test_a_reversal_needs_a_reason_and_the_right_staff(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 40)
    before = _snapshot()
    with pytest.raises(DomainError) as no_reason:
        actions.do_reverse_transaction(actor=w.user("community"), transaction_id=txn.pk, reason=" ")
    assert no_reason.value.items[0].field == "reason"
    for who in ("grid", "leader", "wang", "sysadmin", "zhao"):
        with pytest.raises(PermissionDenied):
            actions.do_reverse_transaction(actor=w.user(who), transaction_id=txn.pk, reason="无权冲正")
    with pytest.raises(NotFound):
        actions.do_reverse_transaction(actor=w.user("community"), transaction_id=999999, reason="不存在")
    assert _snapshot() == before


# ── stations, catalogue, rules ───────────────────────────────────────────────────────────────────


def test_staff_create_stations_in_their_communities_only(pts: Pts) -> None:
    w = pts.world
    maqun = w.volunteers["zhao"].community
    before = Station.objects.count()
    with pytest.raises(PermissionDenied):
        actions.do_create_station(actor=w.user("community"), community=maqun, name="马群驿站")
    with pytest.raises(PermissionDenied):
        actions.do_create_station(actor=w.user("wang"), community=w.community, name="我的驿站")
    with pytest.raises(DomainError) as duplicate:
        actions.do_create_station(actor=w.user("community"), community=w.community, name="爱心驿站")
    assert duplicate.value.items[0].code == "duplicate"
    with pytest.raises(DomainError) as not_community:
        actions.do_create_station(actor=w.user("street"), community=w.street, name="街道驿站")
    assert not_community.value.items[0].code == "not_community"
    with pytest.raises(DomainError):
        actions.do_create_station(actor=w.user("community"), community=w.community, name="  ")
    assert Station.objects.count() == before
    # a station comes with its account
    station = actions.do_create_station(actor=w.user("street"), community=w.people.tree.community2, name="新尧驿站")
    assert PointAccount.objects.get(station=station).kind == AccountKind.STATION


def test_catalogue_items_and_restocking(pts: Pts) -> None:
    w = pts.world
    staff = w.user("community")
    item = actions.do_create_catalog_item(actor=staff, station=pts.station, name="毛巾", cost=10, stock=0)
    assert item.stock == 0 and not StockMovement.objects.filter(item=item).exists()
    item = actions.do_restock_item(actor=staff, item=item, quantity=12)
    assert CatalogItem.objects.get(pk=item.pk).stock == 12
    assert StockMovement.objects.get(item=item).stock_after == 12
    for bad in ({"cost": 0}, {"stock": -1}, {"name": "大米"}):
        with pytest.raises(DomainError):
            actions.do_create_catalog_item(
                actor=staff,
                station=pts.station,
                **{"name": "香皂", "cost": 5, "stock": 1, **bad},  # type: ignore[arg-type]
            )
    for quantity in (0, 10_001):
        with pytest.raises(DomainError):
            actions.do_restock_item(actor=staff, item=item, quantity=quantity)
    with pytest.raises(DomainError):
        actions.do_update_catalog_item(actor=staff, item=item, cost=0, is_active=True)
    for who in ("grid", "zhao", "wang"):
        with pytest.raises(PermissionDenied):
            actions.do_restock_item(actor=w.user(who), item=item, quantity=1)
        with pytest.raises(PermissionDenied):
            actions.do_create_catalog_item(actor=w.user(who), station=pts.station, name="香皂", cost=5)
    assert CatalogItem.objects.get(pk=item.pk).stock == 12
    assert_ledger_consistent()


def test_station_update(pts: Pts) -> None:
    w = pts.world
    other = actions.do_create_station(actor=w.user("community"), community=w.community, name="二号驿站")
    with pytest.raises(DomainError):
        actions.do_update_station(
            actor=w.user("community"), station=other, name="爱心驿站", address="", opening_hours="", is_active=True
        )
    with pytest.raises(PermissionDenied):
        actions.do_update_station(
            actor=w.user("grid"), station=other, name="x", address="", opening_hours="", is_active=True
        )
    actions.do_update_station(
        actor=w.user("community"), station=other, name="二号", address="东门", opening_hours="周末", is_active=True
    )
    assert Station.objects.get(pk=other.pk).address == "东门"


def test_the_system_administrator_sets_earning_rules(pts: Pts) -> None:
    w = pts.world
    rule = actions.do_update_earning_rule(
        actor=w.user("sysadmin"), kind=ServiceKind.WISH, points=25, per_hour=False, is_active=True
    )
    assert rule.points == 25
    created = actions.do_update_earning_rule(
        actor=w.user("sysadmin"), kind=ServiceKind.OTHER, points=5, per_hour=False, is_active=True
    )
    assert created.pk and EarningRule.objects.count() == 5
    assert AuditEvent.objects.filter(action="points.rule.update").count() == 2
    with pytest.raises(PermissionDenied):
        actions.do_update_earning_rule(actor=w.user("community"), kind="wish", points=1, per_hour=False, is_active=True)
    with pytest.raises(DomainError):
        actions.do_update_earning_rule(actor=w.user("sysadmin"), kind="nope", points=1, per_hour=False, is_active=True)
    with pytest.raises(DomainError):
        actions.do_update_earning_rule(actor=w.user("sysadmin"), kind="wish", points=-1, per_hour=False, is_active=True)
    assert EarningRule.objects.get(kind="wish").points == 25


# ── append-only ──────────────────────────────────────────────────────────────────────────────────


def test_ledger_rows_cannot_be_changed_through_the_orm(pts: Pts) -> None:
    w = pts.world
    txn = earn(pts, "wang", 100)
    redemption = actions.do_redeem_item(actor=w.user("wang"), volunteer=w.volunteers["wang"], item=pts.rice)
    entry = txn.entries.first()
    assert entry is not None
    for model in (PointTransaction, PointEntry, StockMovement, Redemption):
        with pytest.raises(TypeError):
            model.objects.all().update(created_at=None) if model is not PointEntry else model.objects.update(amount=1)
        with pytest.raises(TypeError):
            model.objects.all().delete()
    entry.amount = 1000
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        redemption.delete()
    assert_ledger_consistent()


def test_the_database_refuses_negative_balances_and_stock(pts: Pts) -> None:
    earn(pts, "wang", 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointAccount.objects.filter(volunteer=pts.world.volunteers["wang"]).update(balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CatalogItem.objects.filter(pk=pts.rice.pk).update(stock=-1)
    # the issuance account may go negative
    assert PointAccount.objects.get(kind=AccountKind.ISSUANCE).balance == -10


def test_postgresql_refuses_update_and_delete_of_ledger_rows(pts: Pts) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    txn = earn(pts, "wang", 10)
    for sql in (
        "UPDATE points_pointentry SET amount = 99 WHERE transaction_id = %s",
        "DELETE FROM points_pointentry WHERE transaction_id = %s",
        "UPDATE points_pointtransaction SET memo = 'x' WHERE id = %s",
        "DELETE FROM points_pointtransaction WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [txn.pk])
    assert_ledger_consistent()
