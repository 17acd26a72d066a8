"""The demo city's year of cases: about 20,000 reports with believable histories, written in bulk.

Every case is lived through in memory by the same rules the actions apply (立案, 派遣, 签收, 退回,
处置, 办结, 核查, 评价, 返工, 挂起/延期 with approval, 吹哨报到) and by the overdue sweep (warning,
overdue mark, escalation steps), on the same working-day calendar (`cases.sla`); the story is cut
at the seed's moment (midnight before `today`), so the newest cases are still open in every state.
Then the rows go in by the batch, cases and timeline rows straight through the cursor: running 20,000
cases through the actions one by one would take many minutes, so `tests/demo/test_demo_cases.py`
checks every frozen column against its timeline and every step against the workflow table instead.

Deterministic: every draw comes from `random.Random` seeded with the seed (and the day the year ends),
so the same seed gives the same cases; only the resident tokens and the phone ciphertexts are random.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import hashlib
import json
import random
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import chinese_calendar
import shapely
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from shapely.geometry import shape

from gongzhi.cases import routing, sla
from gongzhi.cases.actions.common import SYSTEM, Actor, token_digest
from gongzhi.cases.actions.config import do_load_default_duty_lists, do_load_default_taxonomy
from gongzhi.cases.models import (
    Case,
    CaseEvent,
    CaseRequest,
    Category,
    Channel,
    ClassifierModel,
    EscalationStep,
    HandlingLevel,
    LoopSettings,
    Notification,
    PartyRole,
    Rating,
    RequestKind,
    RequestStatus,
    Resolution,
    Status,
    Whistle,
    WhistleParty,
    WorkCalendarDay,
)
from gongzhi.cases.routing import COMMUNITY_LEN, STREET_LEN
from gongzhi.cases.taxonomy_data import leaves as taxonomy_leaves
from gongzhi.cases.workflow import Action
from gongzhi.core import audit, pii
from gongzhi.core.models import Membership
from gongzhi.demo import identities, names
from gongzhi.demo.accounts import DEMO_DEPARTMENT
from gongzhi.demo.case_texts import (
    SPECS,
    Place,
    compose,
    compose_rating_comment,
    compose_result,
    compose_return_reason,
    compose_rework_reason,
)
from gongzhi.people.models import Department, Person
from gongzhi.regions.models import Building, Compound, Level, Region

Progress = Callable[[str], None]

DEFAULT_COUNT = 20_000
BATCH = 2000
CLASSIFIER_SOURCE = "demo closed cases"
DEMO_USERS = ("leader", "street", "secretary", "community", "grid", "dept")
LOCAL = sla.LOCAL
DISTRICT_LEN = 6
S = Status

# Where the sweep looks (selectors._DEADLINE_STATUSES): only these run against the deadline.
_DEADLINE = frozenset({S.REGISTERED, S.DISPATCHED, S.SIGNED, S.RETURNED, S.HANDLING, S.REWORK})
_OPEN = frozenset(set(Status) - {S.CLOSED, S.REJECTED, S.MERGED})


def _quiet(_message: str) -> None:
    return None


# ── what residents and patrols report, and when ──────────────────────────────────────────────────

# Relative yearly volume per leaf; what is missing gets 3. The street-level nuisances dominate, as in
# every city's 12345 figures; wage arrears are few and gas leaks rare.
LEAF_WEIGHTS: dict[str, float] = {
    "MS0101": 130, "MS0102": 12, "MS0103": 40, "MS0104": 25, "MS0105": 6, "MS0106": 8, "MS0107": 8,
    "MS0201": 90, "MS0202": 40, "MS0203": 6, "MS0204": 6, "MS0205": 2,
    "MS0301": 18, "MS0302": 8, "MS0303": 20, "MS0304": 4, "MS0305": 8,
    "MS0401": 10, "MS0402": 5, "MS0403": 6, "MS0404": 6, "MS0405": 1,
    "MS0501": 5, "MS0502": 10, "MS0503": 4, "MS0504": 6, "MS0505": 4,
    "MS0601": 20, "MS0602": 8, "MS0603": 2, "MS0604": 12,
    "MS0701": 10, "MS0702": 12, "MS0703": 5, "MS0704": 3,
    "MS0801": 6, "MS0802": 12, "MS0803": 4, "MS0804": 2, "MS0805": 8,
    "MS0901": 10, "MS0902": 6, "MS0903": 20, "MS0904": 30, "MS0905": 4,
    "MS1001": 2, "MS1002": 3, "MS1101": 2, "MS1102": 2, "MS1103": 2,
    "MS1201": 3, "MS1202": 4, "MS1203": 2, "MS1301": 8, "MS1302": 3, "MS1401": 6, "MS1402": 1,
    "MS1501": 2, "MS1502": 1,
    "BJ0101": 22, "BJ0102": 10, "BJ0103": 35, "BJ0104": 4, "BJ0105": 8,
    "BJ0201": 8, "BJ0202": 10, "BJ0203": 5, "BJ0204": 20, "BJ0205": 10,
    "BJ0301": 8, "BJ0302": 35, "BJ0303": 6, "BJ0401": 20, "BJ0402": 15,
    "BJ0501": 3, "BJ0502": 4, "BJ0601": 10, "BJ0602": 5, "BJ0603": 15,
    "SJ0101": 120, "SJ0102": 55, "SJ0103": 35, "SJ0104": 55, "SJ0201": 50, "SJ0202": 20,
    "SJ0301": 40, "SJ0302": 25, "SJ0303": 15,
    "SJ0401": 90, "SJ0402": 60, "SJ0403": 110, "SJ0404": 70, "SJ0405": 30,
    "SJ0501": 1.5, "SJ0502": 4, "SJ0503": 0.6, "SJ0504": 25, "SJ0505": 10,
    "SJ0601": 8, "SJ0602": 10, "SJ0603": 25, "SJ0604": 25,
}  # fmt: skip

# Month multipliers (January first).
_SUMMER = (0.6, 0.6, 0.8, 1.0, 1.2, 1.5, 1.8, 1.8, 1.3, 1.0, 0.7, 0.6)
_BARBECUE = (0.2, 0.2, 0.4, 0.8, 1.3, 2.2, 2.8, 2.8, 1.6, 0.8, 0.3, 0.2)
_WINTER = (1.8, 1.6, 1.1, 0.8, 0.7, 0.9, 1.1, 1.0, 0.8, 0.9, 1.2, 1.7)  # gas, frozen meters, summer outages
_FROST = (2.2, 1.8, 1.0, 0.7, 0.6, 0.6, 0.7, 0.7, 0.7, 0.8, 1.2, 2.0)
_RAIN = (0.5, 0.5, 0.7, 0.9, 1.2, 2.2, 2.4, 1.6, 1.0, 0.8, 0.6, 0.5)  # 梅雨 and the typhoon weeks
_TREES = (0.7, 0.7, 1.0, 1.1, 1.1, 1.3, 1.5, 1.5, 1.2, 1.1, 0.9, 0.8)
_WAGES = (2.5, 1.5, 0.7, 0.7, 0.7, 0.7, 0.8, 0.8, 0.8, 0.9, 1.2, 2.0)  # before the Spring Festival
_SCHOOL = (0.5, 0.5, 0.8, 1.2, 1.8, 2.0, 2.0, 1.8, 1.0, 0.5, 0.4, 0.4)
_BUILDING = (0.8, 0.5, 1.0, 1.2, 1.2, 1.1, 1.0, 1.0, 1.2, 1.2, 1.1, 0.9)
_LONG_NIGHTS = (1.3, 1.2, 1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.2, 1.3)
SEASONS: dict[str, tuple[float, ...]] = {
    "MS0201": _SUMMER, "SJ0603": _SUMMER, "MS0202": _SUMMER, "SJ0101": _SUMMER,
    "SJ0405": _BARBECUE, "SJ0402": _SUMMER,
    "MS0103": _WINTER, "SJ0502": _FROST, "SJ0503": _WINTER,
    "SJ0504": _RAIN, "BJ0102": _RAIN, "SJ0501": _RAIN, "BJ0401": _TREES,
    "MS0501": _WAGES, "MS0401": _SCHOOL, "SJ0301": _BUILDING, "SJ0302": _BUILDING, "BJ0103": _LONG_NIGHTS,
}  # fmt: skip

CHANNELS = (Channel.HOTLINE, Channel.PATROL, Channel.H5, Channel.API, Channel.STAFF)
# Things on the street are seen by the patrols; appeals about money, services and neighbours come by
# phone. Together about 35 % hotline, 30 % patrol, 25 % H5, 5 % API, 5 % staff.
_CHANNEL_WEIGHTS = {
    "seen": (26, 51, 17, 6, 2),
    "appeal": (44, 3, 39, 1.5, 14),
}
# Hour-of-day weights (0–23) by channel.
_HOURS = {
    Channel.HOTLINE: (1, 1, 0, 0, 0, 0, 1, 3, 7, 10, 10, 8, 5, 6, 9, 9, 8, 7, 5, 6, 6, 5, 3, 2),
    Channel.H5: (2, 1, 1, 0, 0, 0, 1, 3, 5, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 7, 8, 8, 6, 4),
    Channel.PATROL: (0, 0, 0, 0, 0, 0, 0, 1, 6, 10, 10, 8, 2, 3, 9, 10, 9, 5, 1, 0, 0, 0, 0, 0),
    Channel.API: (1, 1, 0, 0, 0, 0, 1, 3, 6, 8, 8, 7, 4, 5, 8, 8, 7, 5, 3, 3, 2, 2, 1, 1),
    Channel.STAFF: (0, 0, 0, 0, 0, 0, 0, 0, 6, 10, 10, 6, 1, 2, 8, 9, 8, 3, 0, 0, 0, 0, 0, 0),
}
_ON_SPOT: dict[str, float] = {HandlingLevel.GRID: 0.75, HandlingLevel.COMMUNITY: 0.4, HandlingLevel.STREET: 0.15}

# 吹哨: leaves a street summons several departments for, with who assists and who is told.
WHISTLE_LEAVES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "SJ0103": (("自然资源分局", "住建局"), ("房产局",)),
    "MS0104": (("城管局", "住建局"), ("房产局",)),
    "SJ0401": (("市场监管局", "公安分局"), ("交通局",)),
    "SJ0601": (("消防救援大队", "房产局"), ("应急管理局",)),
    "SJ0505": (("应急管理局", "房产局"), ("公安分局",)),
    "MS0106": (("消防救援大队", "市场监管局"), ("住建局",)),
    "SJ0302": (("住建局", "生态环境局"), ("交通局",)),
    "SJ0301": (("住建局", "生态环境局"), ()),
    "MS0202": (("城管局", "市场监管局"), ()),
    "SJ0405": (("市场监管局", "公安分局"), ("生态环境局",)),
    "MS0501": (("住建局", "公安分局"), ("信访局",)),
    "BJ0501": (("住建局", "应急管理局"), ()),
}
_PART_ACTIONS: dict[str, tuple[str, ...]] = {
    "城管局": ("依法暂扣了占道经营物品", "对违法搭建部分下达了限期拆除通知书", "安排执法队员每日定时巡查"),
    "公安分局": ("派出所民警到场维持秩序", "对当事人进行了法制教育", "核查了相关人员身份信息"),
    "市场监管局": ("核查了经营主体证照", "责令商户规范经营", "对无证经营行为立案调查"),
    "消防救援大队": ("检查了现场消防通道", "清理了楼道内堆放的易燃物品", "对业主开展了消防安全宣传"),
    "住建局": ("检查了施工单位相关手续", "约谈了施工项目负责人", "责令施工单位落实文明施工措施"),
    "自然资源分局": ("调取规划审批资料进行了比对", "认定该建筑未取得规划许可", "出具了规划核实意见"),
    "生态环境局": ("对现场进行了监测取样", "督促商户安装油烟净化设施", "对排放情况开展了检测"),
    "房产局": ("督促物业公司加强管理", "对房屋安全情况进行了查勘", "约谈了物业服务企业"),
    "应急管理局": ("对企业安全生产情况进行了检查", "下达了隐患整改通知书", "督促企业落实主体责任"),
    "人社局": ("约谈了用人单位负责人", "调取了工资发放记录", "督促企业限期支付拖欠工资"),
    "交通局": ("协调施工车辆绕行", "对周边道路设施进行了检查"),
    "信访局": ("对来访群众做好解释引导", "跟踪督办处理进度"),
}
_PART_FRAMES = (
    "{dept}已派员到场，{action}，配合主办单位开展联合处置。",
    "{dept}按时报到，{action}，相关情况已反馈主办单位。",
    "{dept}{action}，后续将配合做好长效管理。",
)
_WHISTLE_NOTES = (
    "该问题涉及多个部门职责，启动吹哨报到机制，请各单位按时到场。",
    "群众反映强烈，街道吹哨，请相关部门联合处置。",
    "单一部门难以解决，请主办单位牵头、协办单位配合，限期办结。",
)
_ON_SPOT_DONE = (
    "现场已处置完毕，已拍照留存。",
    "问题已当场解决，处置前后照片已上传。",
    "已现场劝导，当事人当场整改到位。",
    "已协调物业现场清理完毕。",
    "已现场处置到位，群众无异议。",
)
_WAITING = ("上报", "待处置", "派遣", "请相关部门", "请跟进", "对接", "答复")
_REJECT_REASONS = (
    "经核实，该诉求属于民事纠纷，建议通过司法途径解决，不予立案。",
    "反映内容不清，无法核实具体地点，电话联系反映人未接通，不予立案。",
    "经现场核实，未发现反映的情况，不予立案。",
    "该诉求不属于本平台受理范围，已告知反映人向相关单位咨询。",
)
_REPEATED = "重复反映，原工单已办结，已告知反映人查询原工单结果。"
_REDISPATCH_NOTES = (
    "经核实，该事项属于贵单位职责范围，请予以办理。",
    "根据事项清单，该问题由贵单位负责，请尽快处置。",
    "已与相关单位会商，仍由贵单位办理，请按时限反馈。",
)
_DISPATCH_NOTES = ("", "", "", "", "请尽快处置。", "请按时限办结并反馈。", "群众反映较急，请优先处理。")
_EXTEND_REASONS = (
    "需协调多个部门共同处理，申请延期。",
    "涉及施工维修，需等待材料到货后实施。",
    "当事人暂时联系不上，需进一步核实情况。",
)
_SUSPEND_REASONS = (
    "涉及产权争议，待相关部门确权后再行处理。",
    "需等待汛期结束后方可施工。",
    "当事人已提起诉讼，需等待法院判决结果。",
)
_DECISION_NOTES = ("同意。", "同意，请抓紧推进。", "同意，注意做好群众解释工作。")
_VERIFY_NOTES = ("", "", "现场核查已整改到位。", "经回访核实，问题已解决。")


@dataclass(frozen=True, slots=True)
class CaseCounts:
    cases: int
    events: int
    open: int
    overdue: int
    whistles: int
    notifications: int
    classifier_samples: int
    classifier_metrics: dict[str, Any]
    ticket: str
    token: str
    seconds: float


# ── the world the cases happen in ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class _Leaf:
    code: str
    category: Category
    level: str
    response_hours: int
    handling_days: int
    department: Department | None
    locus: str
    seen: bool  # a patrol would notice it on the street


@dataclass(slots=True)
class _Grid:
    region: Region
    community: Region
    street: Region
    geometry: Any
    bounds: tuple[float, float, float, float]
    buildings: list[Building]
    landmark: str
    residents: int = 0


@dataclass(frozen=True, slots=True)
class _Who:
    label: str
    user: User | None = None


@dataclass(slots=True)
class _World:
    district: Region
    grids: list[_Grid]
    by_code: dict[str, _Grid]
    compounds: dict[int, list[str]]  # community pk → compound names
    roads: dict[str, list[str]]  # community code → road names
    leaves: dict[str, _Leaf]
    departments: dict[str, Department]  # short name → department
    steps: list[EscalationStep]
    warn: dt.timedelta
    users: dict[str, User]
    demo: dict[str, str]  # "street" / "community" / "grid" → the demo accounts' region codes
    names: dict[str, str]  # region code → name (streets, communities, grids)


def _road_names(rng: random.Random, community: Region, street: Region) -> list[str]:
    own = names.strip_suffix(names.community_short(community.name), ("村",))[:3]
    stem = names.street_stem(street.name)[:3]
    other = rng.choice(names.URBAN_STEMS)
    options = [
        f"{own}路",
        f"{own}街",
        f"{stem}大道",
        f"{stem}{rng.choice('东西南北')}路",
        f"{other}路",
        f"{own}{rng.choice(('一', '二', '三'))}路",
        f"{other}巷",
    ]
    return list(dict.fromkeys(rng.sample(options, 4)))


def _landmark(grid: Region) -> str:
    if grid.grid_kind != "dedicated" or not grid.name.endswith("专属网格"):
        return ""
    return grid.name.removesuffix("专属网格")


def _load_world(seed: int) -> _World:
    district = Region.objects.filter(level=Level.DISTRICT).order_by("code").first()
    if district is None:
        raise ValueError("seed the city before its cases")
    regions = {r.pk: r for r in Region.objects.filter(level__in=(Level.STREET, Level.COMMUNITY)).order_by("code")}
    buildings: dict[int, list[Building]] = defaultdict(list)
    for b in Building.objects.select_related("compound").order_by("code"):
        buildings[b.grid_id].append(b)
    residents = dict(
        Person.objects.exclude(region_code="")
        .values("region_code")
        .annotate(n=Count("id"))
        .values_list("region_code", "n")
    )
    grids: list[_Grid] = []
    for region in Region.objects.filter(level=Level.GRID, code__startswith=district.code).order_by("code"):
        if region.geometry is None or region.parent_id is None:
            continue
        community = regions[region.parent_id]
        street = regions[community.parent_id] if community.parent_id else community
        geometry = shape(region.geometry)
        shapely.prepare(geometry)
        grids.append(
            _Grid(
                region=region,
                community=community,
                street=street,
                geometry=geometry,
                bounds=geometry.bounds,
                buildings=buildings.get(region.pk, []),
                landmark=_landmark(region),
                residents=residents.get(region.code, 0),
            )
        )
    compounds: dict[int, list[str]] = defaultdict(list)
    for community_id, name in Compound.objects.order_by("community_id", "name").values_list("community_id", "name"):
        compounds[community_id].append(name)
    rng = random.Random(f"gongzhi-roads-{seed}")
    roads = {
        c.code: _road_names(rng, c, regions.get(c.parent_id or 0, c))
        for c in regions.values()
        if c.level == Level.COMMUNITY
    }
    departments = {d.short_name: d for d in Department.objects.filter(region=district, is_active=True)}
    categories = {c.code: c for c in Category.objects.filter(depth=3, is_active=True)}
    leaves: dict[str, _Leaf] = {}
    for family, _klass, leaf in taxonomy_leaves():
        category = categories.get(leaf.code)
        if category is None or leaf.code not in SPECS:
            continue
        department_id = routing.responsible_department(category, district.code + "0" * 9)
        if department_id is None and category.handling_level != HandlingLevel.GRID:
            continue  # nobody on the duty list could take it
        leaves[leaf.code] = _Leaf(
            code=leaf.code,
            category=category,
            level=category.handling_level,
            response_hours=category.response_hours,
            handling_days=category.handling_days,
            department=next((d for d in departments.values() if d.pk == department_id), None),
            locus=SPECS[leaf.code].locus,
            seen=family.code != "MS" or leaf.code in ("MS0104", "MS0202", "MS0303", "MS0604", "MS0904"),
        )
    settings = LoopSettings.objects.order_by("pk").first() or LoopSettings()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    demo: dict[str, str] = {}
    for username, code in Membership.objects.filter(
        user__username__in=("street", "community", "grid"), region__isnull=False
    ).values_list("user__username", "region__code"):
        demo[username] = code
    if (
        "dept" in users
        and not Membership.objects.filter(user=users["dept"], department__short_name=DEMO_DEPARTMENT).exists()
    ):
        del users["dept"]
    region_names = {r.code: r.name for r in regions.values()} | {g.region.code: g.region.name for g in grids}
    return _World(
        district=district,
        grids=grids,
        by_code={g.region.code: g for g in grids},
        compounds=compounds,
        roads=roads,
        leaves=leaves,
        departments=departments,
        steps=list(EscalationStep.objects.order_by("order")),
        warn=dt.timedelta(hours=settings.warn_hours_before),
        users=users,
        demo=demo,
        names=region_names,
    )


# ── one case lived through ────────────────────────────────────────────────────────────────────────


@dataclass(slots=True)
class _Plan:
    on_spot: bool = False
    reject: bool = False
    whistle: bool = False
    to_grid: bool = False  # a grid-level matter: the grid worker handles it
    return_first: bool = False
    late_sign: bool = False
    late: bool = False
    handler_demo: bool = False  # the demo department account handles it (and may ask for time)
    extend: bool = False
    suspend: bool = False
    resume: bool = True
    verify_fail: bool = False
    ratings: list[str] = field(default_factory=list)
    resolution: str = Resolution.SOLVED
    stop: str = ""  # the state to leave it in (the showcase for the demo accounts)


class _Clock:
    """Working hours and days, on the same calendar as the deadlines."""

    MORNING = (dt.time(8, 30), dt.time(12, 0))
    AFTERNOON = (dt.time(13, 30), dt.time(17, 30))

    def __init__(self, overrides: dict[dt.date, bool]) -> None:
        self.overrides = overrides
        self._workdays: dict[dt.date, bool] = {}

    def is_workday(self, day: dt.date) -> bool:
        hit = self._workdays.get(day)
        if hit is None:
            hit = self._workdays[day] = sla.is_workday(day, self.overrides)
        return hit

    def work_after(self, t: dt.datetime, hours: float) -> dt.datetime:
        """`hours` of office time after t (08:30–12:00, 13:30–17:30 on working days)."""
        local = t.astimezone(LOCAL)
        left = dt.timedelta(hours=max(hours, 0.0))
        for _attempt in range(60):
            day = local.date()
            if self.is_workday(day):
                for start, end in (self.MORNING, self.AFTERNOON):
                    window_end = dt.datetime.combine(day, end, tzinfo=LOCAL)
                    if local >= window_end:
                        continue
                    begin = max(local, dt.datetime.combine(day, start, tzinfo=LOCAL))
                    if begin + left <= window_end:
                        return begin + left
                    left -= window_end - begin
                    local = window_end
            local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL)
        return local + left

    # The sla functions, on this cache: the calendar package is slow enough to matter 100,000 times.
    def _add_working_days(self, start: dt.date, days: int) -> dt.date:
        day = start
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def deadline(self, t: dt.datetime, days: int) -> dt.datetime:
        end = self._add_working_days(t.astimezone(LOCAL).date(), days)
        return dt.datetime.combine(end, dt.time(23, 59, 59), tzinfo=LOCAL)

    def extend(self, due: dt.datetime, days: int) -> dt.datetime:
        return self.deadline(due, days)

    def working_days_between(self, a: dt.datetime, b: dt.datetime) -> int:
        start, end = a.astimezone(LOCAL).date(), b.astimezone(LOCAL).date()
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return sign * count


def _tick(t: dt.datetime) -> dt.datetime:
    """The worker's next sweep after t: it runs at the top of every minute."""
    return t.replace(second=0, microsecond=0) + dt.timedelta(minutes=1, seconds=3)


