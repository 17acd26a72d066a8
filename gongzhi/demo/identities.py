"""Synthetic but well-formed identities: Chinese names, ID numbers, mobiles and credit codes.

Everything is invented. ID numbers carry real GB/T 2260 region codes (including codes abolished since
the holder's birth, as real registers do) and valid check characters; credit codes embed a valid
GB 11714 organisation code. All draws come from the `random.Random` the caller passes in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from gongzhi.people.validators import USCC_CHARSET, id_check_char, org_code_check_char, uscc_check_char


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The hundred commonest surnames, roughly by frequency (weights fall off like the real distribution).
SURNAMES: tuple[str, ...] = tuple(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_WEIGHTS: tuple[float, ...] = tuple(1.0 / (i + 8) for i in range(len(SURNAMES)))

# Given names change with the times: 建国 and 秀英 for the old, 浩然 and 梓涵 for the young.
_GIVEN: dict[tuple[str, bool], tuple[str, ...]] = {
    ("old", True): _words("建国 建华 国强 德明 永生 志刚 文华 金宝 福生 长林 有才 振华 卫东 国庆 跃进 家宝 友谊 庆丰"),
    ("old", False): _words("秀英 桂英 玉兰 淑珍 秀兰 桂兰 凤英 素珍 玉珍 翠花 秀珍 玉梅 桂芝 兰英 金凤 美华 月娥"),
    ("mid", True): _words("伟 强 军 勇 磊 涛 斌 杰 刚 明 超 辉 鹏 波 建军 志强 海涛 晓东 立新 红兵 永强 俊"),
    ("mid", False): _words("敏 静 丽 艳 娟 霞 燕 芳 红 玲 萍 洁 丹 莉 晓红 海燕 春梅 丽华 雪梅 慧 琳 婷"),
    ("young", True): _words("浩然 子轩 宇轩 梓豪 俊熙 思远 一鸣 皓轩 子墨 浩宇 明轩 睿 博文 嘉懿 天佑 逸飞 泽宇"),
    ("young", False): _words("子涵 欣怡 梓涵 诗涵 雨桐 一诺 可馨 嘉怡 思琪 梦瑶 语嫣 若曦 紫萱 佳琪 悦 欣然 雨萱"),
}

# Where registered residents were born: mostly 栖霞区 itself, then the rest of Nanjing and Jiangsu.
# 320103 白下区 and 320107 下关区 (merged 2013), 320124 溧水县 and 320125 高淳县 (now 区) no longer exist:
# only people born before 2013 carry them.
REGISTERED_ORIGINS: tuple[tuple[str, float], ...] = (
    ("320113", 60),
    ("320102", 4),
    ("320104", 4),
    ("320105", 2),
    ("320106", 4),
    ("320111", 3),
    ("320114", 2),
    ("320115", 3),
    ("320116", 2),
    ("320117", 1),
    ("320118", 1),
    ("320302", 2),  # 徐州 鼓楼
    ("320382", 1),  # 邳州
    ("320803", 2),  # 淮安 淮安区
    ("320902", 2),  # 盐城 亭湖
    ("321302", 2),  # 宿迁 宿城
    ("321102", 1),  # 镇江 京口
    ("320282", 1),  # 宜兴
)
ABOLISHED_ORIGINS: tuple[str, ...] = ("320103", "320107", "320124", "320125")
# Migrants come mostly from the neighbouring provinces, then from further away.
MIGRANT_ORIGINS: tuple[tuple[str, float], ...] = (
    ("341202", 8),  # 阜阳 颍州
    ("341621", 5),  # 涡阳
    ("340102", 4),  # 合肥 瑶海
    ("340302", 3),  # 蚌埠
    ("341102", 3),  # 滁州
    ("411302", 3),  # 南阳
    ("410102", 2),  # 郑州
    ("370102", 2),  # 济南
    ("371302", 2),  # 临沂
    ("510104", 2),  # 成都
    ("420102", 2),  # 武汉
    ("360102", 2),  # 南昌
    ("430102", 1),  # 长沙
    ("330102", 1),  # 杭州
    ("520102", 1),  # 贵阳
    ("500101", 1),  # 重庆 万州
    ("230102", 1),  # 哈尔滨
    ("620102", 1),  # 兰州
)
_MERGER_YEAR = 2013

_MOBILE_PREFIXES: tuple[str, ...] = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 176 177 178 "
    "180 181 182 183 185 186 187 188 189 191 198 199"
)


def _weighted(rng: random.Random, table: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, male: bool, born_year: int) -> str:
    era = "old" if born_year < 1960 else "mid" if born_year < 1990 else "young"
    return rng.choice(_GIVEN[(era, male)])


def birth_origin(rng: random.Random, born_year: int, migrant: bool) -> str:
    if migrant:
        return _weighted(rng, MIGRANT_ORIGINS)
    if born_year < _MERGER_YEAR and rng.random() < 0.05:
        return rng.choice(ABOLISHED_ORIGINS)
    return _weighted(rng, REGISTERED_ORIGINS)


class IdNumbers:
    """Hands out unique valid ID numbers; the sequence's parity carries the gender (odd = male)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, region: str, born: dt.date, male: bool) -> str:
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            body = f"{region}{born:%Y%m%d}{sequence:03d}"
            if body not in self.used:
                self.used.add(body)
                return body + id_check_char(body)


class Mobiles:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self) -> str:
        while True:
            number = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"
            if number not in self.used:
                self.used.add(number)
                return number


class CreditCodes:
    """Unique GB 32100 codes. Since 2015 new organisation codes start with MA; older ones are digits."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, prefix: str, region: str) -> str:
        while True:
            # Enterprises (9x) registered since 2015 have MA… codes; others keep numeric ones.
            if prefix.startswith("9") and self.rng.random() < 0.6:
                body = "MA" + "".join(self.rng.choice(USCC_CHARSET) for _ in range(6))
            else:
                body = f"{self.rng.randrange(10_000_000, 100_000_000)}"
            first17 = prefix + region + body + org_code_check_char(body)
            code = first17 + uscc_check_char(first17)
            if code not in self.used:
                self.used.add(code)
                return code
