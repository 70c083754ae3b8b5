"""Django's flush, let through the append-only triggers (core.append_only).

TransactionTestCase and live-server tests flush the database between tests; on SQLite that is DELETE FROM every
table, which the triggers would refuse. Only this command, in this process, opens the maintenance switch.
"""

from django.core.management.commands.flush import Command as DjangoFlush

from xiuhua.core.append_only import maintenance


class Command(DjangoFlush):
    def handle(self, **options):
        with maintenance():
            return super().handle(**options)
