from django.db import migrations, models

# The vendor roles whose ratings were the requester's words relayed on a call-back.
VENDOR_ROLES = ("hotline_agent", "resident_engineer", "oncall_engineer", "project_manager")


def relayed_ratings_are_phone(apps, schema_editor):
    """Ratings a vendor member recorded through the web or the API before this fix are
    call-backs: marked as such, so the requester's own rating may still supersede them."""
    Rating = apps.get_model("feedback", "Rating")
    Membership = apps.get_model("contracts", "Membership")
    vendor = Membership.objects.filter(
        role__in=VENDOR_ROLES, contract_id=models.OuterRef("contract_id"), user_id=models.OuterRef("recorded_by_id")
    )
    Rating.objects.filter(source__in=("web", "api"), recorded_by__isnull=False).filter(
        models.Exists(vendor)
    ).update(source="phone")


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0001_initial'),
        ('feedback', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='rating',
            name='superseded_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='请求人本人改评时间'),
        ),
        migrations.AlterField(
            model_name='rating',
            name='source',
            field=models.CharField(choices=[('portal', '门户'), ('api', '接口'), ('phone', '电话回访代录'), ('web', '系统')], max_length=10, verbose_name='来源'),
        ),
        # Reversing leaves them as phone: the source before the fix was the bug.
        migrations.RunPython(relayed_ratings_are_phone, migrations.RunPython.noop),
    ]
