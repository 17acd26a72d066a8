"""The seeded category tree: three families, their classes, and the leaves a case is filed under.

Our own design, built to cover two schemes a city already uses:

- 民生诉求 (MS): the fifteen first-level sectors of a city's citizen-message scheme (城乡建设 …
  纪检监察), so every label of a message hotline maps onto one of our classes by name;
- 城市部件 (BJ) and 城市事件 (SJ): the component and event classes of digital city management
  (数字化城市管理), six each.

Each leaf says where it is normally handled (grid, community, street or a district department), the
response limit in natural hours, the handling limit in working days, the department that answers for
it, and the extra attributes a report must carry. The system administrator edits all of it later;
this is only the starting point a new deployment gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GRID = "grid"
COMMUNITY = "community"
STREET = "street"
DEPARTMENT = "department"


@dataclass(frozen=True, slots=True)
class Leaf:
    code: str
    name: str
    level: str
    response_hours: int
    handling_days: int
    department: str = ""  # short name of the district department that answers for it
    attributes: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Klass:
    code: str
    name: str
    leaves: tuple[Leaf, ...]
    aliases: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Family:
    code: str
    name: str
    classes: tuple[Klass, ...]


def _text(key: str, label: str, required: bool = True) -> dict[str, Any]:
    return {"key": key, "label": label, "type": "text", "required": required}


def _number(key: str, label: str, required: bool = True) -> dict[str, Any]:
    return {"key": key, "label": label, "type": "number", "required": required}


def _choice(key: str, label: str, choices: list[str], required: bool = True) -> dict[str, Any]:
    return {"key": key, "label": label, "type": "choice", "choices": choices, "required": required}


COVER_STATE = _choice("cover_state", "井盖状况", ["缺失", "破损", "移位", "异响"])
PLATE = _text("plate", "车牌号", required=False)
EMPLOYER = _text("employer", "用人单位")
WORKERS = _number("workers", "涉及人数", required=False)
AMOUNT = _number("amount", "涉及金额（元）", required=False)
SHOP = _text("shop", "商户或单位名称", required=False)
HOURS = _text("time_of_day", "发生时段", required=False)
SCHOOL = _text("school", "学校名称", required=False)
ROUTE = _text("route", "线路或站点", required=False)

L = Leaf

TAXONOMY: tuple[Family, ...] = (
    Family(
        "MS",
        "民生诉求",
        (
            Klass(
                "MS01",
                "城乡建设",
                (
                    L("MS0101", "物业服务与小区管理", COMMUNITY, 24, 5, "房产局"),
                    L("MS0102", "住房保障与房地产", DEPARTMENT, 24, 15, "住建局"),
                    L("MS0103", "供水供气供电", DEPARTMENT, 4, 3, "水务局"),
                    L("MS0104", "城乡规划与违法建设", STREET, 24, 10, "自然资源分局"),
                    L("MS0105", "房屋征收与拆迁补偿", DEPARTMENT, 48, 15, "住建局"),
                    L("MS0106", "安全生产隐患", STREET, 4, 3, "应急管理局"),
                    L("MS0107", "工程质量与建筑市场", DEPARTMENT, 48, 15, "住建局"),
                ),
            ),
            Klass(
                "MS02",
                "环境保护",
                (
                    L("MS0201", "噪声污染", STREET, 12, 5, "生态环境局", (HOURS,)),
                    L("MS0202", "油烟废气与异味", DEPARTMENT, 12, 5, "生态环境局", (SHOP,)),
                    L("MS0203", "水体污染", DEPARTMENT, 12, 7, "生态环境局"),
                    L("MS0204", "固体废物与危废", DEPARTMENT, 24, 7, "生态环境局"),
                    L("MS0205", "建设项目环评", DEPARTMENT, 48, 15, "生态环境局"),
                ),
            ),
            Klass(
                "MS03",
                "交通运输",
                (
                    L("MS0301", "公交地铁", DEPARTMENT, 24, 10, "交通局", (ROUTE,)),
                    L("MS0302", "出租车与网约车", DEPARTMENT, 24, 10, "交通局", (PLATE,)),
                    L("MS0303", "道路建设与养护", DEPARTMENT, 24, 10, "交通局"),
                    L("MS0304", "客货运输与物流", DEPARTMENT, 48, 10, "交通局"),
                    L("MS0305", "邮政快递", DEPARTMENT, 48, 10, "交通局"),
                ),
            ),
            Klass(
                "MS04",
                "教育文体",
                (
                    L("MS0401", "入学招生", DEPARTMENT, 24, 10, "教育局", (SCHOOL,)),
                    L("MS0402", "教育收费", DEPARTMENT, 24, 10, "教育局", (SCHOOL,)),
                    L("MS0403", "学校管理与师资", DEPARTMENT, 48, 15, "教育局", (SCHOOL,)),
                    L("MS0404", "文化体育设施与活动", STREET, 48, 10, "文旅局"),
                    L("MS0405", "文物保护", DEPARTMENT, 48, 15, "文旅局"),
                ),
            ),
            Klass(
                "MS05",
                "劳动和社会保障",
                (
                    L("MS0501", "拖欠工资", DEPARTMENT, 12, 7, "人社局", (EMPLOYER, WORKERS, AMOUNT)),
                    L("MS0502", "社会保险", DEPARTMENT, 24, 10, "人社局"),
                    L("MS0503", "就业创业与培训", DEPARTMENT, 48, 10, "人社局"),
                    L("MS0504", "劳动合同与劳动关系", DEPARTMENT, 24, 10, "人社局", (EMPLOYER,)),
                    L("MS0505", "退休待遇", DEPARTMENT, 48, 15, "人社局"),
                ),
            ),
            Klass(
                "MS06",
                "商贸旅游",
                (
                    L("MS0601", "消费维权", DEPARTMENT, 24, 7, "市场监管局", (SHOP,)),
                    L("MS0602", "价格与收费", DEPARTMENT, 24, 7, "市场监管局", (SHOP,)),
                    L("MS0603", "旅游管理", DEPARTMENT, 48, 10, "文旅局"),
                    L("MS0604", "无证经营与市场秩序", STREET, 24, 7, "市场监管局", (SHOP,)),
                ),
            ),
            Klass(
                "MS07",
                "卫生计生",
                (
                    L("MS0701", "医疗服务", DEPARTMENT, 24, 10, "卫健委"),
                    L("MS0702", "食品药品安全", DEPARTMENT, 12, 5, "市场监管局", (SHOP,)),
                    L("MS0703", "公共卫生与疫苗", DEPARTMENT, 24, 7, "卫健委"),
                    L("MS0704", "生育与人口服务", DEPARTMENT, 48, 10, "卫健委"),
                ),
            ),
            Klass(
                "MS08",
                "民政",
                (
                    L("MS0801", "低保与社会救助", DEPARTMENT, 24, 10, "民政局"),
                    L("MS0802", "养老服务", COMMUNITY, 24, 7, "民政局"),
                    L("MS0803", "残疾人服务", COMMUNITY, 24, 7, "民政局"),
                    L("MS0804", "婚姻殡葬", DEPARTMENT, 48, 10, "民政局"),
                    L("MS0805", "社区建设与居委会", COMMUNITY, 48, 10, "民政局"),
                ),
            ),
            Klass(
                "MS09",
                "政法",
                (
                    L("MS0901", "社会治安", DEPARTMENT, 2, 3, "公安分局"),
                    L("MS0902", "户籍证件", DEPARTMENT, 24, 7, "公安分局"),
                    L("MS0903", "矛盾纠纷调解", COMMUNITY, 12, 7, "司法局"),
                    L("MS0904", "交通管理与违停", DEPARTMENT, 12, 5, "公安分局", (PLATE,)),
                    L("MS0905", "法律援助", DEPARTMENT, 48, 10, "司法局"),
                ),
            ),
            Klass(
                "MS10",
                "国土资源",
                (
                    L("MS1001", "土地征收", DEPARTMENT, 48, 15, "自然资源分局"),
                    L("MS1002", "土地利用与违法用地", DEPARTMENT, 48, 15, "自然资源分局"),
                ),
            ),
            Klass(
                "MS11",
                "农村农业",
                (
                    L("MS1101", "惠农补贴", DEPARTMENT, 48, 10, "农业农村局"),
                    L("MS1102", "村务管理", STREET, 48, 10, "农业农村局"),
                    L("MS1103", "农业生产与水利", DEPARTMENT, 48, 10, "农业农村局"),
                ),
            ),
            Klass(
                "MS12",
                "经济管理",
                (
                    L("MS1201", "金融财税", DEPARTMENT, 48, 15, "市场监管局"),
                    L("MS1202", "企业经营与营商环境", DEPARTMENT, 48, 15, "市场监管局"),
                    L("MS1203", "能源管理", DEPARTMENT, 48, 10, "住建局"),
                ),
            ),
            Klass(
                "MS13",
                "科技与信息产业",
                (
                    L("MS1301", "通信网络与信号", DEPARTMENT, 48, 10, "网格化服务管理中心"),
                    L("MS1302", "信息化与政务系统", DEPARTMENT, 48, 10, "网格化服务管理中心"),
                ),
            ),
            Klass(
                "MS14",
                "党务政务",
                (
                    L("MS1401", "政务服务", STREET, 24, 7, "信访局"),
                    L("MS1402", "党的建设", STREET, 48, 10, "信访局"),
                ),
            ),
            Klass(
                "MS15",
                "纪检监察",
                (
                    L("MS1501", "干部作风", DEPARTMENT, 48, 15, "信访局"),
                    L("MS1502", "违纪违法举报", DEPARTMENT, 48, 15, "信访局"),
                ),
            ),
        ),
    ),
    Family(
        "BJ",
        "城市部件",
        (
            Klass(
                "BJ01",
                "公用设施",
                (
                    L("BJ0101", "井盖", DEPARTMENT, 2, 2, "水务局", (COVER_STATE,)),
                    L("BJ0102", "雨水箅子", DEPARTMENT, 4, 3, "水务局"),
                    L("BJ0103", "路灯", DEPARTMENT, 12, 3, "城管局"),
                    L("BJ0104", "消防栓", DEPARTMENT, 4, 3, "消防救援大队"),
                    L("BJ0105", "电力通信设施", DEPARTMENT, 12, 5, "网格化服务管理中心"),
                ),
            ),
            Klass(
                "BJ02",
                "道路交通",
                (
                    L("BJ0201", "交通信号灯", DEPARTMENT, 2, 2, "公安分局"),
                    L("BJ0202", "交通标志与护栏", DEPARTMENT, 12, 5, "交通局"),
                    L("BJ0203", "公交站亭", DEPARTMENT, 24, 5, "交通局", (ROUTE,)),
                    L("BJ0204", "人行道与盲道", DEPARTMENT, 24, 7, "城管局"),
                    L("BJ0205", "停车设施", STREET, 24, 7, "城管局"),
                ),
            ),
            Klass(
                "BJ03",
                "市容环境",
                (
                    L("BJ0301", "公共厕所", DEPARTMENT, 12, 3, "城管局"),
                    L("BJ0302", "垃圾桶与垃圾房", COMMUNITY, 12, 2, "城管局"),
                    L("BJ0303", "户外广告设施", DEPARTMENT, 24, 7, "城管局"),
                ),
            ),
            Klass(
                "BJ04",
                "园林绿化",
                (
                    L("BJ0401", "行道树", DEPARTMENT, 12, 5, "城管局"),
                    L("BJ0402", "绿地与花坛", DEPARTMENT, 24, 7, "城管局"),
                ),
            ),
            Klass(
                "BJ05",
                "房屋土地",
                (
                    L("BJ0501", "危险房屋", STREET, 4, 3, "房产局"),
                    L("BJ0502", "闲置空地", STREET, 48, 10, "自然资源分局"),
                ),
            ),
            Klass(
                "BJ06",
                "其他设施",
                (
                    L("BJ0601", "健身器材", COMMUNITY, 24, 5, "文旅局"),
                    L("BJ0602", "电子监控", DEPARTMENT, 24, 7, "公安分局"),
                    L("BJ0603", "电动车充电设施", COMMUNITY, 24, 5, "应急管理局"),
                ),
            ),
        ),
    ),
    Family(
        "SJ",
        "城市事件",
        (
            Klass(
                "SJ01",
                "市容环境",
                (
                    L("SJ0101", "暴露垃圾与积存垃圾", GRID, 4, 1, "城管局"),
                    L("SJ0102", "道路不洁", GRID, 4, 1, "城管局"),
                    L("SJ0103", "私搭乱建", STREET, 24, 7, "城管局"),
                    L("SJ0104", "楼道堆物", GRID, 12, 2, "消防救援大队"),
                ),
            ),
            Klass(
                "SJ02",
                "宣传广告",
                (
                    L("SJ0201", "非法小广告", GRID, 12, 1, "城管局"),
                    L("SJ0202", "违规张贴悬挂", COMMUNITY, 12, 2, "城管局"),
                ),
            ),
            Klass(
                "SJ03",
                "施工管理",
                (
                    L("SJ0301", "施工扰民", STREET, 4, 3, "城管局", (HOURS,)),
                    L("SJ0302", "工地扬尘与渣土", DEPARTMENT, 12, 3, "城管局"),
                    L("SJ0303", "道路挖掘破损", DEPARTMENT, 12, 5, "交通局"),
                ),
            ),
            Klass(
                "SJ04",
                "街面秩序",
                (
                    L("SJ0401", "占道经营与流动摊贩", STREET, 4, 2, "城管局"),
                    L("SJ0402", "店外经营", COMMUNITY, 12, 2, "城管局", (SHOP,)),
                    L("SJ0403", "机动车乱停放", STREET, 4, 1, "公安分局", (PLATE,)),
                    L("SJ0404", "非机动车乱停放", GRID, 12, 2, "城管局"),
                    L("SJ0405", "露天烧烤", STREET, 4, 1, "城管局"),
                ),
            ),
            Klass(
                "SJ05",
                "突发事件",
                (
                    L("SJ0501", "路面塌陷", DEPARTMENT, 1, 1, "交通局"),
                    L("SJ0502", "供水管道破裂", DEPARTMENT, 1, 1, "水务局"),
                    L("SJ0503", "燃气泄漏", DEPARTMENT, 1, 1, "应急管理局"),
                    L("SJ0504", "下水道堵塞与积水", DEPARTMENT, 2, 2, "水务局"),
                    L("SJ0505", "消防安全隐患", STREET, 2, 2, "消防救援大队"),
                ),
            ),
            Klass(
                "SJ06",
                "其他事件",
                (
                    L("SJ0601", "群租房", STREET, 24, 7, "公安分局"),
                    L("SJ0602", "高空抛物", COMMUNITY, 12, 5, "公安分局"),
                    L("SJ0603", "犬只扰民", COMMUNITY, 12, 5, "公安分局"),
                    L("SJ0604", "邻里纠纷", GRID, 12, 5, "司法局"),
                ),
            ),
        ),
    ),
)


def leaves() -> list[tuple[Family, Klass, Leaf]]:
    return [(family, klass, leaf) for family in TAXONOMY for klass in family.classes for leaf in klass.leaves]
