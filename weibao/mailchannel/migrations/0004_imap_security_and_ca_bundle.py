from django.db import migrations, models


def security_from_ssl(apps, schema_editor):
    Mailbox = apps.get_model("mailchannel", "Mailbox")
    Mailbox.objects.filter(imap_ssl=False).update(imap_security="plain")


def ssl_from_security(apps, schema_editor):
    Mailbox = apps.get_model("mailchannel", "Mailbox")
    Mailbox.objects.exclude(imap_security="tls").update(imap_ssl=False)


class Migration(migrations.Migration):

    dependencies = [
        ("mailchannel", "0003_sender_addresses_own_domain"),
    ]

    operations = [
        migrations.AddField(
            model_name="mailbox",
            name="imap_security",
            field=models.CharField(
                choices=[("tls", "TLS（993 端口）"), ("starttls", "STARTTLS（143 端口）"), ("plain", "不加密（仅测试环境）")],
                default="tls", help_text="服务器证书和主机名始终会被验证。", max_length=8, verbose_name="IMAP 连接加密",
            ),
        ),
        migrations.AddField(
            model_name="mailbox",
            name="imap_ca_bundle",
            field=models.TextField(
                blank=True,
                help_text="IMAP 服务器使用内部 CA 签发的证书时，粘贴该 CA 的 PEM 证书；留空则使用系统信任的证书机构。",
                verbose_name="内部 CA 证书",
            ),
        ),
        migrations.RunPython(security_from_ssl, ssl_from_security),
        migrations.RemoveField(model_name="mailbox", name="imap_ssl"),
    ]
