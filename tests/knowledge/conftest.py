import pytest

from weibao.knowledge import search
from weibao.knowledge.services import create_article


@pytest.fixture(autouse=True)
def fresh_index_cache():
    """Each test has its own database; the per-process index cache must not outlive it."""
    search.clear_cache()
    yield
    search.clear_cache()


@pytest.fixture
def agent(contract, make_member):
    return make_member(contract, "hotline_agent", username="agent")


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
