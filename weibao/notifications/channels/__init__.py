"""Channel adapters behind ``notify()``: one small class per platform, one interface
(``base.ChannelAdapter.send(message, config) -> answer``)."""

from weibao.notifications.channels.aliyun import AliyunGateway
from weibao.notifications.channels.base import ChannelAdapter, ChannelConfig, Message, SendFailed
from weibao.notifications.channels.dingtalk import DingTalkRobot
from weibao.notifications.channels.email import Email
from weibao.notifications.channels.feishu import FeishuBot
from weibao.notifications.channels.gateway import GATEWAYS, Sms, Voice
from weibao.notifications.channels.tencent import TencentGateway
from weibao.notifications.channels.webhook import Webhook
from weibao.notifications.channels.wecom import WeComRobot

# The providers of SMS and calls besides the generic HTTP one (a channel's options["provider"]).
GATEWAYS["aliyun"] = AliyunGateway
GATEWAYS["tencent"] = TencentGateway

ADAPTERS: dict[str, ChannelAdapter] = {
    adapter.kind: adapter
    for adapter in (Email(), Sms(), Voice(), DingTalkRobot(), WeComRobot(), FeishuBot(), Webhook())
}


def adapter_for(kind: str) -> ChannelAdapter:
    return ADAPTERS[kind]


__all__ = ["ADAPTERS", "ChannelAdapter", "ChannelConfig", "Message", "SendFailed", "adapter_for"]
