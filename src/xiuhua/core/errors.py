"""Errors that carry a message for the user (Chinese by default) and never leave half-written data."""

from dataclasses import dataclass, field


class DomainError(Exception):
    """A rule of the domain refused the request; `message` is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotFound(DomainError):
    status_code = 404

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")


class PermissionDenied(DomainError):
    status_code = 403

    def __init__(self, message: str) -> None:
        super().__init__(message, code="forbidden")


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file: 1-based row (0 = whole file) and column name."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        where = f"第 {self.row} 行" + (f"「{self.column}」列" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class ImportRejected(DomainError):
    """An import found errors; nothing was written. Every error is listed."""

    errors: list[RowError] = field(default_factory=list)

    def __post_init__(self) -> None:
        DomainError.__init__(self, self.summary(), code="import_rejected")

    def summary(self) -> str:
        head = f"导入失败，共 {len(self.errors)} 处错误，未写入任何数据："
        return "\n".join([head, *(str(e) for e in self.errors)])