def _office_at(level: str, region_code: str) -> str:
    lengths: dict[str, int] = {HandlingLevel.COMMUNITY: COMMUNITY_LEN, HandlingLevel.STREET: STREET_LEN}
    return region_code[: lengths.get(level, DISTRICT_LEN)]


def _hours(h: float) -> dt.timedelta:
    return dt.timedelta(hours=h)


class _Sim:
    """What every case shares: the world, the calendar, the people who act, the moment the year ends."""

    def __init__(self, world: _World, seed: int, as_of: dt.datetime, clock: _Clock) -> None:
        self.world = world
        self.seed = seed
        self.as_of = as_of
        self.clock = clock
        self.resident = _Who(Actor().label)
        self.system = _Who(SYSTEM.label)
        self._staff: dict[str, list[_Who]] = {}
        self.demo_users = {name: _Who(Actor(user=u).label, u) for name, u in world.users.items()}

    def staff(self, code: str, office: str, n: int) -> list[_Who]:
        roster = self._staff.get(code)
        if roster is None:
            r = random.Random(f"gongzhi-staff-{self.seed}-{code}")
            roster = []
            for _attempt in range(n):
                male = r.random() < 0.5
                name = identities.surname(r) + identities.given_name(r, male, r.randint(1968, 1999))
                roster.append(_Who(f"{office} {pii.mask_name(name)}"))
            self._staff[code] = roster
        return roster

    def dispatcher(self, rng: random.Random, owner_code: str) -> _Who:
        demo = self.world.demo
        if owner_code == demo.get("community"):
            options = [self.demo_users[n] for n in ("community", "secretary") if n in self.demo_users]
            if options:
                return rng.choice(options)
        if owner_code == demo.get("street") and "street" in self.demo_users and rng.random() < 0.7:
            return self.demo_users["street"]
        if len(owner_code) == DISTRICT_LEN and "leader" in self.demo_users:
            return self.demo_users["leader"]
        return rng.choice(self.staff(owner_code, self.world.names.get(owner_code, self.world.district.name), 3))

    def grid_worker(self, grid_code: str) -> _Who:
        if grid_code == self.world.demo.get("grid") and "grid" in self.demo_users:
            return self.demo_users["grid"]
        return self.staff(grid_code, self.world.names.get(grid_code, ""), 1)[0]

    def department_staff(self, rng: random.Random, department: Department, demo: bool) -> _Who:
        if demo and "dept" in self.demo_users:
            return self.demo_users["dept"]
        return rng.choice(self.staff(department.code, department.short_name, 5))


