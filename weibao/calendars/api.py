"""``/api/v1/calendars/`` and ``/api/v1/holidays/``: business calendars, deadlines,
legal periods and a contract's holiday edits."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from weibao.api.errors import field_error, not_member_response
from weibao.api.mixins import ID_IN_PATH, ContractCreateMixin, filter_by_contract_param
from weibao.api.permissions import HoldsDeclaredCapability
from weibao.api.serializers import MemberContractField, ModelSerializer, StrictFieldsMixin
from weibao.calendars import engine, services
from weibao.calendars.models import BusinessCalendar, HolidayDay
from weibao.contracts.access import require
from weibao.contracts.roles import Capability
from weibao.core import clock
from weibao.core.params import parse_date, parse_positive_int

MAX_MINUTES = 10 * 365 * 24 * 60
MAX_DAYS = 3650


class HoursField(serializers.ListField):
    child = serializers.ListField(child=serializers.CharField(max_length=5), min_length=2, max_length=2)


class CalendarSerializer(StrictFieldsMixin, ModelSerializer):
    contract = MemberContractField(capability=Capability.MANAGE_SLA)
    hours = HoursField(required=False, max_length=12)

    class Meta:
        model = BusinessCalendar
        fields = ["id", "contract", "name", "kind", "hours", "created_at"]
        read_only_fields = ["created_at"]

    def validate(self, data):
        kind = data.get("kind")
        if kind == BusinessCalendar.Kind.WORKDAY:
            try:
                engine.parse_hours(data.get("hours") or [])
            except ValueError as error:
                raise field_error("hours", str(error)) from None
        if BusinessCalendar.objects.filter(contract=data["contract"], name=data["name"]).exists():
            raise field_error("name", "该合同已有同名日历。 / A calendar with this name exists.")
        return data

    def create(self, validated_data):
        return services.create_calendar(
            validated_data["contract"],
            name=validated_data["name"],
            kind=validated_data["kind"],
            hours=validated_data.get("hours", []),
            by=self.context["request"].user,
        )


def _int_param(request, name: str, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        raise field_error(name, f"缺少参数 {name}。 / {name} is required.")
    return parse_positive_int(raw, name, minimum=low, maximum=high)


def _datetime_param(request, name: str) -> dt.datetime:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        raise field_error(name, f"缺少参数 {name}。 / {name} is required.")
    try:
        # "+" in a query string arrives as a space when the client did not encode it.
        value = parse_datetime(raw.replace(" ", "+") if "T" in raw else raw)
    except ValueError:
        value = None
    if value is None:
        raise field_error(
            name, f"{name} 应为 ISO-8601 时间。 / {name} must be an ISO-8601 date-time."
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.SHANGHAI)  # the contract's own time zone
    return value


def _date_param(request, name: str) -> dt.date:
    # A period may run ten years past its start: the start stays that far inside the engine.
    value = parse_date(request.query_params.get(name), name, first=engine.FIRST_YEAR, last=engine.LAST_YEAR - 11)
    if value is None:
        raise field_error(name, f"{name} 应为 YYYY-MM-DD。 / {name} must be YYYY-MM-DD.")
    return value


DEADLINE_RESPONSE = inline_serializer(
    "Deadline",
    {
        "deadline": serializers.DateTimeField(),
        "uncovered_years": serializers.ListField(child=serializers.IntegerField()),
        "warning": serializers.CharField(),
    },
)
PERIOD_RESPONSE = inline_serializer(
    "LegalPeriod",
    {
        "last_day": serializers.DateField(),
        "ends_at": serializers.DateTimeField(),
        "uncovered_years": serializers.ListField(child=serializers.IntegerField()),
        "warning": serializers.CharField(),
    },
)


class CalendarViewSet(
    ContractCreateMixin,
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Business calendars of the caller's contracts; project managers create them."""

    permission_classes = [IsAuthenticated, HoldsDeclaredCapability]
    required_capabilities = {
        "list": (Capability.VIEW_CONTRACT,),
        "retrieve": (Capability.VIEW_CONTRACT,),
        "deadline": (Capability.VIEW_CONTRACT,),
        "period": (Capability.VIEW_CONTRACT,),
        "create": (Capability.MANAGE_SLA,),
    }
    serializer_class = CalendarSerializer
    lookup_value_regex = ID_IN_PATH

    def get_queryset(self):
        calendars = BusinessCalendar.objects.for_user(self.request.user).order_by("id")
        return filter_by_contract_param(calendars, self.request) if self.action == "list" else calendars

    @extend_schema(parameters=[OpenApiParameter("contract", int)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True, description="ISO-8601"),
            OpenApiParameter("minutes", int, required=True),
        ],
        responses=DEADLINE_RESPONSE,
    )
    @action(detail=True, methods=["get"])
    def deadline(self, request, pk=None):
        calendar = self.get_object()
        start = _datetime_param(request, "start")
        minutes = _int_param(request, "minutes", 0, MAX_MINUTES)
        try:
            answer = services.deadline(calendar, start, minutes)
        except engine.OutOfRange as error:
            raise field_error("start", str(error)) from None
        return Response(
            {
                "deadline": answer.value.astimezone(clock.SHANGHAI).isoformat(),
                "uncovered_years": answer.uncovered_years,
                "warning": answer.warning,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("days", int, required=True),
            OpenApiParameter("rule", str, required=True, enum=[*services.PeriodRule.CHOICES]),
        ],
        responses=PERIOD_RESPONSE,
    )
    @action(detail=True, methods=["get"])
    def period(self, request, pk=None):
        calendar = self.get_object()
        start = _date_param(request, "from")
        days = _int_param(request, "days", 1, MAX_DAYS)
        rule = request.query_params.get("rule", "")
        if rule not in services.PeriodRule.CHOICES:
            raise field_error("rule", "rule 应为 working_days 或 calendar_days。 / rule must be working_days or calendar_days.")
        answer = services.legal_period(calendar.contract_id, start, days, rule)
        return Response(
            {
                "last_day": answer.value.isoformat(),
                "ends_at": answer.ends_at.isoformat(),
                "uncovered_years": answer.uncovered_years,
                "warning": answer.warning,
            }
        )


