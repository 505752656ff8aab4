"""Dictionary words are kept whole now (法人, 上传, 到期): re-segment the stored search terms."""

from django.db import migrations


def resegment(apps, schema_editor):
    from weibao.knowledge import text

    Article = apps.get_model("knowledge", "Article")
    for article in Article.objects.iterator(chunk_size=500):
        article.search_terms = text.document_terms(article.title, article.tags, article.body)
        article.save(update_fields=["search_terms"])


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(resegment, migrations.RunPython.noop)]
