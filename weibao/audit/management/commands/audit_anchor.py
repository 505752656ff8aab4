from django.core.management.base import BaseCommand, CommandError

from weibao.audit import anchors


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the audit chain head to WEIBAO_AUDIT_ANCHOR_DIR and the "
        "log (the scheduler does it every hour); print it, for a copy kept elsewhere."
    )

    def handle(self, *args, **options):
        try:
            anchor, path = anchors.write()
        except anchors.BadAnchor as exc:
            raise CommandError(f"No anchor written: {exc}") from exc
        self.stdout.write(anchor.as_json(), ending="")
        self.stderr.write(f"Audit anchor #{anchor.seq} written to {path}")