class _Ev(NamedTuple):
    """A timeline row before it has a case id (model instances cost too much by the hundred thousand)."""

    at: dt.datetime
    who: _Who
    action: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


@dataclass(slots=True)
class _Joint:
    at: dt.datetime
    kind: str  # report_in | submit_part
    party: WhistleParty
    late: bool = False
    text: str = ""


class _Life:
    """One case from its report to the seed's moment, by the rules of the actions and the sweep."""

    def __init__(self, sim: _Sim, rng: random.Random, case: Case, leaf: _Leaf, plan: _Plan, reporter: _Who) -> None:
        self.sim = sim
        self.rng = rng
        self.case = case
        self.leaf = leaf
        self.plan = plan
        self.reporter = reporter
        self.events: list[_Ev] = []
        self.now = case.created_at
        self.done = False
        self.whistle: Whistle | None = None
        self.parties: list[WhistleParty] = []
        self.requests: list[CaseRequest] = []
        self.scheduled: list[_Joint] = []
        self.handler: _Who = sim.system  # who acts for the department or grid, once it is given the case
        self.dispatcher = sim.dispatcher(rng, case.owner_code)
        self.verifier = sim.grid_worker(case.region_code)
        self.duplicate: _Life | None = None  # the case this one repeats (merged into it)

    # ── time and the sweep ──

    @property
    def urgent(self) -> bool:
        return self.leaf.response_hours <= 2

    def office_after(self, mean_hours: float, low: float = 0.05, high: float = 10.0) -> dt.datetime:
        hours = min(max(self.rng.expovariate(1 / mean_hours), low), high)
        if self.urgent:
            return self.now + _hours(hours / 3)  # emergencies are taken on by the duty desk, day and night
        return self.sim.clock.work_after(self.now, hours)

    def go(self, t: dt.datetime) -> bool:
        """Move on to t, the sweep and the joint parties acting on the way; False once t is past the cut."""
        if self.done:
            return False
        while self.scheduled and self.scheduled[0].at <= t:
            joint = self.scheduled.pop(0)
            if joint.at > self.sim.as_of:
                break
            self._sweep(joint.at)
            self.now = max(self.now, joint.at)
            self._joint(joint)
        if t > self.sim.as_of:
            self.end()
            return False
        self._sweep(t)
        self.now = max(self.now, t)
        return True

    def end(self) -> None:
        if not self.done:
            for joint in [j for j in self.scheduled if j.at <= self.sim.as_of]:
                if joint.at < self.now:
                    continue
                self._sweep(joint.at)
                self.now = joint.at
                self._joint(joint)
            self.scheduled.clear()
            self._sweep(self.sim.as_of)
            self.done = True

    def _sweep(self, until: dt.datetime) -> None:
        """What `cases.sweep.run_sweep` would have done, run every minute, between now and `until`."""
        c = self.case
        steps = self.sim.world.steps
        last_run: dt.datetime | None = None
        while c.status in _DEADLINE and c.handle_due is not None and c.closed_at is None:
            due = c.handle_due
            options: list[tuple[dt.datetime, int]] = []
            if c.warned_at is None and not c.is_overdue:
                options.append((max(self.now, due - self.sim.world.warn), 0))
            if not c.is_overdue:
                options.append((max(self.now, due), 1))
            else:
                ahead = [s for s in steps if s.order > c.escalation_step]
                if ahead:
                    options.append((max(self.now, due + _hours(ahead[0].overdue_hours)), 2))
            if not options:
                return
            moment, kind = min(options)
            at = last_run if last_run is not None and moment <= last_run else _tick(moment)
            if at >= until:
                return
            last_run = self.now = at
            if kind == 0 and due > at:
                c.warned_at = at
                self._event("deadline_warning", "", self.sim.system)
            elif kind in (0, 1):
                if due >= at:
                    return  # not reached: cannot happen with ticks after the moment, kept for safety
                c.is_overdue = True
                self._event("overdue", "", self.sim.system)
            else:
                late = at - due
                due_steps = [s for s in steps if s.order > c.escalation_step and late >= _hours(s.overdue_hours)]
                step = due_steps[-1]
                c.escalation_step = step.order
                if step.supervise:
                    c.supervised = True
                office = _office_at(step.target_level, c.region_code or c.owner_code)
                data = {"step": step.order, "office": office, "supervise": step.supervise}
                self._event("escalate_overdue", "", self.sim.system, data=data)

    # ── the timeline ──

    def _event(
        self,
        action: str,
        to_status: str,
        who: _Who,
        *,
        note: str = "",
        data: dict[str, Any] | None = None,
        from_status: str | None = None,
    ) -> None:
        c = self.case
        before = c.status if from_status is None else from_status
        self.events.append(_Ev(self.now, who, action, before, to_status or before, note, data or {}))

    def _move(
        self, action: str, to_status: str, who: _Who, *, note: str = "", data: dict[str, Any] | None = None
    ) -> bool:
        """A transition: the timeline row, then the new status; False when the plan stops here."""
        before = self.case.status
        self.case.status = to_status
        self._event(action, to_status, who, note=note, data=data, from_status=before)
        if self.plan.stop and to_status == self.plan.stop:
            self.end()
            return False
        return True

    # ── the story ──

    def run(self) -> None:
        c, p = self.case, self.plan
        data = {
            "channel": c.channel,
            "region": c.region_code,
            "suggested": [],
            "duplicate_of": self.duplicate.case.number if self.duplicate else "",
        }
        self._event("file", S.PENDING, self.reporter, data=data, from_status="")
        if p.stop == S.PENDING:
            self.end()
            return
        if p.on_spot:
            self._close_on_spot()
        elif self.duplicate is not None:
            if self.go(self.office_after(1.5)):
                if self.duplicate.status_at(self.now) in _OPEN:
                    self._merge(self.duplicate)
                else:
                    self._reject(_REPEATED)
        elif p.reject:
            if self.go(self.office_after(2.0)):
                self._reject()
        else:
            self._main()
        self.end()

    def _main(self) -> None:
        if not self.go(self.office_after(1.2)) or not self._accept():
            return
        if not self.go(self.office_after(0.4, high=4)):
            return
        if self.plan.whistle:
            if not self._blow_whistle():
                return
        elif not self._dispatch_and_sign():
            return
        if not self.go(self.office_after(1.0, high=6)) or not self._start():
            return
        if not self._handle():
            return
        if not self._verify(fail=self.plan.verify_fail):
            return
        for i, rating in enumerate(self.plan.ratings):
            if not self.go(self._daytime(self.now + _hours(self.rng.uniform(0.5, 72)))):
                return
            if not self._rate(rating):
                return
            if rating == Rating.UNSATISFIED and not self._rework_round(last=i == len(self.plan.ratings) - 1):
                return

    def _daytime(self, t: dt.datetime, low: dt.datetime | None = None, high: dt.datetime | None = None) -> dt.datetime:
        """People act between 08:00 and 21:00; a time outside that moves into the same day's hours."""
        local = t.astimezone(LOCAL)
        if not 8 <= local.hour < 21:
            local = dt.datetime.combine(local.date(), dt.time(8), tzinfo=LOCAL) + _hours(self.rng.uniform(0.2, 12.5))
        if low is not None and local < low:
            local = low + dt.timedelta(minutes=self.rng.uniform(3, 40))
        if high is not None and local > high:
            local = high - dt.timedelta(minutes=self.rng.uniform(5, 90))
        return local

    def _close_on_spot(self) -> None:
        c = self.case
        at = self.now
        c.closed_on_spot = True
        c.assignee_code = c.region_code
        c.registered_at = c.dispatched_at = c.responded_at = c.handled_at = c.closed_at = at
        c.responded_on_time = c.handled_on_time = True
        c.resolution = Resolution.SOLVED
        actions = [a for a in SPECS[self.leaf.code].actions if "{" not in a]
        done = self.rng.choice(_ON_SPOT_DONE)
        c.result = f"{self.rng.choice(actions)}，{done}" if actions and self.rng.random() < 0.7 else done
        self._move(Action.CLOSE_ON_SPOT, S.CLOSED, self.reporter, note=c.result)

    def _reject(self, reason: str = "") -> None:
        c = self.case
        reason = reason or self.rng.choice(_REJECT_REASONS)
        c.closed_at = self.now
        c.result = reason
        self._move(Action.REJECT, S.REJECTED, self.dispatcher, note=reason)

    def _merge(self, target: _Life) -> None:
        c = self.case
        c.duplicate_of = target.case
        c.closed_at = self.now
        self._move(Action.MERGE, S.MERGED, self.dispatcher, data={"into": target.case.number})
        target.merged_in(self)

    def merged_in(self, other: _Life) -> None:
        """The target's own row for a duplicate merged into it, in its state at that moment."""
        at = other.now
        status = self.status_at(at)
        self.events.append(_Ev(at, other.dispatcher, "merged_in", status, status, "", {"case": other.case.number}))
        self.events.sort(key=lambda e: e.at)

    def status_at(self, at: dt.datetime) -> str:
        status = ""
        for event in self.events:
            if event.at <= at:
                status = event.to_status
        return status

    def _accept(self) -> bool:
        c = self.case
        data = {"category": self.leaf.code}
        c.category = self.leaf.category
        c.registered_at = self.now
        if c.handle_due is None:
            c.handle_due = self.sim.clock.deadline(self.now, self.leaf.handling_days)
        return self._move(Action.ACCEPT, S.REGISTERED, self.dispatcher, data=data)

    def _dispatch(self, department: Department | None, grid_code: str, note: str) -> bool:
        c = self.case
        c.department = department
        c.assignee_code = "" if department is not None else grid_code
        c.dispatched_at = self.now
        if c.responded_at is None:
            c.response_due = sla.response_deadline(self.now, self.leaf.response_hours)
        target = department.name if department is not None else grid_code
        return self._move(Action.DISPATCH, S.DISPATCHED, self.dispatcher, note=note, data={"to": target})

    def _handler_for(self, department: Department | None) -> _Who:
        if department is None:
            return self.sim.grid_worker(self.case.region_code)
        return self.sim.department_staff(self.rng, department, self.plan.handler_demo)

    def _sign_time(self) -> dt.datetime:
        c = self.case
        rh = self.leaf.response_hours
        if c.responded_at is None and self.plan.late_sign:
            return self._daytime(self.now + _hours(rh * self.rng.uniform(1.05, 2.5)), low=c.response_due)
        at = self.now + _hours(max(rh * self.rng.uniform(0.03, 0.8), 0.05))
        if self.urgent:
            return at
        return self._daytime(at, low=self.now, high=c.response_due)

    def _sign(self) -> bool:
        c = self.case
        if c.responded_at is None:
            c.responded_at = self.now
            c.responded_on_time = c.response_due is None or self.now <= c.response_due
        return self._move(Action.SIGN, S.SIGNED, self.handler)

    def _dispatch_and_sign(self) -> bool:
        p = self.plan
        first = None if p.to_grid else self.leaf.department
        note = self.rng.choice(_DISPATCH_NOTES)
        if not self._dispatch(first, self.case.region_code, note):
            return False
        self.handler = self._handler_for(first)
        if p.return_first:
            signed_first = self.rng.random() < 0.35
            if signed_first and (not self.go(self._sign_time()) or not self._sign()):
                return False
            if not self.go(self.office_after(2.0)) or not self._return():
                return False
            if not self.go(self.office_after(2.0)):
                return False
            # A grid hands over what needs enforcement; a department's return is settled by the office.
            second = self.leaf.department if first is None else first
            note = self.rng.choice(_REDISPATCH_NOTES)
            if not self._dispatch(second, self.case.region_code, note):
                return False
            self.handler = self._handler_for(second)
        return self.go(self._sign_time()) and self._sign()

    def _return(self) -> bool:
        c = self.case
        was = c.department.name if c.department is not None else c.assignee_code
        c.department = None
        c.assignee_code = ""
        reason = compose_return_reason(self.rng, self.leaf.code)
        return self._move(Action.RETURN, S.RETURNED, self.handler, note=reason, data={"from": was})

    def _blow_whistle(self) -> bool:
        c = self.case
        lead = self.leaf.department
        if lead is None:
            return self._dispatch_and_sign()
        departments = self.sim.world.departments
        assisting_names, notified_names = WHISTLE_LEAVES[self.leaf.code]
        assisting = [departments[n] for n in assisting_names if n in departments and departments[n] != lead]
        if len(assisting) > 1 and self.rng.random() < 0.4:
            assisting = assisting[:1]
        notified = [departments[n] for n in notified_names if n in departments and departments[n] != lead]
        whistler = self.sim.dispatcher(self.rng, c.region_code[:STREET_LEN])
        note = self.rng.choice(_WHISTLE_NOTES)
        self.whistle = Whistle(
            case=c, blown_by=whistler.user, blown_at=self.now, report_in_due=self.now + _hours(24), note=note
        )
        self.parties = (
            [WhistleParty(whistle=self.whistle, department=lead, role=PartyRole.LEAD)]
            + [WhistleParty(whistle=self.whistle, department=d, role=PartyRole.ASSIST) for d in assisting]
            + [WhistleParty(whistle=self.whistle, department=d, role=PartyRole.NOTIFY) for d in notified]
        )
        c.department = lead
        c.assignee_code = ""
        c.dispatched_at = self.now
        if c.responded_at is None:
            c.response_due = sla.response_deadline(self.now, self.leaf.response_hours)
        data = {
            "lead": lead.name,
            "assisting": [d.name for d in assisting],
            "notified": [d.name for d in notified],
            "report_in_due": self.whistle.report_in_due.isoformat(),
        }
        if not self._move(Action.WHISTLE, S.DISPATCHED, whistler, note=note, data=data):
            self._schedule_report_ins()
            return False
        self.handler = self._handler_for(lead)
        lead_in = self._schedule_report_ins()
        return self.go(max(self._sign_time(), lead_in + dt.timedelta(minutes=self.rng.uniform(5, 90)))) and self._sign()

    def _schedule_report_ins(self) -> dt.datetime:
        lead_in = self.now
        if self.whistle is None:
            return lead_in
        for party in self.parties:
            if party.role == PartyRole.NOTIFY and self.rng.random() < 0.3:
                continue  # a notified department need not come
            late = self.rng.random() < 0.1
            at = self.now + _hours(self.rng.uniform(24.5, 40) if late else self.rng.uniform(0.5, 20))
            self.scheduled.append(_Joint(at, "report_in", party, late=at > self.whistle.report_in_due))
            if party.role == PartyRole.LEAD:
                lead_in = at
        self.scheduled.sort(key=lambda j: j.at)
        return lead_in

    def _schedule_parts(self) -> dt.datetime:
        """Assisting departments hand in their part after they reported in; the lead finishes after them."""
        last = self.now
        reported = {id(j.party): j.at for j in self.scheduled if j.kind == "report_in"}
        for party in self.parties:
            if party.role != PartyRole.ASSIST:
                continue
            came = party.reported_in_at or reported.get(id(party), self.now)
            at = max(came, self.now) + _hours(self.rng.uniform(2, 30))
            dept = party.department.short_name
            action = self.rng.choice(_PART_ACTIONS.get(dept, ("派员到场配合处置",)))
            text = self.rng.choice(_PART_FRAMES).format(dept=dept, action=action)
            self.scheduled.append(_Joint(at, "submit_part", party, text=text))
            last = max(last, at)
        self.scheduled.sort(key=lambda j: j.at)
        return last

    def _joint(self, joint: _Joint) -> None:
        c = self.case
        party = joint.party
        who = self.sim.department_staff(self.rng, party.department, False)
        if joint.kind == "report_in":
            if c.status not in (S.DISPATCHED, S.SIGNED, S.HANDLING) or party.reported_in_at is not None:
                return
            party.reported_in_at = self.now
            data = {"department": party.department.name, "role": party.role, "late": joint.late}
            self._event(Action.REPORT_IN, "", who, data=data)
        else:
            if c.status not in (S.SIGNED, S.HANDLING) or party.reported_in_at is None:
                return
            party.part = joint.text
            party.part_submitted_at = self.now
            data = {"department": party.department.name, "role": party.role}
            self._event(Action.SUBMIT_PART, "", who, note=joint.text, data=data)

    def _start(self, note: str = "") -> bool:
        return self._move(Action.START, S.HANDLING, self.handler, note=note)

    def _finish_time(self) -> dt.datetime:
        c = self.case
        due = c.handle_due or self.sim.clock.deadline(self.now, self.leaf.handling_days)
        if self.plan.late:
            return self._daytime(max(due, self.now) + _hours(max(1.0, self.rng.expovariate(1 / 40))), low=due)
        span = (due - self.now).total_seconds()
        if span < 3 * 3600:
            return self.now + _hours(self.rng.uniform(0.5, 3))
        at = self.now + dt.timedelta(seconds=span * self.rng.betavariate(1.3, 2.6))
        return self._daytime(at, low=self.now, high=due)

    def _handle(self) -> bool:
        p = self.plan
        if (p.extend or p.suspend) and self.handler.user is not None:
            if p.extend and not self._ask(RequestKind.EXTEND):
                return False
            if p.suspend and not self._ask(RequestKind.SUSPEND):
                return False
        at = self._finish_time()
        if self.whistle is not None:
            at = max(at, self._schedule_parts() + _hours(self.rng.uniform(1, 8)))
        return self.go(at) and self._finish()

    def _ask(self, kind: str) -> bool:
        """挂起/延期: the handler asks, the office in charge approves; a suspension is resumed later."""
        c = self.case
        requester = self.handler.user
        if requester is None:
            return True  # only an account can file a request
        if not self.go(self.office_after(4.0, high=12)):
            return False
        extend = kind == RequestKind.EXTEND
        days = self.rng.randint(3, 10) if extend else 0
        reason = self.rng.choice(_EXTEND_REASONS if extend else _SUSPEND_REASONS)
        request = CaseRequest(
            case=c, kind=kind, days=days, reason=reason, requested_by=requester, requested_at=self.now
        )
        self.requests.append(request)
        action = Action.REQUEST_EXTEND if extend else Action.REQUEST_SUSPEND
        self._event(action, "", self.handler, note=reason, data={"days": days})
        if not self.go(self.office_after(2.0, high=8)):
            return False
        note = self.rng.choice(_DECISION_NOTES)
        request.status = RequestStatus.APPROVED
        request.decided_by = self.dispatcher.user
        request.decided_at = self.now
        request.decision_note = note
        data = {"kind": kind, "approved": True, "days": days}
        if extend:
            if c.handle_due is not None:
                c.handle_due = self.sim.clock.extend(c.handle_due, days)
                c.is_overdue = self.now > c.handle_due
            self._event(Action.DECIDE_REQUEST, "", self.dispatcher, note=note, data=data)
            return True
        c.suspended_status = c.status
        c.suspended_at = self.now
        if not self._move(Action.DECIDE_REQUEST, S.SUSPENDED, self.dispatcher, note=note, data=data):
            return False
        if not self.plan.resume or not self.go(self.sim.clock.work_after(self.now, self.rng.uniform(16, 120))):
            self.end()
            return False
        paused = self.sim.clock.working_days_between(c.suspended_at, self.now)
        if paused > 0 and c.handle_due is not None:
            c.handle_due = self.sim.clock.extend(c.handle_due, paused)
        target = c.suspended_status or S.HANDLING
        c.suspended_status = ""
        c.suspended_at = None
        return self._move(Action.RESUME, target, self.handler)

    def _finish(self) -> bool:
        c = self.case
        self.scheduled.clear()
        resolution = self.plan.resolution if c.rework_count == 0 else Resolution.SOLVED
        c.result = compose_result(self.rng, self.leaf.code, resolution=resolution)[:2000]
        c.resolution = resolution
        c.handled_at = self.now
        c.handled_on_time = c.handle_due is None or self.now <= c.handle_due
        if not self._move(Action.FINISH, S.HANDLED, self.handler, note=c.result, data={"resolution": resolution}):
            return False
        return self._move(Action.SEND_TO_VERIFY, S.VERIFYING, self.sim.system)

    def _verify(self, fail: bool) -> bool:
        c = self.case
        if not self.go(self.office_after(4.0, low=0.2, high=24)):
            return False
        if fail:
            c.rework_count += 1
            if not self._move(Action.VERIFY_FAIL, S.REWORK, self.verifier, note=compose_rework_reason(self.rng)):
                return False
            return self._rework_round(last=False)
        c.closed_at = self.now
        return self._move(Action.VERIFY_PASS, S.CLOSED, self.verifier, note=self.rng.choice(_VERIFY_NOTES))

    def _rework_round(self, last: bool) -> bool:
        del last
        if not self.go(self.office_after(3.0)) or not self._start(note="已重新安排人员处置。"):
            return False
        if not self.go(self.sim.clock.work_after(self.now, self.rng.uniform(2, 16))) or not self._finish():
            return False
        return self._verify(fail=False)

    def _rate(self, rating: str) -> bool:
        c = self.case
        comment = compose_rating_comment(self.rng, rating)[:200]
        c.rating = rating
        c.rating_comment = comment
        c.rated_at = self.now
        to = S.CLOSED
        if rating == Rating.UNSATISFIED:
            to = S.REWORK
            c.rework_count += 1
            c.closed_at = None
        return self._move(Action.RATE, to, self.sim.resident, note=comment, data={"rating": rating})


