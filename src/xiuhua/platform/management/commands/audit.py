"""`xiuhua audit verify`: walk the hash chains; `xiuhua audit purge --before DATE`: drop rows past retention."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from xiuhua.cases.event_chain import verify_case_events
from xiuhua.core import append_only
from xiuhua.core.errors import DomainError
from xiuhua.core.trail import purge_before, verify_audit_entries


class Command(BaseCommand):
    help = "审计记录：verify 校验哈希链与防篡改触发器；purge --before 日期 清除超过保留期的审计记录"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("verify", help="校验审计记录与案卷过程记录的哈希链")
        purge = sub.add_parser("purge", help="清除某日（北京时间）以前、已过保留期的审计记录")
        purge.add_argument("--before", required=True, type=date.fromisoformat, help="YYYY-MM-DD")

    def handle(self, *args, what: str, **options) -> None:
        if what == "verify":
            self.verify()
        else:
            self.purge(options["before"])

    def verify(self) -> None:
        audit_count, audit_break = verify_audit_entries()
        if audit_break:
            raise CommandError(f"审计链校验失败：{audit_break.message()}")
        event_count, event_break = verify_case_events()
        if event_break:
            raise CommandError(f"审计链校验失败：{event_break.message()}")
        if gone := append_only.missing(connection):
            raise CommandError(
                f"哈希链完好，但以下表的防篡改触发器缺失：{'、'.join(gone)}（运行 xiuhua migrate 可恢复）"
            )
        self.stdout.write(f"审计链完好：审计记录 {audit_count} 条，案卷过程记录 {event_count} 条")

    def purge(self, before: date) -> None:
        try:
            count = purge_before(before)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已清除 {before:%Y-%m-%d} 以前的审计记录 {count} 条")
