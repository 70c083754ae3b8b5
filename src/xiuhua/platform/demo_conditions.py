"""Demo register conditions (立案条件): local settings of the demo city, not part of the national standard.

Values follow published local examples (see reference/standards.md §5.2): e.g. 暴露垃圾 4 working hours,
私搭乱建 stop within 4 working hours / demolish within 20 working days, 连续3盏路灯不亮 1 working day.
"""

from typing import NamedTuple


class Condition(NamedTuple):
    description: str
    urgency: str
    value: int
    unit: str
    close_condition: str
    department: str | None = None  # short code; None = the sub-district (属地兜底) via routing


H, D, U, N = "working_hours", "working_days", "urgent_hours", "natural_days"

MANHOLE = [
    Condition("井盖缺失，存在安全隐患", "urgent", 2, U, "已补盖或设置围挡警示"),
    Condition("井盖破损、松动、移位或下沉", "normal", 2, D, "井盖完好平稳，与路面平齐"),
]
LIGHT = [
    Condition("连续3盏及以上不亮", "normal", 1, D, "灯具恢复正常照明"),
    Condition("灯杆倾斜、灯具破损或脱落", "urgent", 4, U, "隐患消除，灯具修复"),
]
FACILITY = [
    Condition("设施破损、缺失或功能异常", "normal", 3, D, "设施修复或更换，功能正常"),
    Condition("设施倒伏、脱落等危及安全", "urgent", 4, U, "隐患已消除并设置警示"),
]
EVENT_DEFAULT = [Condition("问题属实，影响市容环境或街面秩序", "normal", 3, D, "问题消除，恢复正常")]

EVENT_CONDITIONS = {
    "06001": [
        Condition("正在搭建，需责令停工", "normal", 4, H, "已停止施工", "zhifa"),
        Condition("已建成的违法建筑", "normal", 20, D, "拆除完毕，恢复原状", "zhifa"),
    ],
    "06010": [Condition("暴露垃圾0.5平方米以上", "normal", 4, H, "垃圾清除，地面无残留")],
    "06011": [Condition("积存垃圾渣土1立方米以上", "normal", 2, D, "清运完毕，地面无残留")],
    "06012": [Condition("08:00后道路明显不洁", "normal", 2, H, "路面清洁")],
    "06014": [Condition("道路遗撒影响通行", "urgent", 2, U, "遗撒物清除，路面清洁", "zhifa")],
    "06027": [Condition("餐饮油烟直排扰民", "normal", 5, D, "安装净化设施或停止排放", "huanjing")],
    "06028": [Condition("噪声持续扰民", "normal", 1, D, "噪声源消除", "huanjing")],
    "06029": [Condition("占道露天烧烤", "urgent", 2, U, "烧烤已撤除", "zhifa")],
    "06034": [Condition("道路上停放的废弃车辆", "normal", 7, N, "车辆已移除", "jiaojing")],
    "06042": [Condition("垃圾站（箱）满溢", "normal", 4, H, "清运完毕，周边清洁")],
    "07001": [Condition("非法小广告张贴、涂写", "normal", 1, D, "广告清除，墙面无痕迹", "zhifa")],
    "07003": [Condition("违规设置户外广告", "normal", 5, D, "广告拆除或整改到位", "zhifa")],
    "08001": [Condition("夜间施工扰民", "urgent", 2, U, "已停止夜间施工", "zhifa")],
    "08004": [Condition("工地扬尘超标或未覆盖", "normal", 4, H, "裸土覆盖，洒水降尘", "zhujian")],
    "08011": [Condition("渣土车未密闭运输", "normal", 1, D, "车辆整改密闭", "zhifa")],
    "09006": [Condition("占道经营影响通行", "normal", 2, H, "摊点撤离，道路畅通", "zhifa")],
    "09009": [Condition("机动车违规停放", "normal", 2, H, "车辆驶离或已处罚", "jiaojing")],
    "09010": [Condition("非机动车乱停放", "normal", 4, H, "车辆摆放整齐")],
    "10001": [Condition("道路积雪、结冰影响通行", "urgent", 6, U, "积雪清除，路面无结冰", "chengtou")],
}

# Default department of event major classes 07–10; 06 (市容环境) falls to the sub-district.
EVENT_MAJOR_DEPARTMENT = {"07": "zhifa", "08": "zhujian", "09": "zhifa", "10": "chengtou"}

# Maintaining unit of component classes by code; anything else falls to MAJOR_MAINTAINER.
COMPONENT_MAINTAINER = {
    **dict.fromkeys(["01001", "01024", "01025", "01068", "01002", "01018", "01019", "01073"], "shuiwu"),
    **dict.fromkeys(["01005", "01028", "01029", "01030", "01047", "01048"], "gongdian"),
    **dict.fromkeys(["01006", "01037", "01038", "01039", "01060", "01077"], "chengtou"),
    **dict.fromkeys(["01007", "01008", "01009", "01027", "01031", "01062"], "dianxin"),
    **dict.fromkeys(["01012", "01050", "01051", "01066"], "gongan"),
    **dict.fromkeys(["02010", "02011", "02014", "02015", "02016", "02017", "02018", "02019", "02020"], "jiaojing"),
    **dict.fromkeys(["02012", "02013", "02038"], "minzheng"),
    **dict.fromkeys(["02004", "02005", "02044"], "jiaotong"),
    **dict.fromkeys(["03001", "03002", "03004", "03005", "03006", "03007", "03014"], "zhifa"),
    **dict.fromkeys(["03009", "03010", "03011", "03012", "03013"], "huanjing"),
}
MAJOR_MAINTAINER = {"01": "zhujian", "02": "zhujian", "03": "zhifa", "04": "zhujian", "05": "zhujian"}
MAJOR_SUPERVISOR = {"01": "zhujian", "02": "jiaotong", "03": "zhifa", "04": "zhujian", "05": "zhujian"}


def component_maintainer(code: str) -> str:
    return COMPONENT_MAINTAINER.get(code, MAJOR_MAINTAINER[code[:2]])


def conditions_for(kind: str, code: str, name: str) -> list[Condition]:
    """The demo register conditions of one class."""
    major = code[:2]
    if kind == "event" and major >= "06":
        base = EVENT_CONDITIONS.get(code, EVENT_DEFAULT)
        default = EVENT_MAJOR_DEPARTMENT.get(major)
        return [c if c.department else c._replace(department=default) for c in base]
    if "井盖" in name or "箅子" in name or "盖板" in name:
        base = MANHOLE
    elif "灯" in name and "信号灯" not in name:
        base = LIGHT
    else:
        base = FACILITY
    return [c._replace(department=component_maintainer(code)) for c in base]


# Common component classes and their relative frequency in a survey; the rest weigh 1.
COMPONENT_WEIGHTS = {
    "01001": 60,
    "01002": 80,
    "01003": 90,
    "01004": 70,
    "01005": 25,
    "01006": 20,
    "01007": 40,
    "01011": 15,
    "01030": 40,
    "01031": 30,
    "01037": 120,
    "01013": 15,
    "01060": 8,
    "01054": 6,
    "01075": 6,
    "02010": 30,
    "02012": 15,
    "02014": 8,
    "02017": 25,
    "02021": 30,
    "02025": 10,
    "02038": 40,
    "03005": 80,
    "03001": 4,
    "03006": 20,
    "03007": 40,
    "04002": 150,
    "04003": 15,
    "04007": 10,
    "04011": 40,
}