# ── the year: when, what, where, by which channel ─────────────────────────────────────────────────

_ROAD_GRID_WEIGHT = {"market": 3.0, "station": 3.0, "hospital": 1.5, "industrial_park": 1.5, "park": 1.0}


class _Year:
    def __init__(self, world: _World, sim: _Sim, rng: random.Random) -> None:
        self.world = world
        self.sim = sim
        self.rng = rng
        self.leaf_codes = sorted(world.leaves)
        base = [LEAF_WEIGHTS.get(c, 3.0) for c in self.leaf_codes]
        # Per month: the leaf mix, and how busy the month is overall.
        self.month_cum: dict[int, list[float]] = {}
        volume: dict[int, float] = {}
        for month in range(1, 13):
            weights = [w * SEASONS.get(c, (1.0,) * 12)[month - 1] for c, w in zip(self.leaf_codes, base, strict=True)]
            self.month_cum[month] = _cumulative(weights)
            volume[month] = sum(weights)
        mean_volume = sum(volume.values()) / 12
        end = sim.as_of.astimezone(LOCAL).date()
        self.days = [end - dt.timedelta(days=i) for i in range(365, 0, -1)]
        self.day_cum = _cumulative([self._day_weight(d) * volume[d.month] / mean_volume for d in self.days])
        residential = [g.residents or 40 * len(g.buildings) for g in world.grids]
        if not any(residential):
            residential = [1] * len(world.grids)
        self.home_cum = _cumulative(residential)
        self.road_cum = _cumulative(
            [
                (2.0 if g.buildings else 1.0)
                * (_ROAD_GRID_WEIGHT.get(g.region.dedicated_type, 0.7) if g.region.grid_kind == "dedicated" else 1.0)
                for g in world.grids
            ]
        )
        self.hours_cum = {str(channel): _cumulative(weights) for channel, weights in _HOURS.items()}
        self.channel_cum: dict[tuple[bool, bool], list[float]] = {}
        for seen in (True, False):
            for workday in (True, False):
                weights = list(_CHANNEL_WEIGHTS["seen" if seen else "appeal"])
                if not workday:
                    weights[1] *= 0.35  # fewer patrols at weekends
                    weights[4] *= 0.1  # the community office is closed
                self.channel_cum[(seen, workday)] = _cumulative(weights)
        self.mobiles = identities.Mobiles(rng)
        self.numbers: set[str] = set()
        self.keys: set[str] = set()

    def _day_weight(self, day: dt.date) -> float:
        weight = (1.0, 1.02, 1.0, 0.98, 0.95, 0.78, 0.62)[day.weekday()]
        try:
            holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            holiday, name = day.weekday() >= 5, None
        if holiday and name is not None:
            weight = 0.42 if name == chinese_calendar.Holiday.spring_festival.value else 0.58
        elif not holiday and day.weekday() >= 5:
            weight = 0.95  # a make-up working Saturday or Sunday (调休)
        return weight

    def moment(self, channel: str, day: dt.date) -> dt.datetime:
        hour = _pick(self.rng, self.hours_cum[channel])
        local = dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL)
        return local + dt.timedelta(seconds=self.rng.randrange(3600))

    def day(self) -> dt.date:
        return self.days[_pick(self.rng, self.day_cum)]

    def leaf(self, month: int) -> _Leaf:
        return self.world.leaves[self.leaf_codes[_pick(self.rng, self.month_cum[month])]]

    def grid(self, leaf: _Leaf) -> _Grid:
        cum = self.road_cum if leaf.locus == "road" else self.home_cum
        return self.world.grids[_pick(self.rng, cum)]

    def channel(self, leaf: _Leaf, day: dt.date) -> str:
        return CHANNELS[_pick(self.rng, self.channel_cum[(leaf.seen, self.sim.clock.is_workday(day))])]

    def point_in(self, grid: _Grid) -> tuple[float, float]:
        x0, y0, x1, y1 = grid.bounds
        for _attempt in range(200):
            x, y = self.rng.uniform(x0, x1), self.rng.uniform(y0, y1)
            if shapely.contains_xy(grid.geometry, x, y):
                return round(x, 7), round(y, 7)
        p = grid.geometry.representative_point()
        return round(p.x, 7), round(p.y, 7)

    def place(self, grid: _Grid, leaf: _Leaf) -> tuple[Place, float, float]:
        building = self.rng.choice(grid.buildings) if grid.buildings and leaf.locus != "road" else None
        if building is not None and leaf.locus in ("home", "area"):
            lon, lat = building.lon, building.lat
        elif building is not None:
            lon = round(building.lon + self.rng.uniform(-0.0004, 0.0004), 7)
            lat = round(building.lat + self.rng.uniform(-0.0003, 0.0003), 7)
            if not shapely.contains_xy(grid.geometry, lon, lat):
                lon, lat = building.lon, building.lat
        else:
            lon, lat = self.point_in(grid)
        compound = building.compound.name if building is not None and building.compound is not None else ""
        if not compound and self.world.compounds.get(grid.community.pk):
            compound = self.rng.choice(self.world.compounds[grid.community.pk])
        landmark = ""
        if grid.landmark and self.rng.random() < 0.7:
            landmark = grid.landmark + self.rng.choice(("门口", "附近", "东侧", "西门外", "对面", "北门"))
        place = Place(
            street=grid.street.name,
            community=grid.community.name,
            compound=compound,
            building=building.name if building is not None else "",
            road=self.rng.choice(self.world.roads.get(grid.community.code) or ["环城路"]),
            landmark=landmark,
            district=self.world.district.name,
        )
        return place, lon, lat

    def number(self, at: dt.datetime) -> str:
        while True:
            number = f"{at.astimezone(LOCAL):%y%m%d}{self.rng.randrange(10**8):08d}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def key(self, prefix: str = "") -> str:
        while True:
            key = prefix + f"{self.rng.getrandbits(64):016x}"
            if key not in self.keys:
                self.keys.add(key)
                return key

    def person(self) -> str:
        male = self.rng.random() < 0.5
        return identities.surname(self.rng) + identities.given_name(self.rng, male, self.rng.randint(1950, 2002))

    def plan(self, leaf: _Leaf, channel: str) -> _Plan:
        r = self.rng.random
        p = _Plan()
        if channel == Channel.PATROL and r() < _ON_SPOT.get(leaf.level, 0.05):
            p.on_spot = True
            return p
        p.reject = channel in (Channel.H5, Channel.HOTLINE, Channel.API) and r() < 0.02
        p.whistle = leaf.code in WHISTLE_LEAVES and leaf.department is not None and r() < 0.1
        p.to_grid = leaf.level == HandlingLevel.GRID and not p.whistle
        p.return_first = r() < (0.08 if p.to_grid else 0.04) and not p.whistle
        p.late_sign = r() < 0.06
        p.late = r() < 0.065
        demo_dept = leaf.department is not None and leaf.department.short_name == DEMO_DEPARTMENT
        p.handler_demo = demo_dept and not p.to_grid and "dept" in self.world.users and r() < 0.35
        p.extend = p.handler_demo and r() < 0.06
        # A suspended joint case would hold up the summoned departments: those are extended instead.
        p.suspend = p.handler_demo and not p.extend and not p.whistle and r() < 0.03
        p.verify_fail = r() < 0.05
        p.resolution = _RESOLUTIONS[_pick(self.rng, _RESOLUTION_CUM)]
        if channel in (Channel.H5, Channel.HOTLINE) and r() < 0.85:
            first = _RATINGS[_pick(self.rng, _FIRST_RATING_CUM)]
            p.ratings = [first]
            if first == Rating.UNSATISFIED and r() < 0.6:
                p.ratings.append(_RATINGS[_pick(self.rng, _SECOND_RATING_CUM)])
        return p

    def life(
        self,
        *,
        leaf: _Leaf,
        grid: _Grid,
        channel: str,
        created: dt.datetime,
        plan: _Plan,
        with_category: bool | None = None,
        duplicate: _Life | None = None,
        where: tuple[Place, float, float] | None = None,
    ) -> _Life:
        rng = self.rng
        place, lon, lat = where or self.place(grid, leaf)
        text = compose(rng, leaf.code, place, channel=channel)
        for _attempt in range(6):
            # A patrol that fixed it on the spot does not write "reported, waiting for someone".
            if not plan.on_spot or not any(w in text.detail for w in _WAITING):
                break
            text = compose(rng, leaf.code, place, channel=channel)
        if with_category is None:
            with_category = {Channel.H5: rng.random() < 0.5, Channel.HOTLINE: rng.random() < 0.85}.get(
                Channel(channel), True
            )
        category = leaf.category if with_category or plan.on_spot else None
        route = routing.Route(routing.owner_for(HandlingLevel.STREET, grid.region.code), None, "")
        if category is not None:
            route = routing.Route(routing.owner_for(leaf.level, grid.region.code), None, "")
        suggested_department = (
            leaf.department if category is not None and leaf.level == HandlingLevel.DEPARTMENT else None
        )
        reporter = self.sim.resident
        user: User | None = None
        name = phone = ""
        anonymous = False
        source = client_key = ""
        if channel == Channel.H5:
            anonymous = rng.random() < 0.12
            if not anonymous:
                name = self.person() if rng.random() < 0.45 else ""
                phone = self.mobiles.make() if rng.random() < 0.75 else ""
            client_key = self.key()
        elif channel == Channel.HOTLINE:
            # Hotline tickets come in through the street's import of the 12345 work orders.
            street = grid.street
            reporter = rng.choice(self.sim.staff(street.code, street.name, 3))
            name = self.person() if rng.random() < 0.85 else ""
            phone = self.mobiles.make() if rng.random() < 0.95 else ""
            source = "hotline"
            client_key = self.key("12345-")
        elif channel == Channel.PATROL:
            reporter = self.sim.grid_worker(grid.region.code)
            user = reporter.user
            client_key = self.key()
        elif channel == Channel.STAFF:
            reporter = self.sim.dispatcher(rng, grid.community.code)
            user = reporter.user
            name = self.person() if rng.random() < 0.7 else ""
            phone = self.mobiles.make() if rng.random() < 0.6 else ""
        else:
            source = "数字城管"
            client_key = self.key("szcg-")
        sealed = pii.seal_phone(phone) if phone else None
        case = Case(
            number=self.number(created),
            token_digest="",
            channel=channel,
            source=source,
            client_key=client_key,
            category=category,
            suggestions=[],
            suggested_department=suggested_department,
            duplicate_candidate=duplicate.case if duplicate is not None else None,
            title=text.title[:100],
            description=text.detail,
            attributes=dict(text.attributes),
            address=text.address[:200],
            lon=lon,
            lat=lat,
            region_code=grid.region.code,
            status=S.PENDING,
            owner_code=route.owner_code,
            reporter=user,
            anonymous=anonymous,
            reporter_name_masked=pii.mask_name(name)[:20] if name else "",
            reporter_phone_ciphertext=sealed.ciphertext if sealed else "",
            reporter_phone_digest=sealed.digest if sealed else "",
            reporter_phone_masked=sealed.masked if sealed else "",
            created_at=created,
        )
        life = _Life(self.sim, rng, case, leaf, plan, reporter)
        life.duplicate = duplicate
        return life


