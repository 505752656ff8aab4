"""Mail in and out of a contract's service desk.

Inbound mail is stored raw before anything else happens to it, so a message that cannot
be parsed or routed now is kept, shown to the project manager and retried — never lost.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel
from weibao.core import clock
from weibao.core.encrypted_fields import EncryptedCharField, KeyedHashField, PersonalDataModel
from weibao.mailchannel.screening import describe


class ImapSecurity(models.TextChoices):
    TLS = "tls", _("TLS（993 端口）")
    STARTTLS = "starttls", _("STARTTLS（143 端口）")
    PLAIN = "plain", _("不加密（仅测试环境）")


class AfterStore(models.TextChoices):
    """What the poller does on the IMAP server with a message once it is stored."""

    LEAVE = "leave", _("保持原样（不标记、不移动）")
    SEEN = "seen", _("标记为已读")
    MOVE = "move", _("移到已处理文件夹")


class Mailbox(ContractScopedModel):
    """The service-desk address of one contract: where mail arrives and who sends replies."""

    address = models.EmailField(
        _("服务邮箱"), unique=True,
        help_text=_("请求人写信的地址；SMTP/LMTP 接收按此地址分配到合同。"),
    )
    sender_name = models.CharField(_("发件人名称"), max_length=100, blank=True)
    sender_address = models.EmailField(
        _("发件地址"), blank=True, help_text=_("通知邮件的 From；留空则用服务邮箱。")
    )
    default_type = models.CharField(_("新工单类型"), max_length=20, default="consultation")
    default_priority = models.CharField(_("新工单优先级"), max_length=2, default="p3")
    notify_requester = models.BooleanField(_("向请求人发送邮件通知"), default=True)
    active = models.BooleanField(_("启用"), default=True)

    imap_host = models.CharField(_("IMAP 服务器"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP 端口"), default=993)
    imap_security = models.CharField(
        _("IMAP 连接加密"), max_length=8, choices=ImapSecurity.choices, default=ImapSecurity.TLS,
        help_text=_("服务器证书和主机名始终会被验证。"),
    )
    imap_ca_bundle = models.TextField(
        _("内部 CA 证书"), blank=True,
        help_text=_("IMAP 服务器使用内部 CA 签发的证书时，粘贴该 CA 的 PEM 证书；留空则使用系统信任的证书机构。"),
    )
    imap_user = models.CharField(_("IMAP 用户名"), max_length=200, blank=True)
    # Stored encrypted (weibao.core.stored_secrets), or as an env:NAME reference.
    imap_password = models.CharField(_("IMAP 密码"), max_length=400, blank=True)
    imap_folder = models.CharField(_("IMAP 文件夹"), max_length=100, default="INBOX")
    imap_after_store = models.CharField(
        _("收信后"), max_length=8, choices=AfterStore.choices, default=AfterStore.LEAVE,
        help_text=_("邮件保存后在邮件服务器上如何处理：保持原样、标记为已读，或移到已处理文件夹。"),
    )
    imap_processed_folder = models.CharField(
        _("已处理文件夹"), max_length=100, default="已处理", blank=True,
        help_text=_("“移到已处理文件夹”时使用；文件夹不存在时自动创建。"),
    )
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_last_uid = models.BigIntegerField(default=0)
    # Which account and folder imap_last_uid counts in: another one starts from now.
    imap_position_of = models.CharField(max_length=520, blank=True)
    # A lease, not a lock held open: a poll takes it with one conditional UPDATE (atomic on
    # SQLite and PostgreSQL alike, across processes and machines); a poller that dies
    # leaves it to run out.
    imap_polling_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(_("最近收信"), null=True, blank=True)
    last_poll_error = models.TextField(_("最近收信错误"), blank=True)

    class Meta:
        verbose_name = _("服务邮箱")
        ordering = ["contract_id", "address"]

    def __str__(self) -> str:
        return self.address

    @property
    def from_address(self) -> str:
        return self.sender_address or self.address

    @property
    def imap_position(self) -> str:
        return f"{self.imap_user}@{self.imap_host.strip().lower().rstrip('.')}/{self.imap_folder or 'INBOX'}"

    @property
    def imap_encrypted(self) -> bool:
        return self.imap_security != ImapSecurity.PLAIN

    @property
    def polls_imap(self) -> bool:
        return bool(self.active and self.imap_host and self.imap_user)


class ImapPendingAction(models.Model):
    """A message stored from IMAP whose after-store action (mark seen, move) is not done yet.

    Written in the transaction that stores the message and deleted once the server did it,
    so a poller that died in between leaves this row and the next poll finishes the job;
    the message itself is never fetched again (the mailbox's position is already past it).
    """

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="+")
    # The folder and numbering the UID counts in: another one cannot be acted on.
    position = models.CharField(max_length=520)
    uidvalidity = models.BigIntegerField(null=True)
    uid = models.BigIntegerField()
    action = models.CharField(max_length=8, choices=AfterStore.choices)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "position", "uidvalidity", "uid"], name="imap_action_once")
        ]


class InboundMail(PersonalDataModel, ContractScopedModel):
    class Source(models.TextChoices):
        IMAP = "imap", "IMAP"
        SMTP = "smtp", "SMTP"
        LMTP = "lmtp", "LMTP"
        UPLOAD = "upload", _("上传")

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        PROCESSED = "processed", _("已处理")
        IGNORED = "ignored", _("已忽略")
        FAILED = "failed", _("处理失败")

    class Outcome(models.TextChoices):
        NONE = "", "—"
        CREATED = "created", _("新建工单")
        REPLIED = "replied", _("追加回复")
        AUTO_REPLY = "auto_reply", _("自动回复")
        BOUNCE = "bounce", _("退信")
        LOOP = "loop", _("邮件循环")
        DUPLICATE = "duplicate", _("重复邮件")
        ALERT = "alert", _("告警")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="inbound")
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    raw = models.BinaryField(_("原始邮件"))
    size = models.PositiveIntegerField(default=0)
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True, db_index=True)
    # parsing.content_fingerprint: recognises a mail seen twice without a Message-ID.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    # The sender is usually a citizen: encrypted at rest, found by exact address (decision 0026).
    from_address = EncryptedCharField(_("发件人"), max_length=320, blank=True)
    from_address_hash = KeyedHashField(source="from_address", kind="email", db_index=True)
    subject = models.CharField(_("主题"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("收到时间"), default=clock.now, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, blank=True)
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    ticket = models.ForeignKey(
        "servicedesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("错误"), blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("收到的邮件")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.subject or self.message_id

    @property
    def reason_label(self) -> str:
        """Why it was handled so, in the reader's words (the rule, not its code)."""
        return describe(self.reason)[0]

    @property
    def reason_evidence(self) -> str:
        """The header or subject that showed it, as it was received."""
        return describe(self.reason)[1]


class MailReference(models.Model):
    """A Message-ID known to belong to a ticket (received or sent), for threading replies."""

    ticket = models.ForeignKey("servicedesk.Ticket", on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=500)
    outbound = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["message_id"])]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "message_id"], name="mail_reference_once")
        ]


class OutboundMail(ContractScopedModel):
    """A notification mail to a requester; sent at least once, retried with backoff."""

    class Kind(models.TextChoices):
        CREATED = "created", _("已受理")
        REPLIED = "replied", _("回复")
        RESOLVED = "resolved", _("已解决")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    ticket = models.ForeignKey("servicedesk.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    # The requester's address: encrypted at rest (decision 0026).
    to_address = EncryptedCharField(_("收件人"), max_length=320)
    from_address = models.CharField(_("发件人"), max_length=320)
    subject = models.CharField(_("主题"), max_length=500)
    body = models.TextField(_("内容"))
    message_id = models.CharField(max_length=500, unique=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    dedup_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    last_error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("发出的邮件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.subject
