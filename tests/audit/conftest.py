import pytest


@pytest.fixture
def contract_auditor(contract, make_member):
    return make_member(contract, "auditor", username="c_auditor")
