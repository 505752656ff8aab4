"""``notify()``: the one entry point for telling people things.

Channels: the in-app inbox, e-mail, SMS and voice calls (a pluggable gateway), and group
robots / webhooks of a contract (DingTalk, WeCom, Feishu, generic JSON webhook), each an
adapter in ``channels/``. ``cancel_pending()`` stops a rule's delayed steps once the
matter is acknowledged.
"""


def notify(users, *, subject: str, body: str = "", contract=None, link: str = "", kind: str = "",
           dedup_key: str = "", urgency: str = "normal", ack_url: str = "", on_duty: bool = False,
           channel_ids=()):
    from weibao.notifications.services import notify as _notify

    return _notify(
        users, subject=subject, body=body, contract=contract, link=link, kind=kind, dedup_key=dedup_key,
        urgency=urgency, ack_url=ack_url, on_duty=on_duty, channel_ids=channel_ids,
    )


def cancel_pending(dedup_key_prefix: str, *, contract=None) -> int:
    from weibao.notifications.services import cancel_pending as _cancel

    return _cancel(dedup_key_prefix, contract=contract)
