"""Who works on a contract: its vendor team and its project managers."""

from __future__ import annotations

from weibao.contracts.models import Membership
from weibao.contracts.services import project_managers, vendor_team


def test_team_and_project_managers_leave_out_deactivated_accounts_and_memberships(
    contract, other_contract, make_member
):
    pm = make_member(contract, "project_manager", username="pm")
    engineer = make_member(contract, "resident_engineer", username="engineer")
    make_member(contract, "bureau_liaison", username="liaison")
    for role in ("project_manager", "resident_engineer"):
        make_member(other_contract, role, username=f"elsewhere_{role}")
        make_member(contract, role, username=f"left_{role}", is_active=False)
        moved = make_member(contract, role, username=f"moved_{role}")
        Membership.objects.filter(user=moved).update(active=False)
    assert list(vendor_team(contract)) == [engineer, pm]  # by username; the liaison is the bureau's
    assert project_managers(contract.pk) == [pm]
