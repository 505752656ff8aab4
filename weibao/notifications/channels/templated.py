"""What Chinese SMS and voice providers (Aliyun, Tencent Cloud) have in common: they send
only approved templates, so a message is the template's fixed wording with the subject in
its one variable, and their review refuses a link or a domain name in a variable and caps
its length (Aliyun 35 characters for a notification template's; Tencent 6 unless the
account has longer variables approved, its voice messages 350 in all). And the options of a
gateway channel that name the account, the templates and the signature."""

from __future__ import annotations

import re
from collections.abc import Callable

from weibao.notifications.channels.base import ChannelConfig, SendFailed

#: A link, with or without its scheme ("https://…", "www.example.cn/x", "gov.cn"), or a mail
#: address. ASCII only around it, since Chinese text runs into a link without a space (a
#: dash or a dot after Chinese text starts one too); a name that goes on with a dot
#: ("java.net.SocketException") or is written as a framework's ("ASP.NET", "Socket.IO") is
#: not one, nor is an IP address (what an alert names). Top-level domains that are also
#: common file and host suffixes (.dev, .app, .cc, .in, .ai, .me) are left out of the list:
#: a host "db01.dev" in an alert is kept. A path ends at a space, a comma, a semicolon or ")".
_TLDS = (
    "com", "cn", "net", "org", "gov", "edu", "info", "biz", "io", "co", "tv", "top", "xyz", "vip", "site",
    "online", "shop", "club", "ltd", "wang", "link", "tech", "cloud", "icu", "fun", "xin", "ly", "hk", "tw",
    "jp", "kr", "sg", "ru", "uk", "eu", "fr", "asia",
)
_PATH = r"[!-(*-+\--:<-~]*"  # printable ASCII but ")", "," and ";"
LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]{0,30}://" + _PATH + ")"
    r"|(?:(?<![a-z0-9.@_%+-])|(?<=[^\x00-\x7f][-.]))"
    r"(?!(?-i:[A-Za-z]+\.(?:NET|IO))(?![A-Za-z0-9]))"
    r"(?:[a-z0-9._%+-]+@)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    r"(?:" + "|".join(_TLDS) + r")(?![a-z0-9-]|\.[a-z0-9])(?::\d+)?(?:/" + _PATH + ")?",
    re.IGNORECASE,
)
#: What a variable says when nothing but a link (or nothing at all) was in the subject:
#: providers refuse an empty variable, and one of punctuation alone says nothing.
NOTHING_LEFT = "详见维保平台"
_WORD = re.compile(r"\w")
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
    text = " ".join(LINK.sub("", text).split())
    if not _WORD.search(text):
        text = NOTHING_LEFT
    return text if len(text) <= limit else text[:limit - 1] + "…"


def send_or_plain(send: Callable[[str], str], variable: str, refused_words: frozenset[str], plain: str) -> str:
    """``send(variable)``; when the provider refuses the variable's words (a word on its
    blacklist, something it took for a link, a length it did not approve: one of
    ``refused_words``), once more with ``plain`` (``NOTHING_LEFT`` fitted to the channel's
    limit), which its review passes — the engineer still gets the message that something
    waits, and the delivery page says why the wording was plain. Any other refusal is the
    caller's to judge."""
    try:
        return send(variable)
    except SendFailed as exc:
        if exc.code not in refused_words or variable == plain:
            raise
        refusal = exc.code
    answer = send(plain)
    return f"{refusal}: sent as 「{plain}」 / {answer}"
