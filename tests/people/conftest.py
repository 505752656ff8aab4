import datetime as dt

import pytest

from weibao.people import services


@pytest.fixture
def enrol(contract, pm):
    """A full, compliant record for ``user``; ``accident_until`` to make it lapse or expire."""

    def make(user, accident_until=dt.date(2027, 1, 31), agreement=True):
        profile = services.save_profile(contract, user, by=pm, position="工程师")
        services.add_policy(profile, by=pm, kind="social", insurer="社保中心", policy_number="SB-0001",
                            valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2027, 1, 31))
        services.add_policy(profile, by=pm, kind="accident", insurer="人寿", policy_number="YW-SECRET-77",
                            valid_from=dt.date(2026, 1, 1), valid_until=accident_until)
        if agreement:
            services.add_agreement(profile, by=pm, signed_on=dt.date(2026, 1, 5))
        return profile

    return make
