"""The government-service lexicon's words are dictionary words now (issue 18): re-segment
the stored search terms."""

from django.db import migrations, models


def resegment(apps, schema_editor):
    from weibao.knowledge import text

    Article = apps.get_model("knowledge", "Article")
    for article in Article.objects.iterator(chunk_size=500):
        article.search_terms = text.document_terms(article.title, article.tags, article.body)
        article.save(update_fields=["search_terms"])
    SearchGeneration = apps.get_model("knowledge", "SearchGeneration")
    SearchGeneration.objects.update(generation=models.F("generation") + 1)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0006_search_learning")]
    operations = [migrations.RunPython(resegment, migrations.RunPython.noop)]
