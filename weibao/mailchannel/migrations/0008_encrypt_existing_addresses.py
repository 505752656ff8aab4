"""Senders of received mail and recipients of sent mail written before decision 0026
encrypted under WEIBAO_DATA_KEY (the sender with its keyed hash); backwards, written
back in clear. The stored format is versioned (``pd1:<key id>:…``), so the live
functions are used: a later format must keep reading this one."""

from django.db import migrations, models
from django.db.models import Value

from weibao.core.encrypted_fields import decrypt, encrypt, keyed_hash

BATCH = 500
# model: (encrypted field, its hash field or None)
FIELDS = {"InboundMail": ("from_address", "from_address_hash"), "OutboundMail": ("to_address", None)}


def _rewrite(apps, forward: bool) -> None:
    for model_name, (field, hash_field) in FIELDS.items():
        Model = apps.get_model("mailchannel", model_name)
        # Cast to plain text: the stored value as it is, not through the field's decryption.
        rows = Model.objects.annotate(stored=models.functions.Cast(field, models.TextField())).order_by("pk")
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last).values("pk", "stored")[:BATCH])
            if not batch:
                break
            for row in batch:
                clear = decrypt(row["stored"]) or ""
                update = {field: Value(encrypt(clear) if forward else clear, output_field=models.TextField())}
                if hash_field:
                    update[hash_field] = keyed_hash("email", clear) if forward else ""
                Model.objects.filter(pk=row["pk"]).update(**update)
            last = batch[-1]["pk"]


def encrypt_rows(apps, schema_editor):
    _rewrite(apps, forward=True)


def decrypt_rows(apps, schema_editor):
    _rewrite(apps, forward=False)


class Migration(migrations.Migration):

    dependencies = [("mailchannel", "0007_sender_and_recipient_encrypted")]

    operations = [migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False)]
