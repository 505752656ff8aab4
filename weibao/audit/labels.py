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

    # escalations:

    # oncall:

    # monitoring:

    # incidents:
    "incident.integration.create": _("新建告警接入"),
    "incident.integration.rotate": _("更换告警接入密钥"),
    "incident.integration.read": _("查看告警接入地址（含密钥）"),
    "incident.levels.save": _("修改事件级别定义"),
    "incident.silence.create": _("新建告警静默"),
    "incident.silence.end": _("结束告警静默"),
    "incident.open": _("登记事件"),
    "incident.acknowledge": _("确认事件"),
    "incident.resolve": _("事件恢复"),
    "incident.reopen": _("重新打开事件"),
    "incident.level": _("调整事件级别"),
    "incident.report": _("记录事件报告（时间与对象）"),
    "incident.review.save": _("保存事件复盘"),
    "incident.plan.save": _("保存应急预案"),
    "incident.drill.save": _("记录应急演练"),

    # changes:

    # ledger:

    # notifications:

    # knowledge-search:

    # privacy:
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
