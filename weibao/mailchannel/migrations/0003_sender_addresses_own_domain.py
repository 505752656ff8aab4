"""A sender address outside its mailbox's domain, or another contract's receiving address,
is cleared: notifications then go out from the receiving address (the documented default
for an empty sender), and no tenant keeps sending as a citizen or as another tenant."""

from django.db import migrations


def clear_foreign_senders(apps, schema_editor):
    Mailbox = apps.get_model("mailchannel", "Mailbox")
    receiving = {address.lower(): contract_id for address, contract_id in Mailbox.objects.values_list("address", "contract_id")}
    for mailbox in Mailbox.objects.exclude(sender_address=""):
        sender = mailbox.sender_address.lower()
        own_domain = sender.rpartition("@")[2] == mailbox.address.lower().rpartition("@")[2]
        owner = receiving.get(sender, mailbox.contract_id)
        if not own_domain or owner != mailbox.contract_id:
            Mailbox.objects.filter(pk=mailbox.pk).update(sender_address="")


class Migration(migrations.Migration):

    dependencies = [
        ("mailchannel", "0002_imap_password_encrypted"),
    ]

    operations = [
        migrations.RunPython(clear_foreign_senders, migrations.RunPython.noop),
    ]
