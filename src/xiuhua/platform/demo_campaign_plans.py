"""Haiyan's campaigns as the annexes of its plan state them (seed 002): units, phases, goal and scope.

`platform.demo_campaigns` builds them, with their tasks and targets, into the demo city.
"""

from dataclasses import dataclass

from xiuhua.platform import demo_data as facts


@dataclass(frozen=True)
class Plan:
    """A campaign as the county's plan states it: lead and partner units, phase lengths in months, goal, scope."""

    name: str
    lead: tuple[str, ...]
    partners: tuple[str, ...]
    phase_months: tuple[int, int, int]
    goal: str
    scope: str
    public: bool = False


PLANS = {
    "PQKD": Plan(
        "破墙开店专项整治行动",
        ("zhifa",),
        ("zhujian", "shichang", "wuyuan"),
        (1, 9, 2),
        "按照整治区块排定时间节点，分时、分批、分区稳步推进，确保整治一段、成功一段。",
        "武原街道建成区沿街破墙开店房屋：天宁寺路（百尺路至天宁寺路段）、长邮路、油厂弄（天宁寺路至城北路）、文昌路。",
        public=True,
    ),
    "TCZZ": Plan(
        "城区停车秩序专项整治行动",
        ("jiaojing", "zhifa"),
        ("zhujian", "chengtou", "wuyuan"),
        (3, 7, 2),
        "新增、修复机动车位300个以上，施划非机动车停车位50处，查处违停10000辆次以上，清理僵尸车60辆以上。",
        "武原街道建成区主要路段、小区、学校、农贸市场周边人行道及公共停车场所。",
    ),
    "LDTF": Plan(
        "流动摊贩及占道经营专项整治",
        ("zhifa",),
        ("shichang", *(short for _c, _n, short, _u in facts.SUBDISTRICTS)),
        (2, 8, 2),
        "全年规劝违法行为5000次以上，每月至少开展3次专项整治，办理简易程序案件180起，一般程序案件80起。",
        "城区主次干道、农贸市场、学校周边的流动摊贩和占道经营。",
    ),
    "HWGG": Plan(
        "户外广告专项整治",
        ("zhifa",),
        ("zhujian", "shichang", "chengtou"),
        (3, 3, 6),
        "全年完成户外广告整治300处，每周将拆除、整改情况报整治领导小组办公室。",
        "县城区内的户外广告、牌匾标识和标语宣传品。",
    ),
    "QLGL": Plan(
        "城市犬类管理集中整治",
        ("wuyuan",),
        ("gongan", "zhifa", "shichang"),
        (3, 3, 6),
        "犬只登记500只以上，收容流浪犬1000只以上，犬只扰民投诉有效处置率90%以上。",
        "武原街道建成区内饲养的犬只和流浪犬。",
    ),
}
