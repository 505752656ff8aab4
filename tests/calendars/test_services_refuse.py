"""The calendar services refuse by themselves (decision 0015): a caller that forgets the
check — a task, a later app — cannot edit a contract's calendar for someone who may not."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from weibao.calendars import services
from weibao.calendars.models import HolidayDay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["hotline_agent", "bureau_liaison", "auditor"])
def test_only_who_manages_the_sla_edits_calendars(contract, make_member, role):
    member = make_member(contract, role)
    with pytest.raises(PermissionDenied):
        services.create_calendar(contract, name="x", kind="always", hours=[], by=member)
    with pytest.raises(PermissionDenied):
        services.set_holiday(contract, dt.date(2027, 1, 4), "rest", "x", by=member)
    with pytest.raises(PermissionDenied):
        services.import_year(contract, 2027, "2027-01-04,rest", source="x", by=member)
    entry = HolidayDay.objects.create(contract=contract, date=dt.date(2027, 1, 5), kind="rest")
    with pytest.raises(PermissionDenied):
        services.remove_holiday(entry, by=member)
    assert HolidayDay.objects.filter(pk=entry.pk).exists()


def test_the_project_manager_and_the_system_itself_may(contract, pm, outsider):
    services.set_holiday(contract, dt.date(2027, 1, 4), "rest", "x", by=pm)
    services.set_holiday(contract, dt.date(2027, 1, 6), "rest", "x", by=None)
    with pytest.raises(PermissionDenied):
        services.set_holiday(contract, dt.date(2027, 1, 7), "rest", "x", by=outsider)
    assert HolidayDay.objects.filter(contract=contract).count() == 2
