"""Tokens issued before tokens had a lifetime get one: created + the default 90 days."""

from datetime import timedelta

from django.db import migrations
from django.db.models import F


def give_lifetime(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=F("created_at") + timedelta(days=90))


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    operations = [migrations.RunPython(give_lifetime, migrations.RunPython.noop)]
