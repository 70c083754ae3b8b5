from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from xiuhua.campaigns.choices import ProgressStatus
from xiuhua.cases.choices import CaseStatus
from xiuhua.core.errors import DomainError
from xiuhua.platform.demo import build_demo_city, has_territory
from xiuhua.platform.demo_campaigns import build_demo_campaigns
from xiuhua.platform.demo_history import build_demo_history
from xiuhua.platform.demo_patrol import build_demo_patrol

DEFAULT_HISTORY = 600


class Command(BaseCommand):
    help = "载入演示城市（海盐县）：行政区划、单元网格、道路、责任网格、部件、部门和演示账号（需要时先建库）。"

    def add_arguments(self, parser):
        parser.add_argument("--grids", type=int, default=2000, help="单元网格数量（默认 2000，最多约 98900）")
        parser.add_argument("--components", type=int, default=20000, help="部件数量（默认 20000）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子，相同参数生成相同城市")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有辖区数据时跳过而不报错")
        parser.add_argument(
            "--patrol-days",
            type=int,
            default=3,
            help="监督员巡查轨迹的天数：前 4 名监督员近几天上午、下午各一班（默认 3，0 表示不生成）",
        )
        parser.add_argument(
            "--history",
            type=int,
            default=DEFAULT_HISTORY,
            help=f"历史案卷数量：近 90 天内上报、经完整流程流转的案卷（默认 {DEFAULT_HISTORY}，0 表示不生成）",
        )

        parser.add_argument(
            "--no-campaigns", action="store_true", help="不生成海盐县的专项行动（默认生成，指标取自历史案卷）"
        )

    def handle(self, *args, grids, components, seed, if_empty, history, patrol_days, no_campaigns, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if if_empty and has_territory():
            self.stdout.write("数据库已有辖区数据，跳过演示城市。")
            return
        if history < 0:
            raise CommandError("历史案卷数量 --history 不能为负数")
        try:
            city = build_demo_city(grids=grids, components=components, seed=seed)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市已载入：{city.district.name}，{city.subdistricts} 个街道（镇），"
                f"{city.communities} 个社区（村），"
                f"{city.grids} 个单元网格，{city.roads} 条道路（{city.addresses} 个门牌），"
                f"{city.duty_grids} 个责任网格，{city.chiefs} 名网格长，"
                f"{city.components} 个部件，{city.departments} 个部门，{len(city.users)} 个演示账号。"
            )
        )
        if history:
            self._history(history, seed)
        if not no_campaigns:
            self._campaigns()
        if patrol_days > 0:
            patrol = build_demo_patrol(days=patrol_days, seed=seed)
            self.stdout.write(
                self.style.SUCCESS(
                    f"巡查轨迹已生成：{patrol.shifts} 个在岗班次，{patrol.points} 个定位点，共 {patrol.km} 公里。"
                )
            )

    def _history(self, count: int, seed: int) -> None:
        try:
            result = build_demo_history(count, seed=seed)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        statuses = dict(CaseStatus.choices)
        parts = "，".join(
            f"{statuses.get(s, s)} {n}" for s, n in sorted(result.by_status.items(), key=lambda item: -item[1])
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"历史案卷已生成：{result.cases} 件（{parts}），共 {result.actions} 次操作，"
                f"其中 {result.overdue} 件处置超期，用时 {result.seconds} 秒。"
            )
        )

    def _campaigns(self) -> None:
        result = build_demo_campaigns()
        labels = dict(ProgressStatus.choices)
        standing = "，".join(f"{labels[s]} {n}" for s, n in sorted(result.statuses.items(), key=lambda i: -i[1]))
        self.stdout.write(
            self.style.SUCCESS(
                f"专项行动已生成：{result.campaigns} 个行动，{result.tasks} 项任务，{result.targets} 个指标，"
                f"{result.tagged} 件关联案卷，{result.records} 条活动记录，"
                f"{result.entries} 条填报（{result.pending} 条待审核），{result.reports} 份进度报告；指标{standing}；"
                f"已冻结 {result.snapshots} 条月末快照。"
            )
        )
