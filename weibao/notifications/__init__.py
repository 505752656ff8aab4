"""``notify()``: the one entry point for telling people things.

Channels today: the in-app inbox and email. Roadmap item 5 adds DingTalk, WeCom,
Feishu, webhooks and SMS behind this same function.
"""


def notify(users, *, subject: str, body: str = "", contract=None, link: str = "", kind: str = "", dedup_key: str = ""):
    from weibao.notifications.services import notify as _notify

    return _notify(
        users, subject=subject, body=body, contract=contract, link=link, kind=kind, dedup_key=dedup_key
    )