class HolidaySerializer(StrictFieldsMixin, ModelSerializer):
    contract = MemberContractField(capability=Capability.MANAGE_SLA)

    class Meta:
        model = HolidayDay
        fields = ["id", "contract", "date", "kind", "name", "updated_at"]
        read_only_fields = ["updated_at"]

    def validate_date(self, value):
        if not engine.FIRST_YEAR <= value.year <= engine.LAST_YEAR:
            raise serializers.ValidationError("日期超出支持的年份。 / date out of range.")
        return value

    def create(self, validated_data):
        return services.set_holiday(
            validated_data["contract"],
            validated_data["date"],
            validated_data["kind"],
            validated_data.get("name", ""),
            by=self.context["request"].user,
        )


class HolidayImportSerializer(StrictFieldsMixin, serializers.Serializer):
    contract = MemberContractField(capability=Capability.MANAGE_SLA)
    year = serializers.IntegerField(min_value=engine.FIRST_YEAR, max_value=engine.LAST_YEAR)
    text = serializers.CharField(max_length=20000, help_text="YYYY-MM-DD,rest|work[,name] per line")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)


class NoticeSerializer(StrictFieldsMixin, serializers.Serializer):
    text = serializers.CharField(
        max_length=20000, help_text="《国务院办公厅关于YYYY年部分节假日安排的通知》的全文，原样粘贴"
    )
    year = serializers.IntegerField(
        min_value=engine.FIRST_YEAR + 1, max_value=engine.LAST_YEAR, required=False,
        help_text="Only when the pasted text does not say which year it arranges.",
    )


