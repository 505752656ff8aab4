"""Requesters' personal data written before decision 0026 encrypted under WEIBAO_DATA_KEY,
with its keyed hashes; backwards, written back in clear (hashes cleared).

The stored format is versioned (``pd1:<key id>:…``), so the live functions are used: a
later format must keep reading this one."""

from django.db import migrations, models
from django.db.models import Value

from weibao.core.encrypted_fields import decrypt, encrypt, keyed_hash

BATCH = 500
FIELDS = {"requester_name": "name", "requester_phone": "phone", "requester_email": "email"}


def _raw(Ticket):
    # Cast to plain text: the stored value as it is, not through the field's decryption.
    return Ticket.objects.annotate(
        **{f"raw_{name}": models.functions.Cast(name, models.TextField()) for name in FIELDS}
    ).order_by("pk")


def encrypt_rows(apps, schema_editor):
    Ticket = apps.get_model("servicedesk", "Ticket")
    last = 0
    while True:
        rows = list(_raw(Ticket).filter(pk__gt=last).values("pk", *(f"raw_{n}" for n in FIELDS))[:BATCH])
        if not rows:
            return
        for row in rows:
            clear = {name: decrypt(row[f"raw_{name}"]) or "" for name in FIELDS}
            update = {name: Value(encrypt(value), output_field=models.TextField()) for name, value in clear.items()}
            update |= {f"{name}_hash": keyed_hash(kind, clear[name]) for name, kind in FIELDS.items()}
            Ticket.objects.filter(pk=row["pk"]).update(**update)
        last = rows[-1]["pk"]


def decrypt_rows(apps, schema_editor):
    Ticket = apps.get_model("servicedesk", "Ticket")
    last = 0
    while True:
        rows = list(_raw(Ticket).filter(pk__gt=last).values("pk", *(f"raw_{n}" for n in FIELDS))[:BATCH])
        if not rows:
            return
        for row in rows:
            update = {name: Value(decrypt(row[f"raw_{name}"]) or "", output_field=models.TextField())
                      for name in FIELDS}
            update |= {f"{name}_hash": "" for name in FIELDS}
            Ticket.objects.filter(pk=row["pk"]).update(**update)
        last = rows[-1]["pk"]


class Migration(migrations.Migration):

    dependencies = [("servicedesk", "0010_requester_personal_data_encrypted")]

    operations = [migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False)]
