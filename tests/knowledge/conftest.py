import pytest

from weibao.knowledge import search
from weibao.knowledge.services import learning
from weibao.knowledge.services.articles import create_article


@pytest.fixture(autouse=True)
def fresh_index_cache():
    """Each test has its own database; the per-process index cache must not outlive it."""
    search.clear_cache()
    learning.clear_cache()
    yield
    search.clear_cache()
    learning.clear_cache()


@pytest.fixture
def password_pair(contract, agent):
    personal = create_article(
        contract,
        title="个人用户忘记登录密码如何重置",
        body="自然人用户在登录页点击忘记密码，选择个人用户，输入身份证号和手机验证码后设置新密码。",
        tags=["个人账号", "密码"],
        publish=True,
        by=agent,
    )
    legal = create_article(
        contract,
        title="法人用户忘记登录密码如何重置",
        body="企业、单位用户点击忘记密码，选择法人用户，输入统一社会信用代码，由经办人短信验证后重置。",
        tags=["法人账号", "密码"],
        publish=True,
        by=agent,
    )
    return personal, legal


@pytest.fixture
def open_ticket(contract, pm, engineer, clock):
    """A real ticket in progress: a citizen's U盾 problem, with the requester's details."""
    from weibao.servicedesk.services import tickets
    from weibao.servicedesk.services.defaults import install_defaults

    install_defaults(contract)
    ticket = tickets.create_ticket(
        contract,
        by=pm,
        type="fault",
        priority="p3",
        channel="phone",
        subject="U盾插上没反应",
        description="张三来电：U盾登录提示未检测到证书，回电 13812345678 或 zhangsan@example.cn。",
        requester_name="张三",
        requester_phone="13812345678",
        requester_email="zhangsan@example.cn",
    )
    tickets.transition(ticket, "assigned", by=pm, assignee=engineer)
    tickets.transition(ticket, "in_progress", by=engineer)
    tickets.add_reply(ticket, "张三您好，请先到下载专区重新安装证书驱动。", by=engineer)
    tickets.add_reply(ticket, "内部：该用户上月也报过，疑似驱动版本过旧。", by=engineer, public=False)
    tickets.add_reply(
        ticket, "装好了还是不行，我的身份证号 110101199003071234。", by=None, author_name="张三"
    )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def resolved_ticket(open_ticket, engineer):
    from weibao.servicedesk.services import tickets

    tickets.transition(open_ticket, "resolved", by=engineer, comment="更换USB接口并重启浏览器后恢复正常。")
    open_ticket.refresh_from_db()
    return open_ticket


@pytest.fixture
def portal_site(contract):
    from weibao.portal.models import PortalSite

    return PortalSite.objects.create(contract=contract, slug="shilong", title="石龙区运维服务门户")