_RESOLUTIONS = (Resolution.SOLVED, Resolution.EXPLAINED, Resolution.UNSOLVABLE)
_RATINGS = (Rating.SATISFIED, Rating.BASIC, Rating.UNSATISFIED)


def _cumulative(weights: Sequence[float]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += max(float(w), 0.0)
        out.append(total)
    return out


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


_RESOLUTION_CUM = _cumulative((84, 13, 3))
_FIRST_RATING_CUM = _cumulative((80, 12, 8))  # 满意, 基本满意, 不满意
_SECOND_RATING_CUM = _cumulative((55, 35, 10))  # after the rework


# ── the showcase: recent open cases where the demo accounts work ──────────────────────────────────

# (state to leave it in, leaf, where: the demo grid or elsewhere in the demo street, channel, plan).
_SHOWCASE: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    (S.PENDING, "SJ0101", "grid", Channel.H5, {}),
    (S.PENDING, "MS0101", "grid", Channel.H5, {"with_category": False}),
    (S.PENDING, "SJ0403", "street", Channel.HOTLINE, {}),
    (S.REGISTERED, "BJ0302", "grid", Channel.HOTLINE, {}),
    (S.REGISTERED, "BJ0103", "street", Channel.H5, {}),
    (S.DISPATCHED, "BJ0103", "street", Channel.HOTLINE, {"handler_demo": True}),
    (S.DISPATCHED, "SJ0404", "grid", Channel.API, {}),
    (S.SIGNED, "SJ0401", "street", Channel.HOTLINE, {"handler_demo": True}),
    (S.SIGNED, "SJ0102", "grid", Channel.H5, {}),
    (S.HANDLING, "BJ0401", "street", Channel.H5, {"handler_demo": True}),
    (S.HANDLING, "SJ0201", "grid", Channel.PATROL, {}),
    (S.HANDLING, "BJ0204", "street", Channel.HOTLINE, {"handler_demo": True, "late": True, "age": 300.0}),
    (S.HANDLING, "SJ0401", "street", Channel.HOTLINE, {"whistle": True, "handler_demo": True}),
    (S.RETURNED, "BJ0204", "street", Channel.H5, {"return_first": True, "handler_demo": True}),
    (S.RETURNED, "SJ0101", "grid", Channel.HOTLINE, {"return_first": True}),
    (S.VERIFYING, "SJ0102", "grid", Channel.HOTLINE, {}),
    (S.VERIFYING, "BJ0402", "grid", Channel.H5, {"handler_demo": True}),
    (S.REWORK, "SJ0405", "street", Channel.HOTLINE, {"verify_fail": True, "handler_demo": True}),
    (S.REWORK, "SJ0201", "grid", Channel.H5, {"verify_fail": True}),
    (S.SUSPENDED, "SJ0103", "street", Channel.HOTLINE, {"suspend": True, "resume": False, "handler_demo": True}),
    (S.SUSPENDED, "BJ0303", "street", Channel.H5, {"suspend": True, "resume": False, "handler_demo": True}),
)
# How long before the cut a showcase case is reported (hours), before retries move it earlier.
_SHOWCASE_AGE: dict[str, tuple[float, float]] = {
    S.PENDING: (1, 14),
    S.REGISTERED: (8, 30),
    S.DISPATCHED: (10, 40),
    S.SIGNED: (20, 60),
    S.RETURNED: (20, 60),
    S.HANDLING: (30, 90),
    S.VERIFYING: (48, 120),
    S.REWORK: (72, 160),
    S.SUSPENDED: (96, 200),
}


