"""Ticket list with 1,000,000 tickets in one contract on PostgreSQL (issue 3).

    createdb -h 127.0.0.1 -U postgres weibao_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/weibao_bench WEIBAO_MODE=demo \\
        .venv/bin/python bench/ticket_list_bench.py [--tickets 1000000]

Migrates, loads the demo data, fills the seed contract up to the wanted number of
tickets with one INSERT … SELECT generate_series (a few tens of seconds), ANALYZEs,
then times in-process exactly what the list page runs: the filter parser and the first
page of 25 rows with their related objects (median and p95 over 50 runs), and, apart,
the capped match count the page fetches afterwards with htmx (median over 10 runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.settings")
os.environ.setdefault("WEIBAO_MODE", "demo")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402

from weibao.accounts.models import User  # noqa: E402
from weibao.contracts.models import Contract  # noqa: E402
from weibao.core.encrypted_fields import encrypt, keyed_hash  # noqa: E402
from weibao.demo import load_all  # noqa: E402
from weibao.servicedesk import queries  # noqa: E402
from weibao.servicedesk.filtersets import TicketFilterSet  # noqa: E402
from weibao.servicedesk.models import Ticket  # noqa: E402

SUBJECTS = [
    "统一身份认证平台无法登录", "电子证照调用接口超时", "个人用户忘记密码如何找回", "企业开办需要哪些材料",
    "新增审批窗口人员账号", "好差评短信未发送", "门户首页办事指南检索优化", "乡镇便民服务中心推广培训",
    "审批系统打印受理回执乱码", "U盾插上后提示证书无效", "申请开通数据共享接口", "政务外网链路丢包",
    "社保卡业务办理咨询", "不动产登记进度查询", "公积金提取材料咨询", "营业执照变更网上办理",
]

FILL_SQL = """
INSERT INTO servicedesk_ticket (
    contract_id, number, type, channel, priority, status, requester_name, requester_name_hash,
    requester_organisation, requester_phone, requester_phone_hash, requester_email, requester_email_hash,
    subject, description, needs_onsite, created_at, updated_at, sla_state, sla_due_at, assignee_id,
    first_contact_resolved, urged_count
)
SELECT
    %(contract)s,
    'SL-B-' || lpad(g::text, 7, '0'),
    (ARRAY['consultation','fault','service_request','optimisation','promotion'])[1 + g %% 5],
    (ARRAY['phone','portal','email','api','onsite','monitoring'])[1 + g %% 6],
    (ARRAY['p1','p2','p3','p3','p4','p4'])[1 + (g / 7) %% 6],
    CASE WHEN g %% 50 = 0 THEN 'new' WHEN g %% 23 = 0 THEN 'in_progress'
         WHEN g %% 31 = 0 THEN 'waiting' WHEN g %% 11 = 0 THEN 'resolved'
         WHEN g %% 97 = 0 THEN 'cancelled' ELSE 'closed' END,
    (%(names)s::text[])[1 + g %% %(n_names)s],
    (%(name_hashes)s::text[])[1 + g %% %(n_names)s],
    '石龙区便民服务中心',
    (%(phones)s::text[])[1 + (g::bigint * 7919) %% %(n_phones)s],
    (%(phone_hashes)s::text[])[1 + (g::bigint * 7919) %% %(n_phones)s],
    '',
    %(empty_hash)s,
    (%(subjects)s::text[])[1 + (g * 31) %% %(n_subjects)s] || ' #' || (g %% 997)::text,
    '批量生成的基准测试工单',
    false,
    now() - (g || ' minutes')::interval,
    now() - (g || ' minutes')::interval,
    CASE WHEN g %% 50 = 0 OR g %% 23 = 0 THEN 'running' WHEN g %% 31 = 0 THEN 'paused'
         WHEN g %% 13 = 0 THEN 'breached' ELSE 'met' END,
    CASE WHEN g %% 50 = 0 OR g %% 23 = 0 THEN now() + ((g %% 600) || ' minutes')::interval END,
    CASE WHEN g %% 3 = 0 THEN %(assignee)s END,
    false,
    0
