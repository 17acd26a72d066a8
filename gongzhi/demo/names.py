"""Plausible Chinese place names for communities, villages, facilities and residential compounds.

Names are assembled from stems typical of Nanjing place names plus a generic element (湖、桥、园…),
so they read naturally without pretending to be a real community.  Every builder takes the set
of names already used under the same parent and never returns one of them.
"""

from __future__ import annotations

import numpy as np

_NUMERALS = "零一二三四五六七八九"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Two-character stems that read like urban neighbourhood names.
URBAN_STEMS: tuple[str, ...] = _words(
    """
    金陵 仙鹤 羊山 白象 南湾 东阳 青山 甘家 新港 靖安 燕华 晓庄 和燕 吉祥 寅春 华电 长江 太平 五福 花港
    姚坊 石埠 东杨 摄山 新合 合力 南象 仙居 文范 文苑 桦墅 东流 湖山 宝华 彭城 徐庄 紫东 兴卫 杨庄 聚宝
    汇景 新尧 神农 万寿 尧林 晨光 恒通 和平 红梅 笆斗 兴贤 曹桥 幕府 翠林 方家 黄营 丁家 南化 学海 星湖
    青龙 百水 宁丹 紫金 天泓 龙王 江畔 梅山 东井 新民 油坊 桃园 柳塘 杏村 荷花 石桥 龙泉 金港 鹿鸣 凤凰
    麒麟 观音 银龙 水秀 明月 春江 旭日 铁山 东岗 南岗 双塘 侯家 三元 八里 七里 九华 北园 南园 樱驼 桂山
    松涛 竹林 梧桐 青枫 月苑 卫岗 钟灵 紫云 葛家 仓头 新塘 草场 高庙 岔路 玉带 锦绣 怡景 安怀 丰富 长乐
    太清 天华 迎江 锁金 玄津 成贤 丹凤 尚书 龙蟠 月华 翠屏 清凉 华新 宁海 金川 汉中 莫愁 玉兰 银杏 香山
    """
)

# Stems for villages in the countryside (adds to the urban ones so large rural streets never run out).
VILLAGE_STEMS: tuple[str, ...] = _words(
    """
    七乡河 大埠 花园 新城 营防 太平 东湖 汤泉 大凹 徐家 王家 陈家 张庄 朱家 刘家 吴庄 孙家 赵营 黄龙 周冲
    牌坊 前进 联合 红旗 胜利 友谊 永丰 丰收 长胜 新华 新农 大圣 中桥 西沟 北山 南庄 东岳 双桥 石塘 草塘
    泉水 桥头 三合 四合 五一 六里 马场 后庄 前村 杨柳 桑园 茶场 白马 青龙 荷塘 塘坊 湾里
    """
)

# Generic elements appended to a stem before "社区"; the empty string keeps the bare stem.
_URBAN_ELEMENTS = ("", "", "", "湖", "桥", "园", "苑", "新村", "门", "港", "山", "里", "坊", "塘", "湾", "花园")
_VILLAGE_ELEMENTS = ("", "", "", "桥", "庄", "塘", "岗", "湾", "洲", "圩", "营", "坝")

# Brand-like and descriptive prefixes for modern compounds, and their endings.
_COMPOUND_BRANDS = _words(
    """
    银城 万科 金地 保利 中海 仁恒 招商 苏宁 朗诗 龙湖 融创 绿地 华润 旭辉 世茂 中冶 亚东 东方 新城 首开
    弘阳 金轮 栖霞 仙林 燕澜 紫金 钟山 凤凰 天润 宁南 嘉业 景枫 金鹰 雨润 恒大 大华 翠屏 天正 明发
    """
)
_COMPOUND_MIDDLES = _words(
    """
    翠谷 东苑 西苑 南苑 北苑 山水 湖畔 天地 星城 名城 蓝湾 滨江 紫郡 公馆 云庭 锦城 香榭 尚都 悦府 春晓
    和府 枫丹 雅园 绿洲 国际 风华 文苑 学府 御园 观澜 怡景 城市 桃源 新都 明珠 华庭 雅居 美地 水岸 九里
    """
)
_COMPOUND_ENDINGS = ("", "", "", "花园", "家园", "雅苑", "小区", "嘉园", "华府", "一期", "二期")
_OLD_ENDINGS = ("新村", "新村", "小区", "一村", "二村", "三村", "东村", "西村", "南村", "北村")

_SCHOOL = ("小学", "中心小学", "中学", "实验学校", "幼儿园", "初级中学", "高级中学")
_PARK = ("公园", "湿地公园", "森林公园", "体育公园", "遗址公园", "滨江公园", "生态园")
_INDUSTRY = ("工业园", "物流园", "科技园", "产业园", "创业园", "智造园")
# Only a riverside name carries a port: 龙潭港物流园 yes, 葛家苑港物流园 no.
_PORT_ENDINGS = "潭江洲河湾港矶"
_MARKET = ("农贸市场", "菜市场", "商业广场", "综合市场", "批发市场", "集贸市场")
# Repeats weight the draw: metro stations are everywhere, coach stations are not.
_STATION = ("地铁站", "地铁站", "地铁站", "地铁站", "公交枢纽", "公交枢纽", "汽车客运站", "长途汽车站")
_SUBJECTS = (
    "工业",
    "信息",
    "师范",
    "财经",
    "邮电",
    "中医药",
    "理工",
    "艺术",
    "交通",
    "体育",
    "林业",
    "医科",
    "工程",
    "科技",
    "传媒",
)
_HOSPITAL_DISTRICT = ("人民医院", "中医院", "妇幼保健院", "第二人民医院", "中西医结合医院")
_HOSPITAL_LOCAL = ("社区卫生服务中心", "医院", "卫生院", "康复医院")


