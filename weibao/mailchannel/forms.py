from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.core.stored_secrets import protect
from weibao.mailchannel.models import AfterStore, Mailbox
from weibao.mailchannel.services.imap import ca_bundle_valid, connection_problems
from weibao.mailchannel.services.mailboxes import REFUSED, address_problems
from weibao.servicedesk.models import Priority, TicketType


class MailboxForm(forms.ModelForm):
    default_type = forms.ChoiceField(label=_("新工单类型"), choices=TicketType.choices)
    default_priority = forms.ChoiceField(label=_("新工单优先级"), choices=Priority.choices)
    imap_password = forms.CharField(
        label=_("IMAP 密码"), required=False, max_length=200, widget=forms.PasswordInput(render_value=False),
        help_text=_("留空则不修改。可填 env:WEIBAO_IMAP_PASSWORD_名称，从该环境变量读取。"),
    )

    class Meta:
        model = Mailbox
        fields = [
            "address", "sender_name", "sender_address", "default_type", "default_priority",
            "notify_requester", "active", "imap_host", "imap_port", "imap_security", "imap_user",
            "imap_password", "imap_folder", "imap_ca_bundle", "imap_after_store", "imap_processed_folder",
        ]
        # A taken address is refused in the same words as a malformed one (no oracle).
        error_messages = {
            "address": {"invalid": REFUSED, "unique": REFUSED},
            "sender_address": {"invalid": REFUSED},
        }

    def clean_address(self):
        return self.cleaned_data["address"].strip().lower()

    def clean_sender_address(self):
        return self.cleaned_data["sender_address"].strip().lower()

    def clean_imap_ca_bundle(self):
        bundle = self.cleaned_data["imap_ca_bundle"].strip()
        if bundle and not ca_bundle_valid(bundle):
            raise forms.ValidationError(_("请粘贴 PEM 格式的 CA 证书（-----BEGIN CERTIFICATE----- 开头），不要包含私钥。"))
        return bundle + "\n" if bundle else ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form), the choice stays what it was.
        self.fields["imap_after_store"].required = False

    def clean_imap_after_store(self):
        return self.cleaned_data["imap_after_store"] or self.instance.imap_after_store or AfterStore.LEAVE

    def clean_imap_processed_folder(self):
        return self.cleaned_data["imap_processed_folder"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("imap_after_store") == AfterStore.MOVE:
            target = cleaned.get("imap_processed_folder", "")
            if not target:
                self.add_error("imap_processed_folder", _("请填写已处理文件夹。"))
            elif target.lower() == (cleaned.get("imap_folder") or "INBOX").strip().lower():
                # Moved into the folder it is read from, a message would come back as new mail.
                self.add_error("imap_processed_folder", _("已处理文件夹不能是收信的文件夹。"))
        problems = address_problems(
            self.instance, address=cleaned.get("address", ""), sender_address=cleaned.get("sender_address", ""),
        )
        if cleaned.get("imap_host"):
            problems.update(connection_problems(
                host=cleaned["imap_host"], port=cleaned.get("imap_port"), security=cleaned.get("imap_security", ""),
                password=cleaned.get("imap_password") or "",
            ))
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        if not self.cleaned_data.get("imap_password") and self.instance.pk:
            mailbox.imap_password = Mailbox.objects.get(pk=self.instance.pk).imap_password
        else:
            mailbox.imap_password = protect(mailbox.imap_password)
        if commit:
            mailbox.save()
        return mailbox
