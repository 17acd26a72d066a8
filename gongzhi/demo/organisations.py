"""The demo city's departments, units, party organisations and party members.

The party tree mirrors the jurisdiction tree (街道党工委 → 社区党委/党总支 → 网格党支部 → 楼栋党小组 →
党员中心户). About 5,000 members: seven in ten are resident members in their home grid's branch or
building group; three in ten are in-service members (在职党员) who registered with a community — most
in their own street, some in another — working for one of the demo units.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gongzhi.core import pii
from gongzhi.demo import identities, names
from gongzhi.people.models import Department, MemberKind, PartyMember, PartyOrganization, PartyOrgKind, Unit, UnitType
from gongzhi.regions.models import Building, GridKind, Level, Region

if TYPE_CHECKING:
    from gongzhi.demo.people import Resident

BATCH = 2000
TARGET_MEMBERS = 5_000
IN_SERVICE_SHARE = 0.3
TARGET_UNITS = 300

# 职能部门 of a district: (short name, full name); {d} is the district's name, {s} its stem (栖霞).
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("城管局", "南京市{d}城市管理局"),
    ("住建局", "南京市{d}住房和城乡建设局"),
    ("市场监管局", "南京市{d}市场监督管理局"),
    ("生态环境局", "南京市{s}生态环境局"),
    ("公安分局", "南京市公安局{s}分局"),
    ("民政局", "南京市{d}民政局"),
    ("卫健委", "南京市{d}卫生健康委员会"),
    ("教育局", "南京市{d}教育局"),
    ("交通局", "南京市{d}交通运输局"),
    ("水务局", "南京市{d}水务局"),
    ("应急管理局", "南京市{d}应急管理局"),
    ("人社局", "南京市{d}人力资源和社会保障局"),
    ("司法局", "南京市{d}司法局"),
    ("文旅局", "南京市{d}文化和旅游局"),
    ("农业农村局", "南京市{d}农业农村局"),
    ("消防救援大队", "南京市{d}消防救援大队"),
    ("自然资源分局", "南京市规划和自然资源局{s}分局"),
    ("房产局", "南京市{d}房产局"),
    ("信访局", "南京市{d}信访局"),
    ("网格化服务管理中心", "南京市{d}网格化服务管理中心"),
)


def seed_departments(rng: random.Random) -> int:
    rows = []
    for district in Region.objects.filter(level=Level.DISTRICT).order_by("code"):
        stem = names.district_stem(district.name)
        for i, (short, template) in enumerate(DEPARTMENTS, start=1):
            rows.append(
                Department(
                    region=district,
                    code=f"{district.code}-{i:02d}",
                    name=template.format(d=district.name, s=stem),
                    short_name=short,
                    phone=f"025-8{rng.randrange(10_000_000):07d}",  # an office line, not personal data
                )
            )
    Department.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


# ── units ─────────────────────────────────────────────────────────────────────────────────────────


def _each(template: str, items: str) -> tuple[str, ...]:
    return tuple(template.replace("{x}", x) for x in items.split())


# (type, GB 32100 prefix, weight, name templates with {stem} = the community's stem, {d} = the district).
_UNIT_KINDS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    (
        UnitType.PRIVATE_ENTERPRISE,
        "91",
        38,
        _each(
            "南京{stem}{x}有限公司",
            "科技 物业管理 商贸 建筑工程 餐饮管理 物流 医药连锁 环保科技 信息技术 文化传媒 家政服务",
        ),
    ),
    (UnitType.PRIVATE_ENTERPRISE, "92", 8, _each("{d}{stem}{x}", "便利店 生鲜超市 大药房 面馆 理发店 五金店 洗衣店")),
    (UnitType.PRIVATE_ENTERPRISE, "93", 3, _each("南京{stem}{x}专业合作社", "蔬菜种植 茶叶 苗木 水产养殖")),
    (
        UnitType.STATE_ENTERPRISE,
        "91",
        9,
        (
            "国网南京供电公司{stem}供电所",
            "中国移动南京分公司{stem}营业厅",
            "中国邮政南京市{stem}邮政支局",
            "南京公交集团{stem}站务中心",
            "南京水务集团{stem}营业所",
            "中国石化南京{stem}加油站",
        ),
    ),
    (UnitType.GOVERNMENT, "11", 4, ("南京市公安局{s}分局{stem}派出所", "{d}{stem}市场监管所", "{d}{stem}司法所")),
    (UnitType.INSTITUTION, "12", 6, ("{d}{stem}文化站", "{d}{stem}综合文化服务中心", "{d}{stem}养老服务中心")),
    (UnitType.SCHOOL, "12", 8, _each("南京市{stem}{x}", "小学 幼儿园 中学 实验小学")),
    (UnitType.HOSPITAL, "12", 5, ("{d}{stem}社区卫生服务站", "{stem}卫生院")),
    (UnitType.SOCIAL_ORGANISATION, "51", 4, _each("{d}{stem}{x}", "志愿者协会 老年协会 书画协会")),
    (UnitType.SOCIAL_ORGANISATION, "52", 5, _each("南京{stem}{x}", "社会工作服务中心 居家养老服务中心 青少年成长中心")),
    (UnitType.SOCIAL_ORGANISATION, "81", 2, ("{stem}社区工会联合会",)),  # 8x: registered by the trade unions
    (UnitType.OTHER, "N2", 4, ("{stem}股份经济合作社", "{stem}村集体经济合作社")),  # N: agriculture authorities
    (UnitType.OTHER, "Y1", 3, ("{stem}业主委员会",)),  # Y: other registration authorities
)
_UNIT_WEIGHTS = tuple(k[2] for k in _UNIT_KINDS)


def seed_units(rng: random.Random, target: int = TARGET_UNITS) -> list[Unit]:
    communities = list(Region.objects.filter(level=Level.COMMUNITY).select_related("parent__parent").order_by("code"))
    if not communities:
        return []
    codes = identities.CreditCodes(rng)
    mobiles = identities.Mobiles(rng)
    used: set[tuple[int, str]] = set()
    units: list[Unit] = []
    # A tiny city runs out of distinct names before the target: stop trying after a while.
    for _ in range(target * 20):
        if len(units) >= target:
            break
        community = rng.choice(communities)
        unit_type, prefix, _, templates = rng.choices(_UNIT_KINDS, weights=_UNIT_WEIGHTS)[0]
        district = community.parent.parent if community.parent else None
        district_name = district.name if district else ""
        stem = names.strip_suffix(community.name, ("社区", "村"))
        name = rng.choice(templates).format(stem=stem, d=district_name, s=names.district_stem(district_name))
        if (community.pk, name) in used:
            continue
        used.add((community.pk, name))
        phone = mobiles.make()
        sealed = pii.seal_phone(phone)
        units.append(
            Unit(
                name=name,
                credit_code=codes.make(prefix, community.code[:6] if rng.random() < 0.8 else community.code[:4] + "00"),
                unit_type=unit_type,
                address=f"{stem}路{rng.randint(1, 288)}号",
                community=community,
                region_code=community.code,
                is_cobuilding=rng.random() < 0.55,
                liaison_name=identities.surname(rng) + identities.given_name(rng, rng.random() < 0.5, 1980),
                liaison_phone_ciphertext=sealed.ciphertext,
                liaison_phone_digest=sealed.digest,
                liaison_phone_masked=sealed.masked,
            )
        )
    return Unit.objects.bulk_create(units, batch_size=BATCH)


# ── party organisations and members ───────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class PartyCounts:
    organizations: int
    members: int


def _add_years(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # Feb 29 → Mar 1 in a common year
        return dt.date(born.year + years, 3, 1)


def _joined(rng: random.Random, born: dt.date, age: int, reference: dt.date) -> dt.date:
    """Joined the party between 18 and 45 (or their present age), never after the reference day."""
    joined = _add_years(born, rng.randint(18, max(18, min(age - 1, 45)))) + dt.timedelta(days=rng.randrange(365))
    return min(joined, reference)


class _Tree:
    """Builds the organisations level by level (each level needs its parents' primary keys)."""

    def __init__(self, residents: Sequence[Resident]) -> None:
        self.streets = list(Region.objects.filter(level=Level.STREET).order_by("code"))
        self.communities = list(Region.objects.filter(level=Level.COMMUNITY).order_by("code"))
        self.grids = list(Region.objects.filter(level=Level.GRID, grid_kind=GridKind.COMPREHENSIVE).order_by("code"))
        self.residents_per_community = Counter(r.home.grid_code[:12] for r in residents)
        self.street_orgs: dict[str, PartyOrganization] = {}
        self.community_orgs: dict[str, PartyOrganization] = {}
        self.grid_orgs: dict[str, PartyOrganization] = {}
        self.groups: dict[int, PartyOrganization] = {}  # building id → 楼栋党小组
        self.count = 0

    def _save(self, rows: list[PartyOrganization]) -> list[PartyOrganization]:
        self.count += len(rows)
        return PartyOrganization.objects.bulk_create(rows, batch_size=BATCH)

    def build(self, rng: random.Random, inhabited: Sequence[int]) -> None:
        for org in self._save(
            [
                PartyOrganization(
                    name=f"{s.name}党工委", kind=PartyOrgKind.STREET_WORKING_COMMITTEE, region=s, region_code=s.code
                )
                for s in self.streets
            ]
        ):
            self.street_orgs[org.region_code] = org
        # Larger communities have a 党委; smaller ones a 党总支.
        sizes = sorted(self.residents_per_community[c.code] for c in self.communities)
        threshold = sizes[len(sizes) * 2 // 5] if sizes else 0
        rows = []
        for c in self.communities:
            committee = self.residents_per_community[c.code] >= threshold
            rows.append(
                PartyOrganization(
                    name=f"{c.name}{'党委' if committee else '党总支'}",
                    kind=PartyOrgKind.COMMUNITY_COMMITTEE if committee else PartyOrgKind.COMMUNITY_GENERAL_BRANCH,
                    region=c,
                    region_code=c.code,
                    parent=self.street_orgs[c.code[:9]],
                )
            )
        for org in self._save(rows):
            self.community_orgs[org.region_code] = org
        for org in self._save(
            [
                PartyOrganization(
                    name=f"{g.name}党支部",
                    kind=PartyOrgKind.GRID_BRANCH,
                    region=g,
                    region_code=g.code,
                    parent=self.community_orgs[g.code[:12]],
                )
                for g in self.grids
            ]
        ):
            self.grid_orgs[org.region_code] = org
        self._groups(rng, inhabited)

    def _groups(self, rng: random.Random, inhabited: Sequence[int]) -> None:
        """A 楼栋党小组 in about a third of the inhabited buildings."""
        buildings = {b.pk: b for b in Building.objects.filter(pk__in=inhabited).select_related("compound", "grid")}
        rows = []
        for pk in inhabited:
            building = buildings[pk]
            branch = self.grid_orgs.get(building.grid.code)
            if branch is None or rng.random() >= 0.35:
                continue
            rows.append(
                PartyOrganization(
                    name=f"{building}党小组",
                    kind=PartyOrgKind.BUILDING_GROUP,
                    region=building.grid,
                    region_code=building.grid.code,
                    parent=branch,
                    building=building,
                )
            )
        for org in self._save(rows):
            assert org.building_id is not None  # noqa: S101 - set just above
            self.groups[org.building_id] = org

    def central_households(self, rng: random.Random, members: Sequence[Resident]) -> None:
        """党员中心户: the homes of a few resident members in buildings that have a party group."""
        rows: list[PartyOrganization] = []
        seen: set[int] = set()
        for r in members:
            group = self.groups.get(r.home.building_id)
            if group is None or r.home.building_id in seen or rng.random() >= 0.25:
                continue
            seen.add(r.home.building_id)
            rows.append(
                PartyOrganization(
                    name=f"{group.name.removesuffix('党小组')}{r.home.unit_number}单元{r.home.number}室党员中心户",
                    kind=PartyOrgKind.CENTRAL_HOUSEHOLD,
                    region_id=group.region_id,
                    region_code=group.region_code,
                    parent=group,
                    building_id=group.building_id,
                )
            )
        self._save(rows)


def seed_party(
    rng: random.Random, residents: Sequence[Resident], units: Sequence[Unit], reference: dt.date
) -> PartyCounts:
    tree = _Tree(residents)
    tree.build(rng, sorted({r.home.building_id for r in residents}))
    adults = [r for r in residents if r.age >= 20]
    total = min(TARGET_MEMBERS, len(adults))
    working = [i for i, r in enumerate(adults) if 23 <= r.age <= 60]
    in_service = set(rng.sample(working, min(len(working), round(total * IN_SERVICE_SHARE))))
    others = [i for i in range(len(adults)) if i not in in_service]
    resident_members = [adults[i] for i in sorted(rng.sample(others, total - len(in_service)))]
    by_street: dict[str, list[Region]] = {}
    for c in tree.communities:
        by_street.setdefault(c.code[:9], []).append(c)
    rows: list[PartyMember] = []
    for r in resident_members:
        group = tree.groups.get(r.home.building_id)
        org = group if group is not None and rng.random() < 0.6 else tree.grid_orgs.get(r.home.grid_code)
        rows.append(
            PartyMember(
                person=r.person,
                organization=org or tree.community_orgs[r.home.grid_code[:12]],
                kind=MemberKind.RESIDENT,
                region_code=r.home.grid_code,
                joined_on=_joined(rng, r.person.birth_date or reference, r.age, reference),
            )
        )
    streets = sorted(by_street)
    for i in sorted(in_service):
        r = adults[i]
        home_street = r.home.grid_code[:9]
        # Most report to a community near home; some to one by their workplace in another street.
        street = (
            home_street
            if rng.random() < 0.75 or len(streets) < 2
            else rng.choice([s for s in streets if s != home_street])
        )
        community = rng.choice(by_street[street])
        rows.append(
            PartyMember(
                person=r.person,
                organization=tree.community_orgs[community.code],
                kind=MemberKind.IN_SERVICE,
                registered_community=community,
                region_code=community.code,
                employer=rng.choice(units) if units and rng.random() < 0.7 else None,
                joined_on=_joined(rng, r.person.birth_date or reference, r.age, reference),
            )
        )
    PartyMember.objects.bulk_create(rows, batch_size=BATCH)
    tree.central_households(rng, resident_members)
    return PartyCounts(organizations=tree.count, members=len(rows))
