import pytest

from weibao.core import stored_secrets
from weibao.notifications.models import ContactProfile, NotificationChannel

from .receivers import Receiver


@pytest.fixture
def receiver():
    peer = Receiver()
    yield peer
    peer.close()


@pytest.fixture(autouse=True)
def _short_timeout(settings):
    settings.WEIBAO_NOTIFY_TIMEOUT = 1
    settings.WEIBAO_NOTIFY_HOSTS = ["*"]


@pytest.fixture
def make_channel():
    def make(contract, kind, endpoint, secret="", **fields):
        return NotificationChannel.objects.create(
            contract=contract, name=fields.pop("name", kind), kind=kind,
            endpoint=stored_secrets.protect(endpoint), secret=stored_secrets.protect(secret), **fields,
        )

    return make


@pytest.fixture
def reachable(contract, make_member):
    """An on-call engineer with a mobile for SMS, voice and robot @-mentions."""

    def make(mobile="13800138000", role="oncall_engineer", **profile):
        user = make_member(contract, role, email=f"{mobile}@example.cn")
        ContactProfile.objects.create(user=user, mobile=mobile, **profile)
        return user

    return make
