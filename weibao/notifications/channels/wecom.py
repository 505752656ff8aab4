"""WeCom (企业微信) group robot: POST JSON to ``.../cgi-bin/webhook/send?key=KEY`` (the key in
the URL is the only credential). ``text`` carries @-mentions by mobile in
``text.mentioned_mobile_list``; ``markdown`` (``markdown.content``) cannot @ by mobile, so a
markdown message with mentions is sent as text. Answer ``{"errcode": 0, "errmsg": "ok"}``;
45009 means more than 20 messages a minute."""

from __future__ import annotations

from weibao.notifications.channels.base import (
    ChannelAdapter,
    ChannelConfig,
    HttpAnswer,
    HttpRequest,
    Message,
    SendFailed,
    json_body,
    markdown_text,
    plain_text,
)

RATE_LIMITED = {45009}


class WeComRobot(ChannelAdapter):
    kind = "wecom"
    default_rate_per_minute = 20

    def build(self, message: Message, config: ChannelConfig) -> HttpRequest:
        mobiles = [m for m in message.mentions if m]
        if config.message_format == "markdown" and not mobiles:
            payload = {"msgtype": "markdown", "markdown": {"content": markdown_text(message)}}
        else:
            text = {"content": plain_text(message)}
            if mobiles:
                text["mentioned_mobile_list"] = mobiles
            payload = {"msgtype": "text", "text": text}
        return HttpRequest(config.endpoint, json_body(payload), {"Content-Type": "application/json; charset=utf-8"})

    def judge(self, answer: HttpAnswer) -> None:
        super().judge(answer)
        code = answer.json().get("errcode", -1)
        if code != 0:
            raise SendFailed(f"errcode {code}", answer=answer.log(), rate_limited=code in RATE_LIMITED)
