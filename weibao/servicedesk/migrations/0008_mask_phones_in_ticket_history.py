"""Requester phones in the ticket history masked, as update_ticket now writes them: the
history is shown to everyone who reads the ticket (the bureau viewer too), and a clear
phone is for those who call back, revealed on request and audited.

The masking rule is copied here as core.masking.mask_phone is today: a migration must not
change when the live function does."""

from django.db import migrations

BATCH = 1000


def mask(value) -> str:
    text = str(value or "").strip()
    if not text or "*" in text:  # empty, or masked already
        return text
    if len(text) >= 11 and text[-11:].isdigit():
        return text[:-8] + "****" + text[-4:]
    if len(text) > 4:
        return "*" * (len(text) - 4) + text[-4:]
    return "*" * len(text)


def mask_stored(apps, schema_editor):
    TicketEntry = apps.get_model("servicedesk", "TicketEntry")
    rows = TicketEntry.objects.filter(changes__has_key="requester_phone").only("pk", "changes")
    batch = []
    for entry in rows.iterator(chunk_size=BATCH):
        values = entry.changes["requester_phone"]
        masked = [mask(value) for value in values] if isinstance(values, list) else mask(values)
        if masked != values:
            entry.changes = {**entry.changes, "requester_phone": masked}
            batch.append(entry)
        if len(batch) >= BATCH:
            TicketEntry.objects.bulk_update(batch, ["changes"])
            batch = []
    if batch:
        TicketEntry.objects.bulk_update(batch, ["changes"])


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0007_supportgroup_hotline_follow_up")]

    operations = [migrations.RunPython(mask_stored, migrations.RunPython.noop, elidable=True)]
