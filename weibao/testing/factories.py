"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from weibao.accounts.models import User
from weibao.accounts.services.passwords import set_password
from weibao.contracts.models import Contract, Membership

TEST_PASSWORD = "Weibao@2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):

        if create:
            set_password(obj, extracted or TEST_PASSWORD)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"HT-TEST-{n:05d}")
    name = factory.Sequence(lambda n: f"测试区一体化政务服务平台维保项目{n}")
    party_a = "测试区行政审批和政务信息管理局"
    party_b = "测试信息技术有限公司"
    amount = Decimal("1370000.00")
    term_start = date(2026, 3, 9)
    term_end = date(2027, 3, 8)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    contract = factory.SubFactory(ContractFactory)
    user = factory.SubFactory(UserFactory)
    role = "project_manager"
