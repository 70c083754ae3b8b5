"""Django's flush, let through the append-only triggers (core.append_only) during test runs only.

TransactionTestCase and live-server tests flush the database between tests; on SQLite that is DELETE FROM every
table, which the triggers would refuse. Outside a test run `xiuhua flush` stays refused on SQLite: emptying the
audit trail is not an operation the application offers.
"""

from django.core import mail
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DatabaseError

from xiuhua.core.append_only import maintenance


def in_test_run() -> bool:
    # django.test.utils.setup_test_environment installs the outbox; nothing else does.
    return hasattr(mail, "outbox")


class Command(DjangoFlush):
    def handle(self, **options):
        if in_test_run():
            with maintenance():
                return super().handle(**options)
        try:
            return super().handle(**options)
        except (CommandError, DatabaseError) as exc:
            raise CommandError(f"审计记录与案卷过程记录只能追加，清空数据库被拒绝：{exc}") from exc
