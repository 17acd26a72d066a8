"""Facts about Nanjing that the synthetic city is built around.

The district and street lists were copied once from the national division tables
(streets.csv, 2023 edition) and the district outline file; nothing here is read at run time so the demo
works on a bare checkout.  Only summary numbers were kept (centroid, area, extent) — the generator
draws its own outlines.  Everything under "Synthetic" is invented for plausibility, not looked up.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_CODE = "320100"
CITY_NAME = "南京市"
# A city's descendants share the first four digits of its code, not all six.
CITY_PREFIX = "3201"


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    # Area-weighted centroid of the real outline, WGS-84.
    lon: float
    lat: float
    # Real area from a sinusoidal (equal-area) projection about the district's own meridian.
    area_km2: float
    # East–west and north–south extent of the real outline, km; only used to shape the fake outline.
    width_km: float
    height_km: float


DISTRICTS: tuple[District, ...] = (
    District("320102", "玄武区", 118.8427, 32.0651, 75.3, 11.7, 10.1),
    District("320104", "秦淮区", 118.8169, 32.0124, 49.0, 11.0, 7.6),
    District("320105", "建邺区", 118.7104, 32.0094, 79.3, 10.9, 15.2),
    District("320106", "鼓楼区", 118.7608, 32.0823, 55.1, 8.2, 11.5),
    District("320111", "浦口区", 118.5631, 32.0530, 908.6, 39.0, 45.5),
    District("320113", "栖霞区", 118.9586, 32.1592, 391.2, 44.9, 24.4),
    District("320114", "雨花台区", 118.6944, 31.9382, 131.0, 20.7, 16.3),
    District("320115", "江宁区", 118.8305, 31.8543, 1566.6, 60.4, 54.6),
    District("320116", "六合区", 118.8417, 32.3937, 1479.0, 49.0, 49.7),
    District("320117", "溧水区", 119.0328, 31.5905, 1066.5, 38.0, 45.5),
    District("320118", "高淳区", 118.9676, 31.3309, 793.5, 49.2, 28.9),
)

# Township-level units per district.  The statistics tables also list 4xx codes (development zones,
# farms, prisons); those are not administrative streets and are left out, which leaves 101.
STREETS: dict[str, tuple[tuple[str, str], ...]] = {
    "320102": (
        ("320102002", "梅园新村街道"),
        ("320102003", "新街口街道"),
        ("320102005", "玄武门街道"),
        ("320102007", "锁金村街道"),
        ("320102008", "红山街道"),
        ("320102009", "孝陵卫街道"),
        ("320102010", "玄武湖街道"),
    ),
    "320104": (
        ("320104001", "秦虹街道"),
        ("320104002", "夫子庙街道"),
        ("320104003", "红花街道"),
        ("320104004", "双塘街道"),
        ("320104005", "中华门街道"),
        ("320104006", "五老村街道"),
        ("320104007", "洪武路街道"),
        ("320104008", "大光路街道"),
        ("320104009", "瑞金路街道"),
        ("320104010", "月牙湖街道"),
        ("320104011", "光华路街道"),
        ("320104012", "朝天宫街道"),
    ),
    "320105": (
        ("320105001", "莫愁湖街道"),
        ("320105002", "沙洲街道"),
        ("320105003", "双闸街道"),
        ("320105004", "江心洲街道"),
        ("320105006", "兴隆街道"),
        ("320105007", "南苑街道"),
    ),
    "320106": (
        ("320106001", "宁海路街道"),
        ("320106002", "华侨路街道"),
        ("320106003", "湖南路街道"),
        ("320106004", "中央门街道"),
        ("320106005", "挹江门街道"),
        ("320106006", "江东街道"),
        ("320106007", "凤凰街道"),
        ("320106008", "下关街道"),
        ("320106009", "热河南路街道"),
        ("320106010", "幕府山街道"),
        ("320106011", "建宁路街道"),
        ("320106012", "宝塔桥街道"),
        ("320106013", "小市街道"),
    ),
    "320111": (
        ("320111001", "泰山街道"),
        ("320111002", "顶山街道"),
        ("320111003", "沿江街道"),
        ("320111004", "江浦街道"),
        ("320111005", "桥林街道"),
        ("320111006", "汤泉街道"),
        ("320111007", "盘城街道"),
        ("320111008", "星甸街道"),
        ("320111009", "永宁街道"),
    ),
    "320113": (
        ("320113001", "尧化街道"),
        ("320113002", "马群街道"),
        ("320113003", "迈皋桥街道"),
        ("320113004", "燕子矶街道"),
        ("320113005", "栖霞街道"),
        ("320113006", "龙潭街道"),
        ("320113007", "仙林街道"),
        ("320113009", "八卦洲街道"),
        ("320113010", "西岗街道"),
    ),
    "320114": (
        ("320114001", "雨花街道"),
        ("320114002", "赛虹桥街道"),
        ("320114004", "西善桥街道"),
        ("320114005", "板桥街道"),
        ("320114006", "铁心桥街道"),
        ("320114007", "梅山街道"),
        ("320114008", "古雄街道"),
    ),
    "320115": (
        ("320115001", "东山街道"),
        ("320115002", "秣陵街道"),
        ("320115003", "汤山街道"),
        ("320115004", "淳化街道"),
        ("320115005", "禄口街道"),
        ("320115006", "江宁街道"),
        ("320115007", "谷里街道"),
        ("320115008", "湖熟街道"),
        ("320115009", "横溪街道"),
        ("320115010", "麒麟街道"),
    ),
    "320116": (
        ("320116001", "大厂街道"),
        ("320116004", "葛塘街道"),
        ("320116005", "长芦街道"),
        ("320116006", "雄州街道"),
        ("320116007", "龙池街道"),
        ("320116008", "程桥街道"),
        ("320116009", "金牛湖街道"),
        ("320116010", "横梁街道"),
        ("320116011", "龙袍街道"),
        ("320116012", "马鞍街道"),
        ("320116013", "冶山街道"),
        ("320116110", "竹镇镇"),
    ),
    "320117": (
        ("320117001", "永阳街道"),
        ("320117002", "柘塘街道"),
        ("320117003", "东屏街道"),
        ("320117004", "石湫街道"),
        ("320117005", "洪蓝街道"),
        ("320117101", "白马镇"),
        ("320117106", "晶桥镇"),
        ("320117107", "和凤镇"),
    ),
    "320118": (
        ("320118001", "淳溪街道"),
        ("320118002", "古柏街道"),
        ("320118003", "漆桥街道"),
        ("320118004", "固城街道"),
        ("320118005", "东坝街道"),
        ("320118006", "桠溪街道"),
        ("320118101", "阳江镇"),
        ("320118102", "砖墙镇"),
    ),
}

DEMO_DISTRICT = "320113"

# ---------------------------------------------------------------------------------------------
# Synthetic: approximations chosen for plausibility, not authoritative data.


@dataclass(frozen=True, slots=True)
class StreetSketch:
    """Where a 栖霞区 street sits inside the district and roughly how big it is.

    ``u``/``v`` are positions as fractions of the district's bounding box (0 = west/south), read off a
    map by eye; ``area_share`` is a guess at the street's share of the district's area and
    ``communities`` at how many 社区/村 it has (127 in all).
    """

    code: str
    u: float
    v: float
    area_share: float
    communities: int


QIXIA_SKETCH: tuple[StreetSketch, ...] = (
    StreetSketch("320113001", 0.22, 0.45, 0.077, 15),  # 尧化
    StreetSketch("320113002", 0.27, 0.12, 0.072, 12),  # 马群
    StreetSketch("320113003", 0.06, 0.33, 0.033, 21),  # 迈皋桥
    StreetSketch("320113004", 0.09, 0.55, 0.051, 18),  # 燕子矶
    StreetSketch("320113005", 0.45, 0.66, 0.159, 14),  # 栖霞
    StreetSketch("320113006", 0.78, 0.62, 0.276, 20),  # 龙潭
    StreetSketch("320113007", 0.36, 0.32, 0.102, 14),  # 仙林
    StreetSketch("320113009", 0.15, 0.88, 0.143, 7),  # 八卦洲
    StreetSketch("320113010", 0.52, 0.28, 0.087, 6),  # 西岗
)


@dataclass(frozen=True, slots=True)
class UrbanCentre:
    """A built-up core; settlement density is a sum of Gaussian bumps around these."""

    lon: float
    lat: float
    weight: float
    sigma_km: float


URBAN_CENTRES: tuple[UrbanCentre, ...] = (
    UrbanCentre(118.783, 32.041, 1.00, 5.0),  # 新街口, the old city
    UrbanCentre(118.725, 32.010, 0.80, 4.0),  # 河西
    UrbanCentre(118.800, 32.100, 0.85, 3.5),  # 迈皋桥 / 红山
    UrbanCentre(118.815, 32.140, 0.55, 3.0),  # 燕子矶
    UrbanCentre(118.865, 32.118, 0.45, 3.0),  # 尧化门
    UrbanCentre(118.895, 32.055, 0.45, 3.0),  # 马群
    UrbanCentre(118.930, 32.105, 0.55, 3.5),  # 仙林
    UrbanCentre(119.050, 32.170, 0.20, 3.0),  # 龙潭
    UrbanCentre(118.830, 31.935, 0.75, 6.0),  # 东山 / 百家湖
    UrbanCentre(118.730, 32.135, 0.45, 4.0),  # 桥北
    UrbanCentre(118.630, 32.065, 0.35, 4.0),  # 江浦
    UrbanCentre(118.760, 32.225, 0.35, 4.0),  # 大厂
    UrbanCentre(118.835, 32.340, 0.35, 4.0),  # 雄州
    UrbanCentre(119.030, 31.650, 0.35, 4.0),  # 永阳
    UrbanCentre(118.880, 31.330, 0.30, 4.0),  # 淳溪
)
# Density far from every centre: farmland, hills, water.
RURAL_DENSITY = 0.035

# How many communities (社区 + 村) each district gets in the full city; sums to 1,232.
DISTRICT_COMMUNITIES: dict[str, int] = {
    "320102": 59,
    "320104": 101,
    "320105": 64,
    "320106": 121,
    "320111": 128,
    "320113": 127,
    "320114": 68,
    "320115": 205,
    "320116": 152,
    "320117": 105,
    "320118": 102,
}

# Streets with a known specialty get more dedicated grids of that kind (仙林 and the university
# towns are mostly campuses, 龙潭 has the port, 大厂 the chemical works).
STREET_FLAVOUR: dict[str, str] = {
    "320113007": "campus",
    "320113006": "industrial_park",
    "320115002": "campus",
    "320111004": "campus",
    "320116001": "industrial_park",
}

# Central districts have no villages left; elsewhere low density means 村 rather than 社区.
URBAN_DISTRICTS: frozenset[str] = frozenset({"320102", "320104", "320105", "320106"})
