"""A rotation layer corrected in place on its page (/oncall/layers/{id}/edit/): the add
form filled in with what the layer holds; saving changes that layer (not a new one) and who
is on call follows; roles and tenancy as on every on-call page."""

from __future__ import annotations

import datetime as dt

import pytest

from weibao.oncall import services
from weibao.oncall.models import Layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def layer(contract, pm, make_member, clock):
    team = [make_member(contract, "resident_engineer", username=f"eng{i}") for i in range(3)]
    schedule = services.save_schedule(contract, name="7×24 值班", by=pm)
    return services.save_layer(schedule, by=pm, name="一线", rotation="daily",
                               starts_at=dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC),
                               participants=[u.pk for u in team], window_start=dt.time(18), window_end=dt.time(9))


def test_the_form_shows_the_layer_and_saving_changes_it_in_place(contract, pm, layer, client_for):
    client = client_for(pm)
    page = client.get(f"/oncall/layers/{layer.pk}/edit/").content.decode()
    assert 'value="一线"' in page and 'value="2026-11-24T09:00"' in page and 'value="18:00"' in page
    first, second, third = layer.participants
    assert f'<option value="{third}" selected>' in page and '<option value="daily" selected>' in page
    assert f'href="/oncall/layers/{layer.pk}/edit/"' in client.get(f"/oncall/schedules/{layer.schedule_id}/").content.decode()

    response = client.post(f"/oncall/layers/{layer.pk}/edit/", {
        "name": "一线（调整）", "level": "2", "rotation": "weekly", "shift_days": "7",
        "starts_at": "2026-11-24T09:00", "days": "all", "window_start": "", "window_end": "",
        "participants": [str(third), str(first), ""],
    })
    assert response.status_code == 302
    changed = Layer.objects.get()
    assert (changed.pk, changed.name, changed.level, changed.rotation, changed.participants) == (
        layer.pk, "一线（调整）", 2, "weekly", [third, first])
    assert changed.window_start is None
    assert [u.pk for _, u, *_ in services.on_call_now(contract)] == [third]


def test_a_bad_value_is_a_400_and_a_refused_one_leaves_the_layer(contract, pm, layer, client_for):
    client = client_for(pm)
    assert client.post(f"/oncall/layers/{layer.pk}/edit/", {"starts_at": "2026-11-24T09:00", "level": "²",
                                                         "participants": [str(layer.participants[0])]}).status_code == 400
    page = client.post(f"/oncall/layers/{layer.pk}/edit/", {"starts_at": "2026-11-24T09:00", "window_start": "09:00",
                                                         "participants": [str(layer.participants[0])]})
    assert page.status_code == 200 and "时段须同时填写开始和结束" in page.content.decode()
    assert Layer.objects.get().participants == layer.participants


def test_only_the_contracts_managers_may_edit(contract, layer, outsider, make_member, client_for):
    assert client_for(outsider).get(f"/oncall/layers/{layer.pk}/edit/").status_code == 404
    engineer = make_member(contract, "resident_engineer", username="eng-x")
    assert client_for(engineer).get(f"/oncall/layers/{layer.pk}/edit/").status_code == 403
    assert client_for(engineer).post(f"/oncall/layers/{layer.pk}/edit/", {"name": "x"}).status_code == 403


def test_someone_no_longer_on_duty_stays_shown_and_a_refused_id_names_nobody(contract, pm, layer, outsider,
                                                                            client_for):
    from weibao.contracts.models import Membership

    client = client_for(pm)
    gone = layer.participants[1]
    Membership.objects.filter(contract=contract, user_id=gone).update(role="bureau_viewer")  # no longer on duty
    page = client.get(f"/oncall/layers/{layer.pk}/edit/").content.decode()
    assert f'<option value="{gone}" selected>' in page and "已不在值班人员中" in page
    # Saved as it is (a new name only): the layer keeps them, nothing is dropped silently.
    kept = [str(p) for p in layer.participants]
    assert client.post(f"/oncall/layers/{layer.pk}/edit/", {"name": "改名", "starts_at": "2026-11-24T09:00",
                                                         "rotation": "daily", "participants": kept}).status_code == 302
    assert Layer.objects.get().participants == layer.participants

    refused = client.post(f"/oncall/layers/{layer.pk}/edit/", {"starts_at": "2026-11-24T09:00",
                                                            "participants": [str(outsider.pk)]})
    assert refused.status_code == 200 and "不能排入值班" in refused.content.decode()
    assert outsider.username not in refused.content.decode() and str(outsider) not in refused.content.decode()
