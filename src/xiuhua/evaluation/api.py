"""Evaluation API: `GET /api/v1/evaluation/{object_type}?period=2026-10` — rows with indicators, score, grade, rank."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import DomainError
from xiuhua.evaluation.indicators import OBJECT_TYPES, formula
from xiuhua.evaluation.periods import PeriodError, parse_period
from xiuhua.evaluation.services import Evaluation, evaluate

router = Router(tags=["evaluation"])


class IndicatorOut(Schema):
    code: str
    label: str
    kind: str = Field(..., description="count 计数 | rate 比率（0–1）| average 平均分 | sum 合计（在岗小时、巡查公里）")
    formula: str
    higher_is_better: bool


class RowOut(Schema):
    key: str = Field(..., description="对象 id（区划、网格、部门或人员）")
    name: str
    values: dict[str, int | float | None] = Field(..., description="指标代码 → 数值；比率为 0–1，无分母时为 null")
    score: float | None
    grade: str = Field(..., description="A ≥ 90，B ≥ 75，C ≥ 60，D ≥ 40，E；无分数时为空")
    rank: int | None
    previous_score: float | None
    previous_rank: int | None
    rank_change: int | None = Field(None, description="名次变化，正数为上升")
    sample: int = Field(0, description="样本量：得分所依据的案件数（各对象类型的计数见 sample_indicator）")
    insufficient: bool = Field(False, description="样本不足：样本量低于 min_sample，不计分、不评级、不排名")


class EvaluationOut(Schema):
    object_type: str
    period: str
    previous_period: str
    scheme: list[dict] = Field(..., description="综合得分的构成：指标与权重")
    min_sample: int = Field(..., description="最低样本量（XIUHUA_EVALUATION_MIN_SAMPLE）")
    sample_indicator: str = Field(..., description="样本量所用的计数指标代码")
    indicators: list[IndicatorOut]
    rows: list[RowOut]


@router.get(
    "/evaluation/{object_type}",
    response={200: EvaluationOut, **ERRORS},
    summary="考核评价：各对象的指标、综合得分、等级与排名",
    description="object_type 为 " + "、".join(OBJECT_TYPES) + "；period 为 2026-10、2026-Q4、2026 或 "
    "2026-10-01..2026-10-15，缺省为本月（北京时间）。按调用者的数据范围统计。",
)
def get_evaluation(request: HttpRequest, object_type: str, period: str = ""):
    try:
        chosen = parse_period(period)
    except PeriodError as error:
        raise DomainError(str(error), code="invalid_period") from None
    return evaluation_body(evaluate(object_type, chosen, user=request.auth))


def evaluation_body(result: Evaluation) -> dict:
    return {
        "object_type": result.object_type,
        "period": result.period.code,
        "previous_period": result.period.previous().code,
        "scheme": result.scheme_components,
        "min_sample": result.min_sample,
        "sample_indicator": result.sample_indicator.code,
        "indicators": [
            {
                "code": indicator.code,
                "label": str(indicator.label),
                "kind": indicator.kind,
                "formula": formula(indicator),
                "higher_is_better": indicator.higher_is_better,
            }
            for indicator in result.indicators
        ],
        "rows": [row.__dict__ for row in result.rows],
    }
