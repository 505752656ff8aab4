from django.conf import settings
from django.core.management.base import BaseCommand

from weibao.core import clock
from weibao.servicedesk.services import retention


class Command(BaseCommand):
    help = (
        "Anonymise the requesters of tickets that ended more than "
        "WEIBAO_PERSONAL_DATA_RETENTION_DAYS ago (name → 匿名, phone and e-mail cleared). "
        "A dry run by default: prints what would be done, per contract; --apply does it, audited."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", default=True,
                          help="print the report only (the default)")
        mode.add_argument("--apply", action="store_true", help="anonymise, and audit it per contract")

    def handle(self, *args, apply: bool, **options):
        now = clock.now()
        days = settings.WEIBAO_PERSONAL_DATA_RETENTION_DAYS
        self.stdout.write(
            f"Retention: {days} days; tickets that ended on or before "
            f"{retention.cutoff(now).astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M} (Asia/Shanghai)."
        )
        rows = retention.anonymise(now) if apply else retention.report(now)
        if not rows:
            self.stdout.write("No requester is past the retention period.")
            return
        for row in rows:
            self.stdout.write(
                f"{row.contract_number}  {row.contract_name}: {row.tickets} ticket(s), "
                f"oldest ended {row.oldest_end.astimezone(clock.SHANGHAI):%Y-%m-%d}"
            )
        total = sum(row.tickets for row in rows)
        if apply:
            self.stdout.write(self.style.SUCCESS(f"Anonymised {total} requester(s)."))
        else:
            self.stdout.write(f"Dry run: {total} requester(s) would be anonymised. Run with --apply to do it.")
