"""What each audit event code means, in words an auditor reads (codes stay in the record)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "login": _("登录成功"),
    "login.password_ok": _("口令正确（待二次验证）"),
    "login.failed": _("登录失败"),
    "login.locked": _("账号被锁定"),
    "login.refused_locked": _("锁定期间拒绝登录"),
    "login.refused_address": _("该地址失败过多，拒绝登录"),
    "login.unlocked": _("账号解锁"),
    "login.otp_failed": _("动态验证码错误"),
    "logout": _("退出登录"),
    "session.idle_timeout": _("会话超时"),
    "password.changed": _("修改口令"),
    "mfa.enabled": _("启用二次验证"),
    "mfa.disabled": _("停用二次验证"),
    "mfa.enable_failed": _("启用二次验证失败"),
    "mfa.disable_failed": _("停用二次验证失败（验证码不正确）"),
    "api_token.revoked_all": _("吊销用户全部接口令牌"),
    "account.activated": _("启用账号"),
    "account.deactivated": _("停用账号"),
    "login.address_limit_passed": _("地址受限时凭二次验证放行"),
    "password.change_failed": _("修改口令时当前口令错误"),
    "password.change_refused_locked": _("锁定期间拒绝修改口令"),
    "api_token.created": _("创建接口令牌"),
    "api_token.revoked": _("吊销接口令牌"),
    "api_token.otp_failed": _("接口令牌二次验证失败"),
    "role.admin_granted": _("授予管理员角色"),
    "role.admin_revoked": _("撤销管理员角色"),
    "role.member_added": _("添加合同成员"),
    "role.member_removed": _("移除合同成员"),
    "admin.created": _("后台新建"),
    "admin.changed": _("后台修改"),
    "admin.deleted": _("后台删除"),
    "request.denied": _("请求被拒绝（无权限）"),
    "audit.read": _("查看审计记录"),
    "audit.export": _("导出审计记录"),
    "audit.anchor.download": _("下载审计链校验点"),
    "calendar.create": _("新建工作日历"),
    "calendar.holiday.set": _("设置节假日"),
    "calendar.holiday.remove": _("删除节假日设置"),
    "calendar.holiday.import": _("导入年度节假日"),
    "calendar.holiday.notice": _("载入国务院节假日通知（本合同）"),
    "calendar.national.notice": _("载入国务院节假日通知（全系统）"),
    "sla.policy.update": _("修改服务级别"),
    "ticket.create": _("新建工单"),
    "ticket.export": _("导出工单"),
    "ticket.personal_data.read": _("查看请求人个人信息"),
    "ticket.personal_data.change": _("修改请求人个人信息"),
    "ticket.search_by_phone": _("按电话号码查找工单"),
    "ticket.attachment.download": _("下载工单附件"),
    "hotline.caller_history": _("查看来电历史"),
    "rating.create": _("好差评"),
    "rating.supersede": _("请求方重新评价（替换代录评价）"),
    "feedback.figures.export": _("导出满意度统计"),
    "visit.check_in": _("现场签到"),
    "visit.check_out": _("现场签退"),
    "rectification.callback": _("差评回访"),
    "rectification.close": _("整改办结"),
    "rectification.reopen": _("整改重开（请求方本人差评）"),
    "visit.confirm": _("现场服务确认"),
    "knowledge.article_created": _("新建知识文章"),
    "knowledge.article_updated": _("修改知识文章"),
    "knowledge.synonyms_saved": _("保存同义词"),
    "knowledge.synonyms_deleted": _("删除同义词"),
    "knowledge.share_granted": _("共享知识给其他合同"),
    "knowledge.share_revoked": _("停止向其他合同共享知识"),
    "mail.inbound.read": _("查看收到的邮件"),
    "mail.inbound.download": _("下载原始邮件"),
    "mail.inbound.retry": _("重新处理邮件"),
    "mail.mailbox.save": _("保存服务邮箱"),
    "mail.mailbox.import": _("导入服务邮箱中的已有邮件"),

    # people:
    "people.profile_saved": _("保存人员档案"),
    "people.record_read": _("查看人员档案（保险、保密协议）"),
    "people.insurance_added": _("登记人员保险"),
    "people.agreement_added": _("登记保密协议"),
    "people.qualification_added": _("登记资质证书"),
    "people.scan_downloaded": _("下载人员档案扫描件"),
    "people.override_granted": _("项目经理特许不合规人员上岗"),
    "people.override_revoked": _("撤销不合规人员上岗特许"),
    "training.plan_saved": _("保存培训计划"),
    "training.plan_agreed": _("甲方确认培训计划"),
    "training.session_saved": _("保存培训场次"),
    "training.session_held": _("培训已举办"),
    "training.sheet_uploaded": _("上传签到表"),

    # escalations:
    "escalation.acknowledged": _("确认升级通知"),
    "escalation.policy_saved": _("保存升级策略"),
    "escalation.policy_deleted": _("删除升级策略"),

    # oncall:

    # monitoring:

    # incidents:

    # changes:
    "change.requested": _("提交变更申请"),
    "change.endorsed": _("项目经理同意变更"),
    "change.approved": _("甲方批准变更"),
    "change.rejected": _("甲方驳回变更"),
    "change.approval_failed": _("变更审批二次验证失败"),
    "change.transitioned": _("变更状态变更"),
    "change.reviewed": _("变更实施后评审"),
    "change.settings_saved": _("保存变更审批设置"),
    "change.template_saved": _("保存标准变更模板"),
    "change.template_approved": _("甲方批准标准变更模板"),
    "data_access.requested": _("提交数据使用申请"),
    "data_access.approved": _("甲方批准数据使用申请"),
    "data_access.rejected": _("甲方驳回数据使用申请"),
    "data_access.revoked": _("撤销数据使用批准"),
    "data_access.ticket_marked": _("标记工单涉及平台数据"),

    # ledger:
    "contract.changed": _("修改合同信息"),
    "contract.document_added": _("上传合同文件"),
    "ledger.milestone_added": _("新增付款节点"),
    "ledger.invoice_issued": _("登记发票"),
    "ledger.payment_received": _("登记到账"),
    "ledger.handover_ticked": _("确认交接事项"),
    "ledger.handover_unticked": _("撤销交接事项确认"),
    "ledger.penalty_rule_saved": _("保存违约金规则"),
    "ledger.penalty_recorded": _("登记违约金"),
    "ledger.penalty_approve": _("审批违约金"),
    "ledger.penalty_acknowledge": _("甲方确认违约金"),
    "ledger.penalty_withdraw": _("撤销违约金"),
    "ledger.breach_notice_issued": _("发出违约通知"),
    "ledger.breach_notice_outcome": _("登记违约通知处理结果"),
    "ledger.breach_notice_printed": _("打印违约通知"),
    "ledger.force_majeure_recorded": _("登记不可抗力事件"),
    "ledger.force_majeure_updated": _("更新不可抗力事件"),
    "ledger.force_majeure_document": _("上传不可抗力证明文件"),
    "ledger.renewed": _("续签合同"),
    "ledger.snapshot_sealed": _("封存履约月度快照"),
    "ledger.proration_read": _("查看按日结算"),
    "ledger.payments_read": _("查看付款计划"),
    "ledger.penalties_read": _("查看违约金台账"),
    "ledger.overview_read": _("查看合同台账"),
    "ledger.contract_imported": _("从合同文本导入并创建合同"),

    # notifications:

    # knowledge-search:

    # privacy:
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