def _showcase_grids(world: _World) -> dict[str, _Grid]:
    grid = world.by_code.get(world.demo.get("grid", ""))
    street = world.demo.get("street", "")
    community = world.demo.get("community", "")
    if grid is None or not street:
        return {}
    elsewhere = [g for g in world.grids if g.region.code.startswith(street) and not g.region.code.startswith(community)]
    with_homes = [g for g in elsewhere if g.buildings] or elsewhere or [grid]
    return {"grid": grid, "street": with_homes[0]}


def _showcase(year: _Year) -> list[_Life]:
    grids = _showcase_grids(year.world)
    if not grids:
        return []
    rng = year.rng
    out: list[_Life] = []
    for state, code, where, channel, options in _SHOWCASE:
        leaf = year.world.leaves.get(code)
        if leaf is None or (options.get("handler_demo") and "dept" not in year.world.users):
            continue
        low, high = _SHOWCASE_AGE[state]
        age = float(options.get("age") or rng.uniform(low, high))
        life: _Life | None = None
        for _attempt in range(8):
            plan = _Plan(stop=state, to_grid=leaf.level == HandlingLevel.GRID and not options.get("whistle"))
            for key in ("return_first", "handler_demo", "late", "verify_fail", "whistle", "suspend", "resume"):
                if key in options:
                    setattr(plan, key, options[key])
            created = year.sim.as_of - _hours(age)
            life = year.life(
                leaf=leaf,
                grid=grids[where],
                channel=channel,
                created=created,
                plan=plan,
                with_category=options.get("with_category", True),
            )
            life.run()
            if life.case.status == state:
                break
            age *= 1.6
        if life is not None:
            out.append(life)
    return out


