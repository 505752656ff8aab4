"""Requester phones as tickets.normalise_phone stores them: ASCII digits only and no China
country code, so a number typed "139-1234-5678" or "+86 139…" is found by the portal's
follow-up and the hotline's caller history, which normalise what is typed.

The rule is copied here as it is today: a migration must not change when the live
function does."""

from django.db import migrations

BATCH = 1000


def _without_country_code(digits: str) -> str:
    for prefix in ("0086", "86"):
        if not digits.startswith(prefix):
            continue
        rest = digits[len(prefix):]
        if len(rest) == 11 and rest.startswith("1"):
            return rest
        if rest.startswith("0") and 10 <= len(rest) <= 12:
            return rest
        if rest[:1] in "23456789" and 9 <= len(rest) <= 11:
            return "0" + rest
    return digits


def normalise(value: str) -> str:
    return _without_country_code("".join(ch for ch in value if ch in "0123456789"))


def normalise_stored(apps, schema_editor):
    Ticket = apps.get_model("servicedesk", "Ticket")
    rows = Ticket.objects.exclude(requester_phone="").filter(
        requester_phone__regex=r"([^0-9]|^86|^0086)"
    )
    batch = []
    for ticket in rows.only("pk", "requester_phone").iterator(chunk_size=BATCH):
        value = normalise(ticket.requester_phone)
        if value != ticket.requester_phone:
            ticket.requester_phone = value
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

    operations = [migrations.RunPython(normalise_stored, migrations.RunPython.noop)]
