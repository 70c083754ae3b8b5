"""Catalogue actions: load a standard's classification table, add local extension classes."""

import csv
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction

from xiuhua.catalog.choices import STANDARD_REF, ClassKind
from xiuhua.catalog.models import CaseClass
from xiuhua.core import refcache
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, ImportRejected, RowError

STANDARD_CATALOG_FILE = Path(__file__).parent / "data" / "catalog-gbt-47678.5-2026.csv"
CATALOG_COLUMNS = ("kind", "major_code", "major_name", "code", "name")
EVENT_NAME_SUFFIX = "异常"


def read_catalog_rows(path: Path) -> list[dict[str, str]]:
    """Read and check a classification CSV; raise ImportRejected listing every bad row."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CATALOG_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportRejected([RowError(0, "", f"缺少列：{'、'.join(missing)}")])
        rows = [{k: (v or "").strip() for k, v in row.items()} for row in reader]
    errors = list(_catalog_row_errors(rows))
    if errors:
        raise ImportRejected(errors)
    return rows


def _catalog_row_errors(rows: list[dict[str, str]]) -> Iterable[RowError]:
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(rows, start=2):
        if row["kind"] not in ClassKind.values:
            yield RowError(number, "kind", f"类型「{row['kind']}」无效，应为 component 或 event")
        code = row["code"]
        if not (len(code) == 5 and code.isdigit()):
            yield RowError(number, "code", f"小类代码「{code}」应为 5 位数字")
        elif code[:2] != row["major_code"]:
            yield RowError(number, "major_code", f"小类代码「{code}」与大类代码「{row['major_code']}」不一致")
        if not row["name"]:
            yield RowError(number, "name", "名称不能为空")
        if (row["kind"], code) in seen:
            yield RowError(number, "code", f"代码「{code}」重复")
        seen.add((row["kind"], code))


def upsert_catalog(model: type[CaseClass], rows: list[dict[str, str]], standard_ref: str) -> int:
    """Create or update the classes of one standard version; `model` may be a migration's historical model."""
    existing = {(c.kind, c.code): c for c in model.objects.filter(standard_ref=standard_ref)}
    to_create, to_update = [], []
    for row in rows:
        fields = {k: row[k] for k in ("major_code", "major_name", "name")}
        current = existing.get((row["kind"], row["code"]))
        if current is None:
            to_create.append(model(standard_ref=standard_ref, kind=row["kind"], code=row["code"], **fields))
        else:
            for key, value in fields.items():
                setattr(current, key, value)
            to_update.append(current)
    model.objects.bulk_create(to_create)
    model.objects.bulk_update(to_update, ["major_code", "major_name", "name"])
    return len(to_create) + len(to_update)


@transaction.atomic
def load_catalog_file(path: Path, standard_ref: str = STANDARD_REF, actor=None) -> int:
    rows = read_catalog_rows(path)
    count = upsert_catalog(CaseClass, rows, standard_ref)
    refcache.bump()  # bulk writes send no signals: the memoised classes must be reloaded
    record_audit(actor, "catalog.loaded", target=standard_ref, summary=f"{count} classes from {path.name}")
    return count


@transaction.atomic
def add_local_class(kind: str, major_code: str, minor: int, name: str, actor=None) -> CaseClass:
    """Add a city's extension class: minor code 080–999 inside an existing major class."""
    if not 80 <= minor <= 999:
        raise DomainError(f"扩展小类编号应在 080–999 之间，收到 {minor:03d}")
    major = CaseClass.objects.filter(kind=kind, major_code=major_code).first()
    if major is None:
        raise DomainError(f"大类「{major_code}」不存在")
    code = f"{major_code}{minor:03d}"
    if CaseClass.objects.filter(standard_ref=major.standard_ref, kind=kind, code=code).exists():
        raise DomainError(f"代码「{code}」已存在")
    case_class = CaseClass.objects.create(
        standard_ref=major.standard_ref,
        kind=kind,
        major_code=major_code,
        major_name=major.major_name,
        code=code,
        name=name,
        is_local=True,
    )
    record_audit(actor, "catalog.local_class_added", target=code, summary=name)
    return case_class


def find_class(code: str, kind: str | None = None) -> CaseClass:
    """The active class with this 5-digit code (events first when the kind is not given)."""
    classes = CaseClass.objects.filter(code=code, active=True)
    if kind:
        classes = classes.filter(kind=kind)
    found = sorted(classes, key=lambda c: c.kind != ClassKind.EVENT)
    if not found:
        raise DomainError(f"未知的分类代码「{code}」", code="unknown_class")
    return found[0]
