"""What Chinese SMS and voice providers (Aliyun, Tencent Cloud) have in common: they send
only approved templates, so a message is the template's fixed wording with the subject in
its one variable, and their review refuses a link or a domain name in a variable and caps
its length (Aliyun 35 characters for a notification template's; Tencent 6 unless the
account has longer variables approved, its voice messages 350 in all). And the options of a
gateway channel that name the account, the templates and the signature."""

from __future__ import annotations

import re

from weibao.notifications.channels.base import ChannelConfig, SendFailed

#: A link, with or without its scheme ("https://…", "www.example.cn/x", "gov.cn"), or a mail
#: address. ASCII only around it, since Chinese text runs into a link without a space; a
#: name that goes on with a dot ("java.net.SocketException") is not one, nor is an IP
#: address (what an alert names). Its path ends at a space, a comma or a semicolon.
_TLDS = (
    "com", "cn", "net", "org", "gov", "edu", "info", "biz", "io", "co", "cc", "me", "tv", "top", "xyz",
    "vip", "site", "online", "shop", "club", "ltd", "wang", "app", "dev", "link", "tech", "cloud", "work",
    "ai", "ly", "hk", "mo", "tw", "jp", "kr", "sg", "ru", "de", "uk", "us", "eu", "fr", "in", "asia",
)
_PATH = r"[!-+\--:<-~]*"  # printable ASCII but "," and ";"
LINK = re.compile(
    r"(?<![a-z0-9+.-])(?:[a-z][a-z0-9+.-]*://" + _PATH + ")"
    r"|(?<![a-z0-9.@_%+-])(?!(?:asp|vb)\.net\b)(?:[a-z0-9._%+-]+@)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:" + "|".join(_TLDS) + r")(?![a-z0-9-]|\.[a-z0-9])(?::\d+)?(?:/" + _PATH + ")?",
    re.IGNORECASE,
)
#: What a variable says when the subject was nothing but a link (an empty one is refused).
NOTHING_LEFT = "详见维保平台"
PARAM_LIMIT = 35


def option(config: ChannelConfig, name: str, default: str = "") -> str:
    """A channel option as text (a number is taken as its digits); anything else is a
    failure the delivery page shows."""
    value = config.options.get(name, default)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        provider = config.options.get("provider")
        raise SendFailed(f"{provider if isinstance(provider, str) else 'gateway'}: option {name} must be text")
    return value.strip()


def fit(text: str, config: ChannelConfig, *, limit_option: str = "param_limit", default: int = PARAM_LIMIT) -> str:
    """A template variable's value: no links, at most the ``limit_option`` option's number
    of characters (``default`` when the channel does not say)."""
    try:
        limit = max(2, int(option(config, limit_option, str(default))))
    except ValueError as exc:
        raise SendFailed(f"option {limit_option} must be a number") from exc
    text = " ".join(LINK.sub("", text).split()) or NOTHING_LEFT
    return text if len(text) <= limit else text[:limit - 1] + "…"
