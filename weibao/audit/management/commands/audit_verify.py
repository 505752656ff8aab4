from django.core.management.base import BaseCommand, CommandError

from weibao.audit.models import AuditRecord
from weibao.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero naming the first broken record."

    def handle(self, *args, **options):
        for problem in verify_chain():
            where = f"record #{problem.seq}"
            if problem.record_id is not None:
                where += f" (id {problem.record_id})"
            raise CommandError(f"Audit trail broken at {where}: {problem.reason}")
        count = AuditRecord.objects.sealed().count()
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {count} records verified."))