def _duplicates(year: _Year, lives: list[_Life], wanted: int) -> list[_Life]:
    """Second reports of a problem already being handled, merged into the first by the office."""
    rng = year.rng
    as_of = year.sim.as_of
    out: list[_Life] = []
    for _attempt in range(wanted * 20):
        if len(out) >= wanted or not lives:
            break
        target = rng.choice(lives)
        if target.plan.on_spot or target.case.category is None:
            continue
        created = target.case.created_at + _hours(rng.uniform(1, 72))
        if created >= as_of or target.status_at(created) not in _OPEN - {S.PENDING}:
            continue
        grid = year.world.by_code[target.case.region_code]
        place, _lon, _lat = year.place(grid, target.leaf)
        lon = round((target.case.lon or 0) + rng.uniform(-0.0005, 0.0005), 7)
        lat = round((target.case.lat or 0) + rng.uniform(-0.0004, 0.0004), 7)
        if not shapely.contains_xy(grid.geometry, lon, lat):
            lon, lat = target.case.lon or lon, target.case.lat or lat
        channel = rng.choice((Channel.H5, Channel.HOTLINE))
        local = created.astimezone(LOCAL)
        if not 7 <= local.hour < 23:
            created = dt.datetime.combine(local.date(), dt.time(9), tzinfo=LOCAL) + _hours(rng.uniform(0, 12))
            if created <= target.case.created_at or created >= as_of:
                continue
        life = year.life(
            leaf=target.leaf,
            grid=grid,
            channel=channel,
            created=created,
            plan=_Plan(),
            with_category=True,
            duplicate=target,
            where=(place, lon, lat),
        )
        life.run()
        out.append(life)
    return out


def _generate(year: _Year, count: int, progress: Progress) -> tuple[list[_Life], list[_Life]]:
    rng = year.rng
    shows = _showcase(year) if count >= 100 else []
    wanted_dups = count // 100
    lives: list[_Life] = []

    def one() -> None:
        day = year.day()
        leaf = year.leaf(day.month)
        channel = year.channel(leaf, day)
        grid = year.grid(leaf)
        created = year.moment(channel, day)
        life = year.life(leaf=leaf, grid=grid, channel=channel, created=created, plan=year.plan(leaf, channel))
        life.run()
        lives.append(life)

    for i in range(max(count - len(shows) - wanted_dups, 0)):
        one()
        if (i + 1) % 5000 == 0:
            progress(f"cases lived through: {i + 1}")
    dups = _duplicates(year, lives, wanted_dups)
    while len(lives) + len(shows) + len(dups) < count:
        one()
    del rng
    return lives + shows, dups


# ── writing it down ───────────────────────────────────────────────────────────────────────────────


