from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from weibao.demo import load_all


class Command(BaseCommand):
    help = "Load the demo data (seed contract HTDZ202602135 and its team). Safe to run twice."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "load_demo refuses to run in production mode (WEIBAO_MODE=production): "
                "demo accounts have a published password."
            )
        summary = load_all()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}"))
