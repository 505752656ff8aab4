"""The project manager's view of the mail channel: what came in, what went out, mailboxes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.audit import services as audit
from weibao.contracts.access import requires
from weibao.contracts.roles import Capability
from weibao.core.encrypted_fields import search_hashes
from weibao.core.params import BadParameter, page_of, parse_date
from weibao.mailchannel import access, parsing
from weibao.mailchannel.forms import MailboxForm
from weibao.mailchannel.models import InboundMail, Mailbox, OutboundMail
from weibao.mailchannel.services import imap, inbound, outbound

PAGE_SIZE = 50


def _contract(request):
    return access.managed_contract(request.user, getattr(request, "contract", None))


@requires(Capability.MANAGE_MAIL)
@login_required
def inbox(request):
    contract = _contract(request)
    mails = InboundMail.objects.filter(contract=contract).select_related("ticket", "mailbox").defer("raw")
    status = request.GET.get("status", "")
    if status in InboundMail.Status.values:
        mails = mails.filter(status=status)
    outcome = request.GET.get("outcome", "")
    if outcome in InboundMail.Outcome.values and outcome:
        mails = mails.filter(outcome=outcome)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        # The sender is encrypted at rest: found by its exact address (decision 0026).
        mails = mails.filter(
            Q(subject__icontains=q) | Q(from_address_hash__in=search_hashes("email", q)) | Q(ticket__number=q)
        )
    counts = dict(
        InboundMail.objects.filter(contract=contract).values_list("status").annotate(n=Count("id"))
    )
    page = page_of(request, mails, PAGE_SIZE)
    return render(request, "mailchannel/inbox.html", {
        "contract": contract, "page": page, "status": status, "outcome": outcome, "q": q,
        "statuses": InboundMail.Status.choices, "outcomes": InboundMail.Outcome.choices[1:],
        "counts": counts, "mailboxes": Mailbox.objects.filter(contract=contract),
    })


@requires(Capability.MANAGE_MAIL)
@login_required
def detail(request, pk):
    mail = access.inbound_mail_for(request.user, pk)
    parsed = parsing.parse(bytes(mail.raw))
    audit.record("mail.inbound.read", obj=mail, actor=request.user, detail={"from": mail.from_address})
    return render(request, "mailchannel/detail.html", {"mail": mail, "parsed": parsed})


@requires(Capability.MANAGE_MAIL)
@login_required
def raw(request, pk):
    mail = access.inbound_mail_for(request.user, pk)
    audit.record("mail.inbound.download", obj=mail, actor=request.user, detail={"from": mail.from_address})
    response = HttpResponse(bytes(mail.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="mail-{mail.pk}.eml"'
    return response


@requires(Capability.MANAGE_MAIL)
@login_required
@require_POST
def retry(request, pk):
    mail = access.inbound_mail_for(request.user, pk)
    force = request.POST.get("force") == "1"
    result = inbound.process_safely(mail.pk, force=force)
    audit.record("mail.inbound.retry", obj=mail, actor=request.user, detail={"force": force, "status": result.status})
    if result.status == InboundMail.Status.PROCESSED:
        messages.success(request, _("邮件已处理：%(outcome)s %(number)s") % {
            "outcome": result.get_outcome_display(), "number": result.ticket.number if result.ticket else "",
        })
    elif result.status == InboundMail.Status.IGNORED:
        messages.info(request, _("邮件仍被识别为自动邮件（%(reason)s）。如确需建单，请选择“仍然建单”。") % {
            "reason": result.reason_label,
        })
    else:
        messages.error(request, _("处理失败：%(error)s") % {"error": result.last_error})
    return redirect("mailchannel:detail", pk)


@requires(Capability.MANAGE_MAIL)
@login_required
def outbound_list(request):
    contract = _contract(request)
    mails = OutboundMail.objects.filter(contract=contract).select_related("ticket")
    status = request.GET.get("status", "")
    if status in OutboundMail.Status.values:
        mails = mails.filter(status=status)
    page = page_of(request, mails, PAGE_SIZE)
    return render(request, "mailchannel/outbound.html", {
        "contract": contract, "page": page, "status": status, "statuses": OutboundMail.Status.choices,
    })


@requires(Capability.MANAGE_MAIL)
@login_required
@require_POST
def outbound_retry(request, pk):
    mail = access.outbound_mail_for(request.user, pk)
    if outbound.retry_now(mail):
        messages.success(request, _("邮件已发送。"))
    else:
        mail.refresh_from_db()
        messages.error(request, _("发送失败：%(error)s") % {"error": mail.last_error})
    return redirect("mailchannel:outbound")


@requires(Capability.MANAGE_MAIL)
@login_required
def mailbox_list(request):
    contract = _contract(request)
    return render(request, "mailchannel/mailboxes.html", {
        "contract": contract, "mailboxes": Mailbox.objects.filter(contract=contract),
    })


@requires(Capability.MANAGE_MAIL)
@login_required
def mailbox_edit(request, pk=None):
    contract = _contract(request)
    mailbox = access.mailbox_for(request.user, pk) if pk else None
    if mailbox is not None and mailbox.contract_id != contract.pk:
        contract = mailbox.contract
    before = mailbox.imap_after_store if mailbox is not None else None
    form = MailboxForm(request.POST or None, instance=mailbox or Mailbox(contract=contract))
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        changed = [name for name in form.changed_data if name != "imap_password"]
        if "imap_password" in form.changed_data and form.cleaned_data.get("imap_password"):
            changed.append("imap_password")
        detail = {"changed": changed}
        if before != saved.imap_after_store:
            # What the poller does to the contract's mail on its server: who changed it, from what.
            detail["after_store"] = {"from": before, "to": saved.imap_after_store,
                                     "folder": saved.imap_processed_folder}
        audit.record("mail.mailbox.save", obj=saved, actor=request.user, detail=detail)
        messages.success(request, _("服务邮箱已保存。"))
        return redirect("mailchannel:mailboxes")
    return render(request, "mailchannel/mailbox_form.html", {"form": form, "mailbox": mailbox, "contract": contract})


@requires(Capability.MANAGE_MAIL)
@transaction.non_atomic_requests  # the poll's lease and each stored mail commit on their own
@login_required
@require_POST
def mailbox_poll(request, pk):
    mailbox = access.mailbox_for(request.user, pk)
    if not mailbox.polls_imap:
        messages.error(request, _("该邮箱未配置 IMAP。"))
        return redirect("mailchannel:mailboxes")
    try:
        stored = imap.poll(mailbox)
    except imap.PollInProgress:
        messages.info(request, _("该邮箱正在收信（后台任务或其他人刚刚发起），请稍后刷新查看。"))
        return redirect("mailchannel:mailboxes")
    mailbox.refresh_from_db()
    if mailbox.last_poll_error:
        messages.error(request, _("收信失败：%(error)s") % {"error": mailbox.last_poll_error})
    else:
        messages.success(request, _("收到 %(n)s 封新邮件。") % {"n": stored})
    return redirect("mailchannel:mailboxes")


@requires(Capability.MANAGE_MAIL)
@transaction.non_atomic_requests  # the import's lease and each stored mail commit on their own
@login_required
def mailbox_import(request, pk):
    """Import mail that was in the folder before the desk started reading it: first a
    preview of how many since the date chosen, then, confirmed, the import."""
    mailbox = access.mailbox_for(request.user, pk)
    context = {"mailbox": mailbox, "contract": mailbox.contract, "since": "", "count": None}
    if request.method == "POST":
        since = parse_date(request.POST.get("since"), "since")
        if since is None:
            raise BadParameter("since", _("请填写日期。"))
        context["since"] = since.isoformat()
        try:
            if request.POST.get("confirm") == "1":
                stored = imap.import_existing(mailbox, since)
                audit.record("mail.mailbox.import", obj=mailbox, actor=request.user,
                             detail={"since": since.isoformat(), "stored": stored})
                messages.success(request, _("已导入 %(n)s 封已有邮件。") % {"n": stored})
                return redirect("mailchannel:mailboxes")
            context["count"] = imap.count_existing(mailbox, since)
        except imap.PollInProgress:
            messages.info(request, _("该邮箱正在收信（后台任务或其他人刚刚发起），请稍后刷新查看。"))
        except imap.ImportFailed as exc:
            messages.error(request, str(exc))
    return render(request, "mailchannel/mailbox_import.html", context)