def _insert(model: type[models.Model], rows: Iterable[Sequence[Any]], fields: Sequence[str]) -> int:
    """INSERT through the cursor in large batches: the ORM's per-value compiling would dominate the seed."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    ops = connection.ops
    prepare: list[Callable[[Any], Any] | None] = []
    sqlite = connection.vendor == "sqlite"
    zone = connection.timezone
    for column in columns:
        if isinstance(column, models.DateTimeField):
            # What the SQLite backend's adapter does, without its checks on every value.
            fast: Callable[[Any], Any] = lambda v: None if v is None else str(v.astimezone(zone).replace(tzinfo=None))  # noqa: E731
            prepare.append(fast if sqlite else ops.adapt_datetimefield_value)
        elif isinstance(column, models.JSONField):
            prepare.append(json.dumps if sqlite else _json_adapter(column))
        else:
            prepare.append(None)
    quote = ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values as parameters
        quote(meta.db_table),
        ", ".join(quote(str(getattr(c, "column", ""))) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    done = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(v if p is None else p(v) for p, v in zip(prepare, row, strict=True)))
            if len(batch) >= 5 * BATCH:
                cursor.executemany(sql, batch)
                done += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            done += len(batch)
    return done


def _json_adapter(column: models.JSONField[Any]) -> Callable[[Any], Any]:
    def adapt(value: Any) -> Any:
        return column.get_db_prep_save(value, connection)

    return adapt


_CASE_FIELDS = tuple(f.attname for f in Case._meta.concrete_fields if not f.primary_key)
_EVENT_FIELDS = (
    "case_id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "from_status",
    "to_status",
    "note",
    "data",
)


def _write(firsts: list[_Life], dups: list[_Life]) -> int:
    """Cases (the merged duplicates after what they point at), then timelines, whistles and requests."""
    firsts.sort(key=lambda life: (life.case.created_at, life.case.number))
    dups.sort(key=lambda life: (life.case.created_at, life.case.number))
    for batch in (firsts, dups):
        for life in batch:
            c = life.case
            c.token_digest = token_digest(secrets.token_urlsafe(16))
            if life.duplicate is not None:
                c.duplicate_candidate_id = c.duplicate_of_id = life.duplicate.case.pk
            if c.status != S.MERGED:
                c.duplicate_of_id = None
        _insert(Case, ([getattr(life.case, name) for name in _CASE_FIELDS] for life in batch), _CASE_FIELDS)
        ids = dict(Case.objects.values_list("number", "pk").iterator(chunk_size=5000))
        for life in batch:
            life.case.pk = ids[life.case.number]
            life.case._state.adding = False
    rows = (
        (life.case.pk, e.at, e.who.user.pk if e.who.user else None, e.who.label[:60], e.action, e.from_status,
         e.to_status, e.note, e.data)
        for life in firsts + dups
        for e in sorted(life.events, key=lambda e: e.at)
    )  # fmt: skip
    events = _insert(CaseEvent, rows, _EVENT_FIELDS)
    whistles = [life for life in firsts if life.whistle is not None]
    Whistle.objects.bulk_create([life.whistle for life in whistles if life.whistle is not None])
    parties = [party for life in whistles for party in life.parties]
    WhistleParty.objects.bulk_create(parties, batch_size=BATCH)
    requests = [request for life in firsts for request in life.requests]
    CaseRequest.objects.bulk_create(requests, batch_size=BATCH)
    return events


# ── the inbox badge, the classifier, the resident's ticket ────────────────────────────────────────


def _last_event_times(case_ids: list[int]) -> dict[int, dt.datetime]:
    out: dict[int, dt.datetime] = {}
    for case_id, at in CaseEvent.objects.filter(case_id__in=case_ids).values_list("case_id", "occurred_at"):
        if case_id not in out or at > out[case_id]:
            out[case_id] = at
    return out


def _notify_demo_accounts(world: _World, as_of: dt.datetime) -> int:
    """Unread rows for the demo accounts about their newest work, as the actions would have sent them."""
    users = world.users
    demo = world.demo
    recent = Case.objects.filter(created_at__gte=as_of - dt.timedelta(days=30)).order_by("-created_at", "-id")
    wanted: list[tuple[str, Case, str, str]] = []

    def add(username: str, cases: Any, kind: str, message: Callable[[Case], str], limit: int = 3) -> None:
        if username in users:
            wanted.extend((username, c, kind, message(c)) for c in cases[:limit])

    def new_case(c: Case) -> str:
        return _("New case %(n)s: %(t)s") % {"n": c.number, "t": c.title}

    if "community" in demo:
        mine = recent.filter(owner_code=demo["community"], status=S.PENDING)
        add("community", mine, "new_case", new_case)
        add("secretary", mine, "new_case", new_case, limit=2)
        returned = recent.filter(owner_code=demo["community"], status=S.RETURNED)
        add("community", returned, "returned", lambda c: _("Case %(n)s was returned.") % {"n": c.number}, 1)
    if "street" in demo:
        add("street", recent.filter(owner_code=demo["street"], status=S.PENDING), "new_case", new_case)
        returned = recent.filter(owner_code=demo["street"], status=S.RETURNED)
        add("street", returned, "returned", lambda c: _("Case %(n)s was returned.") % {"n": c.number}, 1)
    department = world.departments.get(DEMO_DEPARTMENT)
    if department is not None:
        add("dept", recent.filter(department=department, status=S.DISPATCHED), "dispatched", new_case)
        whistled = recent.filter(whistle__parties__department=department, status__in=_OPEN).distinct()
        add("dept", whistled, "whistle", lambda c: _("Whistle: report in on case %(n)s.") % {"n": c.number}, 1)
        rework = recent.filter(department=department, status=S.REWORK)
        add("dept", rework, "rework", lambda c: _("Case %(n)s needs rework.") % {"n": c.number}, 1)
    if "grid" in demo:
        verify = recent.filter(region_code=demo["grid"], status=S.VERIFYING)
        add("grid", verify, "verify", lambda c: _("Please verify case %(n)s on site.") % {"n": c.number}, 2)
        given = recent.filter(assignee_code=demo["grid"], status=S.DISPATCHED)
        add("grid", given, "dispatched", new_case, 2)
    escalated = recent.filter(status__in=_OPEN, escalation_step__gte=3).order_by("-handle_due")
    add(
        "leader",
        escalated,
        "escalation",
        lambda c: _("Overdue case %(n)s escalated (step %(s)d).") % {"n": c.number, "s": c.escalation_step},
    )
    rows = [
        Notification(user=users[username], case=case, kind=kind, message=message[:300])
        for username, case, kind, message in wanted
    ]
    Notification.objects.bulk_create(rows)
    # Dated when the step that sent them happened, not when the demo was seeded.
    times = _last_event_times([r.case_id for r in rows if r.case_id is not None])
    for row in rows:
        if row.case_id in times:
            Notification.objects.filter(pk=row.pk).update(created_at=times[row.case_id])
    return len(rows)


TRAIN_PER_LABEL = 150  # the seeded texts are regular: more examples add seconds, not accuracy
HOLDOUT_MAX = 3000


def _train_from_closed(folds: int, progress: Progress) -> tuple[int, dict[str, Any]]:
    """The demo's classifier, trained on what its own offices decided for closed cases (leaf codes).

    Every fifth closed case of a category is held out to score it; of the others at most TRAIN_PER_LABEL,
    spread over the year, train it, so the seed stays quick (with `folds`: a cross-validation instead).
    """
    from gongzhi.cases import classifier
    from gongzhi.cases.actions.common import SYSTEM
    from gongzhi.cases.actions.config import do_store_classifier
    from gongzhi.cases.management.commands.train_classifier import category_glossary, closed_cases, cross_validate

    texts, labels = closed_cases("leaf")
    if len(set(labels)) < 2:
        return 0, {}
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        by_label[label].append(i)
    train_idx: list[int] = []
    rest: list[int] = []
    for rows in by_label.values():
        # Every fifth case of a category is held out to score the model; the others train it, up to the cap.
        held = rows[4::5] if len(rows) >= 5 else []
        held_set = set(held)
        pool = [i for i in rows if i not in held_set]
        step = max(1.0, len(pool) / TRAIN_PER_LABEL)
        chosen = {pool[int(k * step)] for k in range(min(len(pool), TRAIN_PER_LABEL))}
        train_idx += chosen
        rest += held + [i for i in pool if i not in chosen]
    train_idx.sort()
    rest.sort()
    x = [texts[i] for i in train_idx]
    y = [labels[i] for i in train_idx]
    glossary = category_glossary("leaf")
    model = classifier.train(x, y, glossary=glossary)
    if folds > 1:
        metrics = cross_validate(x, y, folds, glossary)
    elif rest:
        held = rest[:: max(1, len(rest) // HOLDOUT_MAX)][:HOLDOUT_MAX]
        scores = classifier.evaluate(model, [texts[i] for i in held], [labels[i] for i in held])
        metrics = {"method": "held-out closed cases", **scores}
    else:
        metrics = {}
    progress(f"classifier: {len(x)} examples, {metrics}")
    do_store_classifier(actor=SYSTEM, source=CLASSIFIER_SOURCE, model=model, n_samples=len(x), metrics=metrics)
    routing.forget_cached()
    return len(x), metrics


def _suggest_for_pending() -> int:
    """What the dispatcher sees on a new report: the classifier's guesses and the department they imply."""
    leaves = {c.code: c for c in Category.objects.filter(depth=3)}
    changed: list[Case] = []
    for case in Case.objects.filter(status=S.PENDING).select_related("category"):
        suggestions = routing.suggest(case.title, case.description)
        if not suggestions:
            continue
        suggested = leaves.get(suggestions[0][0])
        case.suggestions = [[code, p] for code, p in suggestions]
        case.suggested_category = suggested
        case.suggestion_confidence = suggestions[0][1]
        effective = case.category or suggested
        case.suggested_department_id = routing.route(effective, case.region_code).department_id
        changed.append(case)
    Case.objects.bulk_update(
        changed, ["suggestions", "suggested_category", "suggestion_confidence", "suggested_department"], batch_size=500
    )
    return len(changed)


@transaction.atomic
def do_issue_demo_ticket() -> tuple[str, str] | None:
    """A fresh status-page token for the newest closed, unrated resident case, to try the resident's side.

    Only digests of tokens are stored, so the demo re-issues one each time it prints it.
    """
    case = (
        Case.objects.select_for_update()
        .filter(status=S.CLOSED, rating="", closed_on_spot=False, channel=Channel.H5)
        .order_by("-closed_at", "-id")
        .first()
    )
    if case is None:
        return None
    token = secrets.token_urlsafe(16)
    case.token_digest = token_digest(token)
    case.save(update_fields=["token_digest"])
    audit.record(actor=None, action="demo.ticket", obj=case, object_repr=case.number, changes={"number": case.number})
    return case.number, token


def clear_cases() -> None:
    """Empties the case tables (for seed --replace): departments and users cannot go while cases point at them."""
    Case.objects.exclude(duplicate_of=None, duplicate_candidate=None).update(
        duplicate_of=None, duplicate_candidate=None
    )
    Notification.objects.all().delete()
    Case.objects.all().delete()
    ClassifierModel.objects.filter(source=CLASSIFIER_SOURCE).delete()


def cases_sha256() -> str:
    """A digest of the cases as seeded: ticket, category, grid, state and time of each."""
    digest = hashlib.sha256()
    rows = Case.objects.order_by("number").values_list(
        "number", "category__code", "region_code", "status", "created_at"
    )
    for number, code, region, status, created in rows.iterator(chunk_size=5000):
        digest.update(f"{number}|{code or ''}|{region}|{status}|{created.isoformat()}\n".encode())
    return digest.hexdigest()


# ── the step `gongzhi seed --size demo` runs ──────────────────────────────────────────────────────


@transaction.atomic
def do_seed_cases(
    *,
    seed: int,
    count: int = DEFAULT_COUNT,
    today: dt.date | None = None,
    progress: Progress = _quiet,
    folds: int = 0,
    train: bool = True,
) -> CaseCounts:
    """A year of cases up to the start of `today` (local), their timelines, and the classifier they train."""
    started = time.perf_counter()
    today = today or dt.datetime.now(LOCAL).date()
    as_of = dt.datetime.combine(today, dt.time(0), tzinfo=LOCAL)
    do_load_default_taxonomy(actor=SYSTEM)
    do_load_default_duty_lists(actor=SYSTEM)
    routing.forget_cached()
    world = _load_world(seed)
    if not world.departments or not world.grids:
        raise ValueError("the demo cases need the city's grids and departments: seed them first")
    clock = _Clock(dict(WorkCalendarDay.objects.values_list("date", "is_workday")))
    sim = _Sim(world, seed, as_of, clock)
    rng = random.Random(f"gongzhi-cases-{seed}-{today.isoformat()}")
    year = _Year(world, sim, rng)
    # Hundreds of thousands of small objects that live until written: the cyclic collector would
    # rescan them all again and again and make this step quadratic.
    gc.disable()
    try:
        firsts, dups = _generate(year, count, progress)
    finally:
        gc.enable()
    progress(f"cases lived through: {len(firsts) + len(dups)}")
    events = _write(firsts, dups)
    progress(f"cases: {len(firsts) + len(dups)}, timeline rows: {events}")
    lives = firsts + dups
    by_status = Counter(life.case.status for life in lives)
    by_channel = Counter(life.case.channel for life in lives)
    overdue = sum(1 for life in lives if life.case.is_overdue)
    open_count = sum(n for status, n in by_status.items() if status in _OPEN)
    whistles = sum(1 for life in firsts if life.whistle is not None)
    notifications = _notify_demo_accounts(world, as_of)
    samples, suggested = 0, 0
    metrics: dict[str, Any] = {}
    if train:
        samples, metrics = _train_from_closed(folds, progress)
        progress(f"classifier trained on {samples} closed cases")
        suggested = _suggest_for_pending()
    ticket = do_issue_demo_ticket()
    audit.record(
        actor=None,
        action="demo.seed_cases",
        changes={
            "seed": seed,
            "until": as_of.isoformat(),
            "cases": len(lives),
            "events": events,
            "status": dict(sorted(by_status.items())),
            "channel": dict(sorted(by_channel.items())),
            "overdue": overdue,
            "whistles": whistles,
            "notifications": notifications,
            "classifier_samples": samples,
            "suggested": suggested,
        },
    )
    return CaseCounts(
        cases=len(lives),
        events=events,
        open=open_count,
        overdue=overdue,
        whistles=whistles,
        notifications=notifications,
        classifier_samples=samples,
        classifier_metrics=metrics,
        ticket=ticket[0] if ticket else "",
        token=ticket[1] if ticket else "",
        seconds=round(time.perf_counter() - started, 2),
    )
