"""Technical training (clause 四.2): a plan the bureau agrees, sessions with a sign-in
sheet and a survey, and the figures the obligations matrix and reports read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from weibao.people import training
from weibao.people.models import TrainingSession
from weibao.testing.isolation import assert_isolated

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 signed sheet"


@pytest.fixture
def plan(contract, pm, clock):
    return training.save_plan(contract, by=pm, year=2026, title="2026 年度培训", planned_sessions=4)


@pytest.fixture
def session(plan, pm, clock):
    start = clock.now() - dt.timedelta(days=1)
    return training.save_session(plan, by=pm, topic="平台操作", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                 place="三楼会议室", trainer="李明")


def test_the_bureau_agrees_the_plan_and_a_change_needs_agreeing_again(plan, pm, liaison, engineer):
    with pytest.raises(PermissionDenied):
        training.agree_plan(plan, by=pm)
    training.agree_plan(plan, by=liaison)
    assert plan.agreed_at is not None
    changed = training.save_plan(plan.contract, by=pm, year=2026, title="2026 年度培训", planned_sessions=6)
    assert changed.agreed_at is None


def test_held_sessions_attendance_and_satisfaction(contract, plan, session, pm, liaison, make_member):
    a = training.add_attendee(session, by=pm, name="王丽", organisation="审批一科")
    training.add_attendee(session, by=pm, name="张强")
    with pytest.raises(ValidationError) as error:
        training.record_held(session, by=pm, attended_ids=[a.pk])
    assert "signed_sheet" in error.value.message_dict
    with pytest.raises(ValidationError):
        training.give_feedback(session, by=liaison, satisfaction=5)  # not held yet
    training.record_held(session, by=pm, attended_ids=[a.pk], signed_sheet=SimpleUploadedFile("s.pdf", PDF))
    training.give_feedback(session, by=liaison, satisfaction=5)
    training.give_feedback(session, by=make_member(contract, "bureau_viewer"), satisfaction=4)
    with pytest.raises(ValidationError):
        training.give_feedback(session, by=liaison, satisfaction=3)  # once each
    figures = training.figures(contract, 2026)
    assert (figures.planned, figures.held, figures.invited, figures.attended) == (4, 1, 2, 1)
    assert figures.attendance_rate == Decimal("0.5000")
    assert figures.satisfaction == Decimal("4.50")
    assert figures.responses == 2


def test_a_future_session_cannot_be_recorded_as_held(plan, pm, clock):
    start = clock.now() + dt.timedelta(days=3)
    later = training.save_session(plan, by=pm, topic="x", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                  place="p", trainer="t")
    with pytest.raises(ValidationError):
        training.record_held(later, by=pm, attended_ids=[], signed_sheet=SimpleUploadedFile("s.pdf", PDF))


def test_the_pages(contract, plan, session, pm, liaison, client_for):
    training.add_attendee(session, by=pm, name="王丽")
    web = client_for(pm)
    assert "平台操作" in web.get("/people/training/?year=2026").content.decode()
    assert web.get("/people/training/?year=１").status_code == 400
    sheet = web.get(f"/people/training/sessions/{session.pk}/sheet/").content.decode()
    assert "签到表" in sheet and "王丽" in sheet
    held = web.post(f"/people/training/sessions/{session.pk}/held/",
                    {"attended": [session.attendees.get().pk], "signed_sheet": SimpleUploadedFile("s.pdf", PDF)})
    assert held.status_code == 302
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.HELD
    assert client_for(liaison).post(f"/people/training/sessions/{session.pk}/feedback/", {"satisfaction": "4"}).status_code == 302
    assert session.feedback.count() == 1
    assert client_for(liaison).get(f"/people/training/sessions/{session.pk}/signed/").status_code == 200
    created = web.post("/people/training/sessions/new/", {"plan": plan.pk, "topic": "", "starts_at": "2026-12-01T09:00",
                                                           "ends_at": "2026-12-01T08:00", "place": "p", "trainer": "t"})
    assert created.status_code == 400


def test_training_is_isolated(session, outsider, client_for):
    web = client_for(outsider)
    assert_isolated(web, [f"/people/training/sessions/{session.pk}/", f"/people/training/sessions/{session.pk}/sheet/"],
                    ["平台操作"])
    assert_isolated(web, [f"/people/training/sessions/{session.pk}/feedback/"], ["平台操作"], method="post",
                    content_type="application/x-www-form-urlencoded")
