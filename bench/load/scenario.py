"""What the virtual users do: 80 % reads, 20 % writes, on the seed contract's tickets.

Each virtual user is a thread with its own keep-alive connection and one of the demo
vendor users' API tokens, picking its next request from MIX at random, with no think
time (a closed loop: every user always has one request in flight).

Transitions choose only legal moves (weibao/servicedesk/services/workflow.py) from the
status this process last saw for the ticket. Another virtual user may move the same
ticket in between; the server then refuses the move with a 400 naming ``to`` ("不能从…
变为…"). That is a *conflict* — the expected answer to a lost race, the same one a person
gets clicking a stale button — not an error. After one, the user reloads the ticket.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from .client import Client, Reply
from .stats import CONFLICT, ERROR, OK, Stats

API = "/api/v1"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
OPEN = ("new", "assigned", "in_progress", "waiting", "resolved")
TRANSITIONS = {  # workflow.TRANSITIONS, with how often a person takes each move
    "new": {"assigned": 90, "cancelled": 10},
    "assigned": {"in_progress": 80, "assigned": 15, "cancelled": 5},
    "in_progress": {"resolved": 50, "waiting": 45, "cancelled": 5},
    "waiting": {"in_progress": 60, "resolved": 35, "cancelled": 5},
    "resolved": {"closed": 70, "in_progress": 30},
    "closed": {},
    "cancelled": {},
}
STATUSES = list(TRANSITIONS)
TYPES = ["consultation", "fault", "service_request", "optimisation", "promotion"]
PRIORITIES = ["p1", "p2", "p3", "p4"]
CHANNELS = ["phone", "portal", "email", "api", "onsite", "monitoring"]
SLA_STATES = ["running", "paused", "met", "breached"]
SORTS = ["-created", "created", "due", "-priority", "priority", "-updated", "number"]
KEYWORDS = ["登录", "密码", "证照", "审批", "好差评", "链路", "接口", "张伟", "王芳", "SL-2026-0000"]
SUBJECTS = [
    "统一身份认证平台无法登录，提示证书无效", "电子证照接口调用超时", "好差评短信未发送给办事群众",
    "审批系统打印受理回执乱码", "门户办事指南页面打不开", "企业开办一网通办提交失败",
    "社保卡业务办理咨询", "不动产登记进度查询异常", "公积金提取材料咨询", "政务外网链路丢包",
]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈杰", "杨静", "赵敏", "黄磊", "周婷", "吴昊"]
REPLIES = [
    "您好，工程师已在处理，请保持电话畅通。", "已远程排查，正在联系厂商确认。",
    "请提供报错截图和办理事项名称。", "已重启相关服务，请再试一次。", "内部备注：疑似证书链配置问题。",
]
COMMENTS = {
    "assigned": "分派给二线运维组处理", "in_progress": "开始处理", "waiting": "已联系请求人，等待提供截图",
    "resolved": "已处理并电话确认", "closed": "请求人确认，关闭工单", "cancelled": "重复报障，取消",
}
FALLBACK_QUESTIONS = ["个人用户忘记密码如何找回", "企业开办需要哪些材料", "电子证照怎么亮证", "U盾提示证书无效怎么办"]


def load_questions(root: Path) -> list[str]:
    try:
        data = json.loads((root / "bench" / "data" / "kb_questions.json").read_text(encoding="utf-8"))
        return [item["question"] for item in data if item.get("question")] or FALLBACK_QUESTIONS
    except (OSError, ValueError, KeyError, TypeError):
        return FALLBACK_QUESTIONS


@dataclass
class Account:
    username: str
    token: str
    user_id: int


@dataclass
class World:
    """What all virtual users share: the contract, ids, and the tickets' last-seen status."""

    contract_id: int
    calendar_ids: list[int]
    vendor_ids: list[int]
    questions: list[str]
    tickets: dict[int, str]
    list_total: int
    stats: Stats = field(default_factory=Stats)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, ticket_id: int, status: str | None) -> None:
        if status:
            with self.lock:
                self.tickets[ticket_id] = status

    def any_ticket(self, rng: random.Random) -> int:
        with self.lock:
            return rng.choice(list(self.tickets))

    def open_ticket(self, rng: random.Random) -> tuple[int, str] | None:
        with self.lock:
            candidates = [(t, s) for t, s in self.tickets.items() if s in OPEN]
        return rng.choice(candidates) if candidates else None


