from __future__ import annotations

import pytest

from weibao.servicedesk.models import ServiceComponent


@pytest.fixture
def component(contract):
    return ServiceComponent.objects.create(contract=contract, code="portal", name="政务服务网门户")


@pytest.fixture
def other_component(other_contract):
    return ServiceComponent.objects.create(contract=other_contract, code="portal", name="另一门户")
