"""Suggested classes for text without one (a 12345 work order): a classifier trained on the platform's own
closed cases, description → case class.

Choices, and why:

- Features are TF-IDF over two views of the text. Words from jieba (unigrams and bigrams) carry phrases
  such as 「占道 经营」 or 「井盖 破损」; character bigrams catch what jieba segments differently from one
  text to the next, typos, and words its dictionary lacks (「乱停」, 「满溢」), which matters for short
  inspector notes. Digit runs are folded to one token first: house numbers, counts and phone numbers say
  nothing about the class. Sublinear TF keeps a word repeated in a long complaint from dominating, and
  terms seen in only one case are dropped (they cannot generalise and only enlarge the stored model).
- The model is multinomial logistic regression: linear models are the strong baseline for short-text
  classification with sparse features, train in seconds on a district's cases, and its softmax gives
  probabilities directly, so the confidence shown to the operator needs no separate calibration step
  (LinearSVC would need cross-validated calibration, which fails for classes with two or three cases).
- Accuracy is measured honestly before the model is kept: a stratified 20 % of the cases is held out,
  the model is fitted on the rest and scored top-1 and top-3 on the held-out part, next to the
  majority-class baseline; then it is refitted on all cases and stored. Classes with fewer than two
  closed cases cannot be split and are left out (and named in the notes).

The fitted pipeline is stored in `ClassifierModel` (joblib in a BinaryField) so every web process uses
the same model; each process keeps the active one in memory and loads a newer one when it appears.
"""

from __future__ import annotations

import io
import logging
import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import jieba
import joblib
import numpy as np
from django.db import transaction
from django.utils import timezone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

from xiuhua.cases.choices import CaseStatus
from xiuhua.cases.models import Case
from xiuhua.catalog.models import CaseClass
from xiuhua.core.errors import DomainError
from xiuhua.intake.models import ClassifierModel

jieba.setLogLevel(logging.WARNING)

MIN_CASES = 50
MIN_CLASSES = 2
MIN_PER_CLASS = 2
HELD_OUT_SHARE = 0.2
MAX_TEXT = 2000
MAX_TOP = 10
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ClassSuggestion:
    code: str
    kind: str
    name: str
    confidence: float


class NotEnoughCases(DomainError):
    def __init__(self, usable: int, classes: int) -> None:
        super().__init__(
            f"已结案案卷不足，无法训练分类模型：需要至少 {MIN_CASES} 件、分属至少 {MIN_CLASSES} 个小类"
            f"（每个小类至少 {MIN_PER_CLASS} 件才参与训练）；现有可用 {usable} 件、{classes} 个小类。",
            code="not_enough_cases",
        )


@dataclass
class TrainingResult:
    model: ClassifierModel
    seconds: float
    dropped: dict[str, int] = field(default_factory=dict)  # label → cases, for classes left out
    baseline_top3: float = 0.0


def normalise(text: str) -> str:
    return _SPACE.sub(" ", _DIGITS.sub("0", text or "")).strip()


def tokenize(text: str) -> list[str]:
    """jieba words of the normalised text, without spaces; module-level so the stored pipeline can find it."""
    return [w for w in jieba.lcut(normalise(text)) if w.strip()]


