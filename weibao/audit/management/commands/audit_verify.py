from django.core.management.base import BaseCommand, CommandError

from weibao.audit import anchors
from weibao.audit.models import AuditRecord
from weibao.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail: its keyed hash chain, seal times, and the signed checkpoints "
        "(anchors) kept in WEIBAO_AUDIT_ANCHOR_DIR and any given with --anchor; exit non-zero "
        "naming the first broken record."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor", action="append", default=[], metavar="FILE",
            help="an anchor file kept elsewhere (e.g. the auditor's downloaded copy); repeatable",
        )

    def handle(self, *args, **options):
        try:
            checkpoints = anchors.kept() + [anchors.read_file(path) for path in options["anchor"]]
        except anchors.BadAnchor as exc:
            raise CommandError(f"Audit anchor refused: {exc}") from exc
        for problem in verify_chain(anchors=checkpoints):
            where = f"record #{problem.seq}"
            if problem.record_id is not None:
                where += f" (id {problem.record_id})"
            raise CommandError(f"Audit trail broken at {where}: {problem.reason}")
        count = AuditRecord.objects.sealed().count()
        if checkpoints:
            latest = max(checkpoints, key=lambda anchor: anchor.seq)
            anchors_checked = f"{len(checkpoints)} anchor" + ("" if len(checkpoints) == 1 else "s")
            against = f"{anchors_checked}, the latest #{latest.seq} of {latest.anchored_at}"
        else:
            against = "no anchor: records cut from the end would not be noticed"
            self.stderr.write(self.style.WARNING(
                "No audit anchor found: run `weibao audit_anchor` (the scheduler does it every hour)."
            ))
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {count} records verified ({against})."))
