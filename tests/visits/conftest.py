from tests.servicedesk.conftest import api, desk, engineer, liaison, new_ticket  # noqa: F401
