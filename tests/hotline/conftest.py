from tests.servicedesk.conftest import api, desk, engineer, new_ticket  # noqa: F401
