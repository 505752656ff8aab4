"""Requester phones become digits only, as tickets.normalise_phone now stores them: a
number typed "139-1234-5678" is then found by the portal's follow-up and the hotline's
caller history. A value without any digit becomes empty (it was no phone number)."""

from django.db import migrations

BATCH = 1000


def normalise(apps, schema_editor):
    Ticket = apps.get_model("servicedesk", "Ticket")
    # Only rows holding something other than digits; on PostgreSQL and SQLite alike.
    rows = Ticket.objects.exclude(requester_phone="").filter(requester_phone__regex=r"[^0-9]")
    batch = []
    for ticket in rows.only("pk", "requester_phone").iterator(chunk_size=BATCH):
        ticket.requester_phone = "".join(ch for ch in ticket.requester_phone if ch.isdigit())
        batch.append(ticket)
        if len(batch) >= BATCH:
            Ticket.objects.bulk_update(batch, ["requester_phone"])
            batch = []
    if batch:
        Ticket.objects.bulk_update(batch, ["requester_phone"])


class Migration(migrations.Migration):

    dependencies = [
        ("servicedesk", "0005_ticket_urged_at_ticket_urged_count_and_more"),
    ]

    # The typed form is not kept: going back leaves the digits, which every lookup uses.
    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