def label_of(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def build_pipeline(seed: int = 0) -> Pipeline:
    words = TfidfVectorizer(
        tokenizer=tokenize, token_pattern=None, lowercase=False, ngram_range=(1, 2), sublinear_tf=True, min_df=2
    )
    chars = TfidfVectorizer(preprocessor=normalise, analyzer="char", ngram_range=(2, 2), sublinear_tf=True, min_df=2)
    return Pipeline(
        [
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("model", LogisticRegression(C=10.0, max_iter=2000, random_state=seed)),
        ]
    )


def closed_cases() -> tuple[list[str], list[str]]:
    """Descriptions and labels (kind:code) of every closed case."""
    rows = Case.objects.filter(status=CaseStatus.CLOSED).values_list(
        "description", "case_class__kind", "case_class__code"
    )
    texts, labels = [], []
    for description, kind, code in rows.iterator():
        if description and description.strip():
            texts.append(description)
            labels.append(label_of(kind, code))
    return texts, labels


def _usable(texts: list[str], labels: list[str]) -> tuple[list[str], list[str], dict[str, int]]:
    counts = Counter(labels)
    dropped = {label: n for label, n in counts.items() if n < MIN_PER_CLASS}
    kept = [(t, label) for t, label in zip(texts, labels, strict=True) if label not in dropped]
    usable_labels = [label for _t, label in kept]
    if len(kept) < MIN_CASES or len(set(usable_labels)) < MIN_CLASSES:
        raise NotEnoughCases(len(kept), len(set(usable_labels)))
    return [t for t, _label in kept], usable_labels, dropped


def _top_k_hits(pipeline: Pipeline, texts: list[str], labels: list[str], k: int) -> float:
    probabilities = pipeline.predict_proba(texts)
    classes = pipeline.classes_
    best = np.argsort(-probabilities, axis=1)[:, :k]
    return float(np.mean([label in classes[row] for label, row in zip(labels, best, strict=True)]))


def _held_out_scores(texts: list[str], labels: list[str], seed: int) -> dict[str, float]:
    """Fit on 80 % and score the stratified 20 % held out: top-1, top-3, and the majority baselines."""
    classes = len(set(labels))
    # Stratifying needs at least one held-out case per class; every class has two, so this always fits.
    held_out = max(math.ceil(len(texts) * HELD_OUT_SHARE), classes)
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=held_out, stratify=labels, random_state=seed
    )
    pipeline = build_pipeline(seed).fit(train_x, train_y)
    frequent = [label for label, _n in Counter(train_y).most_common(3)]
    return {
        "held_out": len(test_y),
        "top1": _top_k_hits(pipeline, test_x, test_y, 1),
        "top3": _top_k_hits(pipeline, test_x, test_y, 3),
        "baseline_top1": float(np.mean([y == frequent[0] for y in test_y])),
        "baseline_top3": float(np.mean([y in frequent for y in test_y])),
    }


