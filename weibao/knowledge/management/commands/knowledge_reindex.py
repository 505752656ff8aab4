from django.core.management.base import BaseCommand

from weibao.knowledge.services.articles import reindex_all


class Command(BaseCommand):
    help = "Re-segment every knowledge-base article (after changing the user dictionary)."

    def handle(self, *args, **options):
        count = reindex_all()
        self.stdout.write(f"re-indexed {count} articles")