class NoticeConfirmSerializer(NoticeSerializer):
    contract = MemberContractField(
        capability=Capability.MANAGE_SLA, required=False,
        help_text="The contract whose year this becomes; omitted: the whole installation "
        "(system administrator only).",
    )
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    accept_unrecognised = serializers.BooleanField(
        required=False, default=False,
        help_text="Store although some lines were not understood (they are listed in the preview).",
    )


def _refuse_unless_may_load_notices(user) -> None:
    if not services.may_load_notices(user):
        raise DjangoPermissionDenied(_("只有项目经理或系统管理员可以载入节假日通知。"))


NOTICE_RESPONSE = inline_serializer(
    "HolidayNotice",
    {
        "year": serializers.IntegerField(),
        "rest_days": serializers.ListField(child=serializers.DateField()),
        "work_days": serializers.ListField(child=serializers.DateField()),
        "unrecognised": serializers.ListField(child=serializers.CharField()),
    },
)


class HolidayViewSet(
    ContractCreateMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A contract's own holiday entries (on top of the official arrangement)."""

    permission_classes = [IsAuthenticated, HoldsDeclaredCapability]
    required_capabilities = {
        "list": (Capability.VIEW_CONTRACT,),
        "create": (Capability.MANAGE_SLA,),
        "destroy": (Capability.MANAGE_SLA,),
        "import_year": (Capability.MANAGE_SLA,),
        # Also the system administrator, for the whole installation (services.may_load_notices).
        "notice": (Capability.MANAGE_SLA,),
        "notice_confirm": (Capability.MANAGE_SLA,),
    }
    serializer_class = HolidaySerializer
    lookup_value_regex = ID_IN_PATH

    def get_queryset(self):
        entries = HolidayDay.objects.for_user(self.request.user).order_by("date")
        return filter_by_contract_param(entries, self.request) if self.action == "list" else entries

    @extend_schema(parameters=[OpenApiParameter("contract", int)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        entry = self.get_object()
        require(request.user, entry.contract_id, Capability.MANAGE_SLA,
                "只有项目经理可以修改节假日。 / Only the project manager may edit holidays.")
        services.remove_holiday(entry, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=HolidayImportSerializer,
        responses={201: inline_serializer("HolidayImport", {"imported": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_year(self, request):
        serializer = HolidayImportSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            return not_member_response(serializer.errors) or Response(
                serializer.errors, status=status.HTTP_400_BAD_REQUEST
            )
        data = serializer.validated_data
        try:
            count = services.import_year(
                data["contract"], data["year"], data["text"], source=data.get("source", ""), by=request.user
            )
        except services.HolidayFileError as error:
            raise field_error("text", str(error)) from None
        return Response({"imported": count}, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoticeSerializer, responses=NOTICE_RESPONSE)
    @action(detail=False, methods=["post"], url_path="notice")
    def notice(self, request):
        """Preview what a pasted State Council notice says; nothing is stored."""
        _refuse_unless_may_load_notices(request.user)
        serializer = NoticeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            reading = services.preview_notice(serializer.validated_data["text"], serializer.validated_data.get("year"))
        except services.NoticeError as error:
            raise field_error(error.field, error.message) from None
        return Response(reading.as_dict())

    @extend_schema(request=NoticeConfirmSerializer, responses={201: NOTICE_RESPONSE})
    @action(detail=False, methods=["post"], url_path="notice/confirm")
    def notice_confirm(self, request):
        """Store the previewed notice: for ``contract``, or for the whole installation."""
        _refuse_unless_may_load_notices(request.user)
        serializer = NoticeConfirmSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            return not_member_response(serializer.errors) or Response(
                serializer.errors, status=status.HTTP_400_BAD_REQUEST
            )
        data = serializer.validated_data
        try:
            reading = services.load_notice(
                data["text"], by=request.user, contract=data.get("contract"), year=data.get("year"),
                source=data.get("source", ""), accept_unrecognised=data["accept_unrecognised"],
            )
        except services.NoticeError as error:
            raise field_error(error.field, error.message) from None
        return Response(reading.as_dict(), status=status.HTTP_201_CREATED)