def numeral(n: int) -> str:
    """Chinese numeral for 1–99 as used in 第N网格 (十, 十二, 二十, 二十三)."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens] + "十")
    return head + (_NUMERALS[ones] if ones else "")


def strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    for s in suffixes:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def street_stem(street_name: str) -> str:
    return strip_suffix(street_name, ("街道", "镇"))


def district_stem(district_name: str) -> str:
    return strip_suffix(district_name, ("区",))


def community_short(community_name: str) -> str:
    """The form used inside grid names: 仙林湖社区 → 仙林湖, but villages keep 村 (龙潭村)."""
    return strip_suffix(community_name, ("社区",))


def _pick(rng: np.random.Generator, items: tuple[str, ...]) -> str:
    return items[int(rng.integers(len(items)))]


def _join(stem: str, element: str) -> str | None:
    # 新港港, 雅园嘉园 or 新村东村 read like typos: skip elements that echo the stem.
    if element and (stem[-1] in element or element in stem):
        return None
    return stem + element


def community_name(rng: np.random.Generator, used: set[str], village: bool, stem: str | None = None) -> str:
    """A 社区 or 村 name not in ``used``; ``stem`` (e.g. the street's own name) is tried first."""
    suffix = "村" if village else "社区"
    if stem is not None:
        candidate = stem + suffix
        if candidate not in used:
            used.add(candidate)
            return candidate
    stems = VILLAGE_STEMS + URBAN_STEMS if village else URBAN_STEMS
    elements = _VILLAGE_ELEMENTS if village else _URBAN_ELEMENTS
    for _ in range(10_000):
        base = _join(_pick(rng, stems), _pick(rng, elements))
        if base is None:
            continue
        candidate = base + suffix
        if candidate not in used:
            used.add(candidate)
            return candidate
    raise RuntimeError("ran out of community names")


def grid_name(community: str, n: int) -> str:
    return f"{community_short(community)}第{numeral(n)}网格"


def facility_name(
    rng: np.random.Generator,
    kind: str,
    stems: tuple[str, ...],
    district: str,
    used: set[str],
) -> str:
    """A facility that a dedicated grid could be drawn around, plus 专属网格.

    ``stems`` are local place names (community first, then street); ``district`` is the short
    district name (栖霞).  ``used`` is shared across a whole district so that "栖霞区人民医院"
    appears at most once.
    """
    for attempt in range(10_000):
        # Mostly the community's own name, sometimes the street's (龙潭港物流园), and after many
        # collisions any stem at all.
        if attempt < 40:
            stem = stems[0] if len(stems) == 1 or rng.random() < 0.65 else stems[1 + int(rng.integers(len(stems) - 1))]
        else:
            stem = _pick(rng, URBAN_STEMS)
        base = _facility(rng, kind, stem, district, attempt)
        candidate = base + "专属网格"
        if candidate not in used:
            used.add(candidate)
            return candidate
    raise RuntimeError("ran out of facility names")


def _facility(rng: np.random.Generator, kind: str, stem: str, district: str, attempt: int) -> str:
    if kind == "school":
        ending = _pick(rng, _SCHOOL)
        if ending.endswith("中学") and rng.random() < 0.4:
            return f"南京{district}{stem}第{numeral(int(rng.integers(1, 4)))}中学"
        return f"南京市{stem}{ending}" if rng.random() < 0.5 else f"{district}区{stem}{ending}"
    if kind == "hospital":
        if attempt < 6 and rng.random() < 0.35:
            return f"{district}区{_pick(rng, _HOSPITAL_DISTRICT)}"
        return f"{stem}{_pick(rng, _HOSPITAL_LOCAL)}"
    if kind == "park":
        return f"{stem}{_pick(rng, _PARK)}"
    if kind == "industrial_park":
        if stem[-1] in _PORT_ENDINGS and rng.random() < 0.5:
            return f"{stem}港物流园"
        return f"{stem}{_pick(rng, _INDUSTRY)}"
    if kind == "market":
        return f"{stem}{_pick(rng, _MARKET)}"
    if kind == "campus":
        subject = _pick(rng, _SUBJECTS)
        if rng.random() < 0.5:
            return f"南京{subject}大学{stem}校区"
        return f"南京{subject}职业技术学院"
    if kind == "station":
        return f"{stem}{_pick(rng, _STATION)}"
    return f"{stem}综合服务中心"


def compound_name(rng: np.random.Generator, stem: str, used: set[str], old: bool) -> str:
    """A 小区 name: 尧化新村 style for old walk-ups, 银城东苑 / 仙林翠谷花园 style for new estates."""
    for attempt in range(10_000):
        if old:
            local = stem if attempt < 8 else _pick(rng, URBAN_STEMS)
            joined = _join(local, _pick(rng, _OLD_ENDINGS))
            if joined is None:
                continue
            candidate = joined
        else:
            head = stem if rng.random() < 0.25 else _pick(rng, _COMPOUND_BRANDS)
            base = _join(head, _pick(rng, _COMPOUND_MIDDLES))
            if base is None:
                continue
            ending = _pick(rng, _COMPOUND_ENDINGS)
            joined = _join(base, ending)
            if joined is None:
                continue
            candidate = joined
        if candidate not in used:
            used.add(candidate)
            return candidate
    raise RuntimeError("ran out of compound names")
