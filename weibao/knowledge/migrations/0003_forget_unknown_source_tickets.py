"""Before ``source_ticket`` becomes a foreign key: forget ids that name no ticket of the
article's own contract (they could only come from tests with made-up tickets).

A migration of its own: on PostgreSQL, changing rows and then altering the same table in
one transaction fails ("pending trigger events").
"""

from django.db import migrations


def forget_unknown(apps, schema_editor):
    Article = apps.get_model("knowledge", "Article")
    Ticket = apps.get_model("servicedesk", "Ticket")
    linked = Article.objects.filter(source_ticket__isnull=False)
    for article_id, contract_id, ticket_id in linked.values_list(
        "id", "contract_id", "source_ticket"
    ):
        if not Ticket.objects.filter(pk=ticket_id, contract_id=contract_id).exists():
            Article.objects.filter(pk=article_id).update(source_ticket=None)


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_resegment_articles"),
        ("servicedesk", "0005_ticket_urged_at_ticket_urged_count_and_more"),
    ]
    operations = [migrations.RunPython(forget_unknown, migrations.RunPython.noop)]