class VirtualUser(threading.Thread):
    def __init__(self, index: int, account: Account, world: World, client: Client,
                 stop: threading.Event, seed: int):
        super().__init__(name=f"vu-{index}", daemon=True)
        self.account, self.world, self.client, self.stop = account, world, client, stop
        self.rng = random.Random(seed)
        self.primed = threading.Event()  # set once the first answer is in

    def run(self) -> None:
        actions = [action for action, _ in MIX]
        weights = [weight for _, weight in MIX]
        try:
            # First a search: the 50 of them at once reach every gunicorn worker during
            # the warm-up, which builds each process's jieba dictionary (seconds of CPU
            # under the GIL, stalling that worker) before anything is measured.
            self.knowledge_search()
            self.primed.set()
            while not self.stop.is_set():
                self.rng.choices(actions, weights)[0](self)
        finally:
            self.primed.set()
            self.client.close()

    # -- helpers -----------------------------------------------------------------------

    def call(self, route: str, method: str, path: str, body=None, expect=(200,)) -> Reply:
        """A request whose only right answers are ``expect``; anything else is an error."""
        reply = self.client.request(method, path, body)
        self.world.stats.record(route, reply, OK if reply.status in expect else ERROR, body=body)
        return reply

    def remember(self, reply: Reply) -> None:
        if reply.ok and isinstance(reply.data, dict) and "id" in reply.data:
            self.world.note(reply.data["id"], reply.data.get("status"))

    # -- reads (80 %) ------------------------------------------------------------------

    def list_tickets(self) -> None:
        w, rng = self.world, self.rng
        params: dict[str, object] = {"contract": w.contract_id}
        plain = rng.random() < 0.35
        if plain:  # browse the whole list, page by page
            size = rng.choice([10, 20, 25, 50])
            pages = max(1, -(-w.list_total // size))
            params.update(page_size=size, page=rng.randint(1, pages))
        else:
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                filters = {
                    "status": lambda: ",".join(rng.sample(STATUSES, rng.randint(1, 3))),
                    "type": lambda: rng.choice(TYPES),
                    "priority": lambda: rng.choice(PRIORITIES),
                    "channel": lambda: rng.choice(CHANNELS),
                    "sla_state": lambda: rng.choice(SLA_STATES),
                    "assignee": lambda: rng.choice(["me", "none", str(rng.choice(w.vendor_ids))]),
                    "view": lambda: rng.choice(["mine", "breaching", "open"]),
                    "q": lambda: rng.choice(KEYWORDS),
                    "created_from": lambda: str(dt.date.today() - dt.timedelta(days=rng.randint(1, 30))),
                }
                name = rng.choice(list(filters))
                params[name] = filters[name]()
            params["page_size"] = rng.choice([20, 25, 50])
        if rng.random() < 0.5:
            params["sort"] = rng.choice(SORTS)
        reply = self.call("GET /api/v1/tickets/", "GET", f"{API}/tickets/?{urlencode(params)}")
        if reply.ok and isinstance(reply.data, dict):
            for row in reply.data.get("results", []):
                w.note(row["id"], row.get("status"))
            if plain and isinstance(reply.data.get("count"), int):
                w.list_total = max(w.list_total, reply.data["count"])

    def ticket_detail(self, ticket_id: int | None = None) -> None:
        ticket_id = ticket_id or self.world.any_ticket(self.rng)
        self.remember(self.call("GET /api/v1/tickets/{id}/", "GET", f"{API}/tickets/{ticket_id}/"))

    def ticket_history(self) -> None:
        ticket_id = self.world.any_ticket(self.rng)
        self.call("GET /api/v1/tickets/{id}/history/", "GET", f"{API}/tickets/{ticket_id}/history/")

    def knowledge_search(self) -> None:
        q = self.rng.choice(self.world.questions)
        query = urlencode({"contract": self.world.contract_id, "q": q})
        self.call("GET /api/v1/knowledge/search/", "GET", f"{API}/knowledge/search/?{query}")

    def contracts(self) -> None:
        self.call("GET /api/v1/contracts/", "GET", f"{API}/contracts/")

    def deadline(self) -> None:
        rng = self.rng
        start = dt.datetime.now(SHANGHAI) + dt.timedelta(days=rng.randint(-20, 60), minutes=rng.randint(0, 1439))
        minutes = rng.choice([30, 60, 120, 240, 480, 1440, 2880, 7200, 14400])
        query = urlencode({"start": start.replace(microsecond=0).isoformat(), "minutes": minutes})
        calendar = rng.choice(self.world.calendar_ids)
        self.call("GET /api/v1/calendars/{id}/deadline/", "GET", f"{API}/calendars/{calendar}/deadline/?{query}")

    # -- writes (20 %) -----------------------------------------------------------------

    def create_ticket(self) -> None:
        rng = self.rng
        subject = rng.choice(SUBJECTS)
        body = {
            "contract": self.world.contract_id,
            "type": rng.choice(TYPES),
            "priority": rng.choices(PRIORITIES, [5, 15, 50, 30])[0],
            "subject": subject,
            "description": f"{subject}。来电反映，请尽快处理。",
            "channel": rng.choice(CHANNELS),
            "requester_name": rng.choice(NAMES),
            "requester_phone": f"139{rng.randint(10000000, 99999999)}",
        }
        self.remember(self.call("POST /api/v1/tickets/", "POST", f"{API}/tickets/", body, expect=(201,)))

    def reply(self) -> None:
        picked = self.world.open_ticket(self.rng)
        ticket_id = picked[0] if picked else self.world.any_ticket(self.rng)
        text = self.rng.choice(REPLIES)
        body = {"body": text} if not text.startswith("内部") else {"body": text, "public": False}
        self.call("POST /api/v1/tickets/{id}/replies/", "POST", f"{API}/tickets/{ticket_id}/replies/",
                  body, expect=(201,))

    def transition(self) -> None:
        picked = self.world.open_ticket(self.rng)
        if picked is None:
            return self.create_ticket()
        ticket_id, status = picked
        moves = TRANSITIONS[status]
        to = self.rng.choices(list(moves), list(moves.values()))[0]
        body: dict[str, object] = {"to": to, "comment": COMMENTS[to]}
        if to == "assigned":
            body["assignee"] = self.rng.choice(self.world.vendor_ids)
        route = "POST /api/v1/tickets/{id}/transition/"
        reply = self.client.request("POST", f"{API}/tickets/{ticket_id}/transition/", body)
        errors = reply.data if isinstance(reply.data, dict) else {}
        if reply.status == 200:
            self.world.stats.record(route, reply, OK)
            self.remember(reply)
        elif reply.status == 400 and set(errors) == {"to"} and "不能从" in str(errors["to"]):
            # Lost a race: someone moved the ticket since we last saw it. Reload it.
            self.world.stats.record(route, reply, CONFLICT, why=f"{status}→{to} refused: moved meanwhile")
            self.ticket_detail(ticket_id)
        else:
            self.world.stats.record(route, reply, ERROR, body=body, why=f"{status}→{to}: {reply.text[:300]}")


MIX = [
    (VirtualUser.list_tickets, 30),
    (VirtualUser.ticket_detail, 15),
    (VirtualUser.ticket_history, 10),
    (VirtualUser.knowledge_search, 12),
    (VirtualUser.contracts, 5),
    (VirtualUser.deadline, 8),
    (VirtualUser.create_ticket, 5),
    (VirtualUser.reply, 7),
    (VirtualUser.transition, 8),
]
