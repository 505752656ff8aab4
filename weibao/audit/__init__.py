"""Audit trail. Call ``from weibao.audit import record``; nothing else writes audit rows."""


def record(action: str, **kwargs):
    from weibao.audit.services import record as _record

    return _record(action, **kwargs)
