"""Fixed facts of the demo district: Haiyan County (海盐县, 330424), its towns, departments and names.

Codes of the county and its sub-districts/towns are the real statistical codes; communities, roads and
people are synthetic but named in the local style.
"""

from datetime import time
from typing import NamedTuple

DISTRICT = ("330424", "海盐县")
# (9-digit code, name, department short code, urban?) — real codes; 武原街道 is the county seat.
SUBDISTRICTS = [
    ("330424001", "武原街道", "wuyuan", True),
    ("330424002", "西塘桥街道", "xitangqiao", True),
    ("330424003", "望海街道", "wanghai", True),
    ("330424004", "秦山街道", "qinshan", True),
    ("330424101", "沈荡镇", "shendang", False),
    ("330424102", "百步镇", "baibu", False),
    ("330424103", "于城镇", "yucheng", False),
    ("330424104", "澉浦镇", "ganpu", False),
    ("330424106", "通元镇", "tongyuan", False),
]
# Placement of the nine on a 3x3 layout (row-major, north-west first), the county seat in the middle.
SUBDISTRICT_LAYOUT = [
    "330424101",
    "330424002",
    "330424102",
    "330424103",
    "330424001",
    "330424003",
    "330424106",
    "330424004",
    "330424104",
]

# (name, short code, short name, kind, unified social credit code or "")
PROFESSIONAL_DEPARTMENTS = [
    ("海盐县综合行政执法局", "zhifa", "综合执法局", "professional"),
    ("海盐县住房和城乡建设局", "zhujian", "住建局", "professional"),
    ("海盐县市场监督管理局", "shichang", "市场监管局", "professional"),
    ("海盐县公安局交通警察大队", "jiaojing", "交警大队", "professional"),
    ("嘉兴市生态环境局海盐分局", "huanjing", "生态环境分局", "professional"),
    ("海盐县民政局", "minzheng", "民政局", "professional"),
    ("海盐县交通运输局", "jiaotong", "交通运输局", "professional"),
    ("海盐县公安局", "gongan", "公安局", "professional"),
    ("海盐县城市投资集团有限公司", "chengtou", "城投集团", "company"),
    ("海盐县水务集团有限公司", "shuiwu", "水务集团", "company"),
    ("国网浙江海盐县供电有限公司", "gongdian", "供电公司", "company"),
    ("中国电信股份有限公司海盐分公司", "dianxin", "海盐电信", "company"),
]

COMMUNITY_STEMS = [
    "城东",
    "城西",
    "城南",
    "城北",
    "向阳",
    "枣园",
    "新桥",
    "海滨",
    "长安",
    "勤俭",
    "朝阳",
    "天宁",
    "虹桥",
    "华丰",
    "百尺",
    "绮园",
    "南台头",
    "三里桥",
    "梅园",
    "凤凰",
    "金星",
    "联合",
    "永兴",
    "丰义",
    "沈荡",
    "五圣",
    "白洋",
    "齐家",
    "六里",
    "紫金",
    "通元",
    "石泉",
    "雪水港",
    "庄家",
    "八团",
    "兴城",
    "新丰",
    "仓基",
    "西塘",
    "元通",
    "东港",
    "南北湖",
    "长山",
    "盐北",
    "横港",
    "镇海",
    "秦山",
    "杨家",
    "宝塔",
    "青莲",
]

ROAD_STEMS = [
    "海滨",
    "朝阳",
    "长安",
    "枣园",
    "新桥",
    "勤俭",
    "城北",
    "武原",
    "盐湖",
    "百尺",
    "华丰",
    "虹桥",
    "天宁",
    "县前",
    "西塘",
    "五圣",
    "通元",
    "望海",
    "秦山",
    "凤凰",
    "绮园",
    "盐平",
    "新丰",
    "沈荡",
    "兴城",
    "元通",
    "澉浦",
    "南北湖",
    "大桥",
    "金星",
    "梅园",
    "白洋",
    "长山",
    "海兴",
    "海盐",
    "向阳",
    "东港",
    "仓基",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅志新海燕林东晨浩宇欣怡子涵一鸣雨婷嘉琪"

SHOP_KINDS = ["便利店", "超市", "面馆", "水果店", "五金店", "药房", "理发店", "早餐店", "奶茶店", "饭店"]


class DemoRoutingRule(NamedTuple):
    name: str
    lead: str
    kind: str = ""
    major_code: str = ""
    area_code: str = ""
    start_time: time | None = None
    end_time: time | None = None
    assisting: tuple[str, ...] = ()
    priority: int = 100


ROUTING_RULES = [
    DemoRoutingRule("施工管理类事件由住建局主办", "zhujian", kind="event", major_code="08"),
    DemoRoutingRule("宣传广告类事件由综合行政执法局主办", "zhifa", kind="event", major_code="07"),
    DemoRoutingRule(
        "武原街道街面秩序：执法局主办、武原街道协办",
        "zhifa",
        kind="event",
        major_code="09",
        area_code="330424001",
        assisting=("wuyuan",),
    ),
    DemoRoutingRule(
        "夜间（22:00–06:00）街面秩序由公安局主办",
        "gongan",
        kind="event",
        major_code="09",
        start_time=time(22, 0),
        end_time=time(6, 0),
        priority=50,
    ),
    DemoRoutingRule("交通设施类部件由交通运输局主办", "jiaotong", kind="component", major_code="02"),
]
