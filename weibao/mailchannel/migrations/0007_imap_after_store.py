# Mailboxes polled before this kept marking their mail seen; they go on doing so. New
# mailboxes leave mail as it is unless the project manager chooses otherwise.

import django.db.models.deletion
import weibao.core.clock
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mailchannel', '0006_imap_start_from_now_and_fingerprint'),
    ]

    operations = [
        migrations.AddField(
            model_name='mailbox',
            name='imap_after_store',
            field=models.CharField(choices=[('leave', '保持原样（不标记、不移动）'), ('seen', '标记为已读'), ('move', '移到已处理文件夹')], default='seen', help_text='邮件保存后在邮件服务器上如何处理：保持原样、标记为已读，或移到已处理文件夹。', max_length=8, verbose_name='收信后'),
        ),
        migrations.AlterField(
            model_name='mailbox',
            name='imap_after_store',
            field=models.CharField(choices=[('leave', '保持原样（不标记、不移动）'), ('seen', '标记为已读'), ('move', '移到已处理文件夹')], default='leave', help_text='邮件保存后在邮件服务器上如何处理：保持原样、标记为已读，或移到已处理文件夹。', max_length=8, verbose_name='收信后'),
        ),
        migrations.AddField(
            model_name='mailbox',
            name='imap_processed_folder',
            field=models.CharField(blank=True, default='已处理', help_text='“移到已处理文件夹”时使用；文件夹不存在时自动创建。', max_length=100, verbose_name='已处理文件夹'),
        ),
        migrations.CreateModel(
            name='ImapPendingAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.CharField(max_length=520)),
                ('uidvalidity', models.BigIntegerField(null=True)),
                ('uid', models.BigIntegerField()),
                ('action', models.CharField(choices=[('leave', '保持原样（不标记、不移动）'), ('seen', '标记为已读'), ('move', '移到已处理文件夹')], max_length=8)),
                ('created_at', models.DateTimeField(default=weibao.core.clock.now)),
                ('mailbox', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mailchannel.mailbox')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('mailbox', 'position', 'uidvalidity', 'uid'), name='imap_action_once')],
            },
        ),
    ]
