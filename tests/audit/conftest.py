import pytest


@pytest.fixture
def contract_auditor(contract, make_member):
    return make_member(contract, "auditor", username="c_auditor")


@pytest.fixture(autouse=True)
def anchor_dir(settings, tmp_path):
    """Each test keeps its audit anchors in a directory of its own."""
    settings.WEIBAO_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    return settings.WEIBAO_AUDIT_ANCHOR_DIR