FROM generate_series(%(first)s, %(last)s) AS g
"""


NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈杰", "杨静", "赵敏", "黄磊"]


def _personal_values() -> dict:
    """Requester names and phones as the database holds them: encrypted, with their keyed
    hashes (decision 0026); 1,000 distinct phones, each encrypted once."""
    phones = [f"139{(i * 7919) % 100_000_000:08d}" for i in range(1000)]
    return {
        "names": [encrypt(n) for n in NAMES], "name_hashes": [keyed_hash("name", n) for n in NAMES],
        "n_names": len(NAMES), "phones": [encrypt(p) for p in phones],
        "phone_hashes": [keyed_hash("phone", p) for p in phones], "n_phones": len(phones),
        "empty_hash": keyed_hash("email", ""),
    }


def fill(contract: Contract, wanted: int, assignee: User) -> None:
    have = Ticket.objects.filter(contract=contract).count()
    if have >= wanted:
        print(f"tickets in {contract.number}: {have:,} (no fill needed)")
        return
    began = time.perf_counter()
    personal = _personal_values()
    with connection.cursor() as cursor:
        batch = 200_000
        for first in range(have + 1, wanted + 1, batch):
            last = min(first + batch - 1, wanted)
            cursor.execute(
                FILL_SQL,
                {"contract": contract.pk, "subjects": SUBJECTS, "n_subjects": len(SUBJECTS),
                 "first": first, "last": last, "assignee": assignee.pk, **personal},
            )
            print(f"  … {last:,}", flush=True)
        cursor.execute("VACUUM ANALYZE servicedesk_ticket")  # as autovacuum would: index-only scans
    print(f"filled to {wanted:,} tickets in {time.perf_counter() - began:.1f} s")


def timed(label: str, user, params: dict, runs: int = 50) -> None:
    query_dict = QueryDict(mutable=True)
    for key, value in params.items():
        query_dict[key] = value

    def page():
        filters = TicketFilterSet(query_dict, user=user)
        assert not filters.errors, filters.errors
        rows = queries.rows_page(filters.qs.select_related("assignee", "component", "group"), 1, 25)
        return len([(t.number, t.subject, str(t.assignee or "")) for t in rows.object_list])

    def count():
        return queries.capped_count(TicketFilterSet(query_dict, user=user).qs)

    page_ms, rows = _time(page, runs)
    count_ms, matches = _time(count, max(10, runs // 5))
    shown = f"{matches:,}" if matches <= queries.COUNT_CAP else f">{queries.COUNT_CAP:,}"
    print(f"{label:<42} page: median {statistics.median(page_ms):6.1f} ms  p95 {_p95(page_ms):6.1f} ms"
          f"  ({rows} rows) | count: median {statistics.median(count_ms):6.1f} ms ({shown})")


def _time(func, runs):
    for _ in range(3):
        result = func()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        result = func()
        samples.append((time.perf_counter() - began) * 1000)
    return sorted(samples), result


def _p95(samples):
    return samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at PostgreSQL (see the docstring).")
    call_command("migrate", verbosity=0)
    load_all()
    contract = Contract.objects.get(number="HTDZ202602135")
    user = User.objects.get(username="pm")
    fill(contract, args.tickets, User.objects.get(username="engineer"))
    base = {"contract": str(contract.pk)}
    print(f"\nPostgreSQL {connection.pg_version}, {Ticket.objects.filter(contract=contract).count():,} tickets "
          "in the contract\n")
    timed("first page, default filters", user, base)
    timed("filtered: status=in_progress, priority=p1", user, base | {"status": "in_progress", "priority": "p1"})
    timed("filtered: open tickets (view=open)", user, base | {"view": "open"})
    timed("filtered: type=fault, channel=phone", user, base | {"type": "fault", "channel": "phone"})
    timed("filtered: sla_state=breached, sort=due", user, base | {"sla_state": "breached", "sort": "due"})
    timed("filtered: assignee=engineer, created range", user,
          base | {"assignee": str(User.objects.get(username='engineer').pk),
                  "created_from": "2026-01-01", "created_to": "2026-06-30"})
    timed("breaching soon (view=breaching, sort=due)", user, base | {"view": "breaching", "sort": "due"})
    print()
    timed("keyword: common word (证照)", user, base | {"q": "证照"})
    timed("keyword: rare phrase (#996)", user, base | {"q": "公积金提取材料咨询 #996"})
    timed("keyword: no match (不存在的词)", user, base | {"q": "不存在的词"})
    timed("keyword: ticket number prefix", user, base | {"q": "SL-B-0500"})
    timed("keyword: caller phone", user, base | {"q": "13900007919"})


if __name__ == "__main__":
    main()
