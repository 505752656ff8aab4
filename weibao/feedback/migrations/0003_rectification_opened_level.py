from django.db import migrations, models

DISSATISFIED = (1, 2)



def opened_levels(apps, schema_editor):
    """The level that opened each existing rectification: the rating's own, unless the
    requester replaced a relayed dissatisfied rating (which had opened it); then the
    relayed level the audit trail kept. Left empty when neither is known."""
    Rectification = apps.get_model("feedback", "Rectification")
    AuditRecord = apps.get_model("audit", "AuditRecord")
    for item in Rectification.objects.select_related("rating").filter(opened_level__isnull=True):
        rating = item.rating
        level = rating.level
        if rating.superseded_at is not None:
            change = (
                AuditRecord.objects.filter(
                    action="rating.supersede", object_type="feedback.rating", object_id=str(rating.pk)
                ).order_by("at").first()
            )
            relayed = (change.before or {}).get("level") if change is not None else None
            if relayed in DISSATISFIED:
                level = relayed
            elif change is None and item.created_at < rating.superseded_at:
                level = None
        if level is not None:
            Rectification.objects.filter(pk=item.pk).update(opened_level=level)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_sealed_after_commit'),
        ('feedback', '0002_rating_phone_relay_superseded'),
    ]

    operations = [
        migrations.AddField(
            model_name='rectification',
            name='opened_level',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(5, '非常满意'), (4, '满意'), (3, '基本满意'), (2, '不满意'), (1, '非常不满意')], null=True, verbose_name='开启整改的评价'),
        ),
        migrations.RunPython(opened_levels, migrations.RunPython.noop),
    ]
