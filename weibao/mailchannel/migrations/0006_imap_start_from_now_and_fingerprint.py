from django.db import migrations, models


def position_of_polled_mailboxes(apps, schema_editor):
    """Mailboxes already polled keep reading where they stopped; the others start from now."""
    Mailbox = apps.get_model("mailchannel", "Mailbox")
    for box in Mailbox.objects.filter(imap_uidvalidity__isnull=False):
        host = box.imap_host.strip().lower().rstrip(".")
        box.imap_position_of = f"{box.imap_user}@{host}/{box.imap_folder or 'INBOX'}"
        box.save(update_fields=["imap_position_of"])


class Migration(migrations.Migration):

    dependencies = [
        ("mailchannel", "0005_imap_poll_lease"),
    ]

    operations = [
        migrations.AddField(
            model_name="mailbox",
            name="imap_position_of",
            field=models.CharField(blank=True, max_length=520),
        ),
        migrations.AddField(
            model_name="inboundmail",
            name="fingerprint",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(position_of_polled_mailboxes, migrations.RunPython.noop),
    ]
