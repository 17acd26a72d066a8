"""The seeded need taxonomy: 10 major classes and 18 minor ones (codes stable, names editable)."""

from __future__ import annotations

# (major code, major name, ((minor code, minor name), ...))
NEED_TAXONOMY: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("MED", "医疗健康", (("MED01", "健康咨询"), ("MED02", "陪同就医"), ("MED03", "心理疏导"))),
    ("CUL", "文化体育", (("CUL01", "文体活动"),)),
    ("ENV", "环境建设", (("ENV01", "环境整治"), ("ENV02", "绿化美化"))),
    ("REL", "社区关系", (("REL01", "邻里调解"),)),
    ("ELD", "养老助残", (("ELD01", "助老探访"), ("ELD02", "助餐配餐"), ("ELD03", "助残服务"))),
    ("EDU", "教育培训", (("EDU01", "课业辅导"), ("EDU02", "技能培训"))),
    ("LAW", "法律咨询", (("LAW01", "法律咨询"),)),
    ("JOB", "就业创业", (("JOB01", "就业指导"),)),
    ("FIX", "便民维修", (("FIX01", "家电维修"), ("FIX02", "水电维修"))),
    ("AID", "帮困济贫", (("AID01", "物资帮扶"), ("AID02", "助学帮扶"))),
)


def minor_codes() -> list[str]:
    return [code for _major, _name, minors in NEED_TAXONOMY for code, _n in minors]
