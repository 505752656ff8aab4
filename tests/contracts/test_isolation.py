import pytest

from weibao.testing.isolation import assert_isolated, assert_list_excludes

pytestmark = pytest.mark.django_db


def test_outsider_sees_nothing_of_another_contract_in_ui(contract, pm, outsider, client_for):
    client = client_for(outsider)
    assert_isolated(client, [f"/contracts/{contract.pk}/"], secrets=[contract.number, contract.name])
    assert_list_excludes(client, "/contracts/", [contract.number])
    assert_list_excludes(client, "/", [contract.number])


def test_outsider_sees_nothing_of_another_contract_in_api(contract, outsider, api_client_for):
    client = api_client_for(outsider)
    assert_isolated(client, [f"/api/v1/contracts/{contract.pk}/"], secrets=[contract.number])
    response = client.get("/api/v1/contracts/")
    assert response.status_code == 200
    assert contract.number not in response.content.decode()


def test_member_sees_own_contract(contract, pm, api_client_for):
    response = api_client_for(pm).get("/api/v1/contracts/")
    assert response.status_code == 200
    numbers = [c["number"] for c in response.json()["results"]]
    assert numbers == [contract.number]
    assert response.json()["results"][0]["my_roles"] == ["project_manager"]


def test_switching_to_a_contract_one_is_not_member_of_is_refused(contract, outsider, client_for):
    response = client_for(outsider).post("/contracts/switch/", {"contract": contract.pk})
    assert response.status_code == 404
    response = client_for(outsider).post("/contracts/switch/", {"contract": "abc"})
    assert response.status_code == 404