def _dump(pipeline: Pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def describe_labels(counts: dict[str, int]) -> str:
    """「06027 油烟污染（事件，1 件）」 for each label, for messages about classes left out."""
    codes = {label.split(":", 1)[1] for label in counts}
    rows = CaseClass.objects.filter(code__in=codes).values_list("kind", "code", "name")
    names = {label_of(kind, code): name for kind, code, name in rows}
    words = {"component": "部件", "event": "事件"}
    return "、".join(
        f"{label.split(':', 1)[1]} {names.get(label, '')}（{words.get(label.split(':', 1)[0], '')}，{n} 件）"
        for label, n in sorted(counts.items())
    )


def _notes(scores: dict[str, float], dropped: dict[str, int], demo_share: float) -> str:
    lines = [
        f"准确率在按小类分层留出的 {scores['held_out']} 件已结案案卷上测得（这些案卷不参与该次拟合）："
        f"首选小类正确 {scores['top1']:.1%}，前三个建议中含正确小类 {scores['top3']:.1%}；"
        f"总是猜最常见小类的基线为首选 {scores['baseline_top1']:.1%}、前三 {scores['baseline_top3']:.1%}。"
        "测得后用全部案卷重新训练保存。数值只说明与本平台已结案案卷描述相似的文字能否分对，"
        "新的说法、新的问题类型会更差；建议仅供受理员参考，分类以人工确认为准。",
    ]
    if dropped:
        lines.append(f"以下小类已结案案卷少于 {MIN_PER_CLASS} 件，未参与训练，也不会被建议：{describe_labels(dropped)}")
    if demo_share >= 0.5:
        lines.append(
            f"训练案卷中 {demo_share:.0%} 由演示账号上报（演示历史的描述由模板生成，比真实热线文字规整得多），"
            "准确率反映的是模板类别的可分程度，不代表真实效果。"
        )
    return "\n".join(lines)


def _demo_share() -> float:
    closed = Case.objects.filter(status=CaseStatus.CLOSED)
    total = closed.count()
    return closed.filter(reporter__is_demo=True).count() / total if total else 0.0


def train(seed: int = 0, now: datetime | None = None) -> TrainingResult:
    """Measure on a held-out part, refit on all closed cases, store as the active model; refuses too few cases."""
    started = time.perf_counter()
    texts, labels, dropped = _usable(*closed_cases())
    scores = _held_out_scores(texts, labels, seed)
    pipeline = build_pipeline(seed).fit(texts, labels)
    with transaction.atomic():
        ClassifierModel.objects.filter(active=True).update(active=False)
        model = ClassifierModel.objects.create(
            trained_at=now or timezone.now(),
            case_count=len(texts),
            class_count=len(set(labels)),
            held_out_count=scores["held_out"],
            top1_accuracy=scores["top1"],
            top3_accuracy=scores["top3"],
            baseline_accuracy=scores["baseline_top1"],
            active=True,
            pipeline=_dump(pipeline),
            notes=_notes(scores, dropped, _demo_share()),
        )
    return TrainingResult(model, round(time.perf_counter() - started, 2), dropped, scores["baseline_top3"])


# -- suggestions


@dataclass(frozen=True)
class _Loaded:
    model_id: int
    pipeline: Pipeline


_loaded: _Loaded | None = None
_loading = threading.Lock()


def active_model_id() -> int | None:
    return (
        ClassifierModel.objects.filter(active=True).order_by("-trained_at", "-id").values_list("pk", flat=True).first()
    )


def _active_pipeline() -> Pipeline | None:
    """The active model, loaded once per process; one small query per call notices a newer one."""
    global _loaded
    model_id = active_model_id()
    if model_id is None:
        return None
    current = _loaded
    if current is not None and current.model_id == model_id:
        return current.pipeline
    with _loading:
        if _loaded is None or _loaded.model_id != model_id:
            blob = ClassifierModel.objects.filter(pk=model_id).values_list("pipeline", flat=True).first()
            if blob is None:  # deleted between the two queries
                return None
            _loaded = _Loaded(model_id, joblib.load(io.BytesIO(bytes(blob))))
        return _loaded.pipeline


def active_model_summary() -> dict | None:
    """Date, size and measured accuracy of the active model, for clients to show beside a suggestion."""
    row = (
        ClassifierModel.objects.filter(active=True)
        .order_by("-trained_at", "-id")
        .values("trained_at", "case_count", "top1_accuracy", "top3_accuracy", "baseline_accuracy")
        .first()
    )
    if row is not None:
        row["trained_at"] = row["trained_at"].isoformat()
        for key in ("top1_accuracy", "top3_accuracy", "baseline_accuracy"):
            row[key] = round(row[key], 4)
    return row


def forget_model() -> None:
    global _loaded
    _loaded = None


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError("请填写要分类的文字（text）", code="text_required")
    if len(text) > MAX_TEXT:
        raise DomainError(f"要分类的文字最多 {MAX_TEXT} 字", code="text_too_long")
    return text


def suggest_classes(text: str, top: int = 3) -> list[ClassSuggestion]:
    """The `top` most likely active classes for `text`, most likely first; empty when no model is trained."""
    text = _clean_text(text)
    pipeline = _active_pipeline()
    if pipeline is None:
        return []
    probabilities = pipeline.predict_proba([text])[0]
    ranked = [(pipeline.classes_[i], float(probabilities[i])) for i in np.argsort(-probabilities)]
    wanted = ranked[: max(1, min(top, MAX_TOP)) + 5]  # a few spare in case a class was deactivated since
    codes = {label.split(":", 1)[1] for label, _p in wanted}
    rows = CaseClass.objects.filter(active=True, code__in=codes).values_list("kind", "code", "name")
    names = {label_of(kind, code): name for kind, code, name in rows}
    suggestions = [
        ClassSuggestion(label.split(":", 1)[1], label.split(":", 1)[0], names[label], round(p, 4))
        for label, p in wanted
        if label in names
    ]
    return suggestions[: max(1, min(top, MAX_TOP))]
