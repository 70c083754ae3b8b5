import csv

from django.core.management.base import BaseCommand, CommandError

from xiuhua.core.errors import DomainError
from xiuhua.evaluation.indicators import OBJECT_TYPES
from xiuhua.evaluation.periods import PeriodError, parse_period
from xiuhua.evaluation.services import Evaluation, evaluate


class Command(BaseCommand):
    help = "考核评价：按对象类型输出各对象的指标、得分、等级和排名（CSV）。Prints an evaluation as CSV."

    def add_arguments(self, parser):
        parser.add_argument("object_type", help="对象类型：" + "、".join(OBJECT_TYPES))
        parser.add_argument(
            "--period", default="", help="期间：2026-10、2026-Q4、2026 或 2026-10-01..2026-10-15；缺省本月"
        )

    def handle(self, *args, object_type, period, **options):
        try:
            result = evaluate(object_type, parse_period(period))
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        write_csv(result, self.stdout)


def write_csv(result: Evaluation, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    labels = [str(indicator.label) for indicator in result.indicators]
    writer.writerow(["排名", "名次变化", "名称", "得分", "等级", *labels])
    for row in result.rows:
        values = [_cell(row.values[indicator.code], indicator.kind) for indicator in result.indicators]
        writer.writerow(
            [
                row.rank or "",
                row.rank_change or "",
                row.name,
                _cell(row.score, "score"),
                "样本不足" if row.insufficient else row.grade,
                *values,
            ]
        )


def _cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "rate":
        return f"{value:.2%}"
    if kind in ("average", "score"):
        return f"{value:.2f}"
    return str(value)
