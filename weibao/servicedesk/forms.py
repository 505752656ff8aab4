from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.servicedesk import access
from weibao.servicedesk.models import Channel, Priority, Ticket, TicketType


class TicketForm(forms.ModelForm):
    class Meta:
        model = Ticket
        fields = [
            "type", "priority", "channel", "component", "subject", "description",
            "requester_name", "requester_organisation", "requester_phone", "requester_email",
            "needs_onsite", "group", "assignee",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, contract, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = TicketType.choices
        self.fields["priority"].initial = Priority.P3
        self.fields["channel"].initial = Channel.PHONE
        # Another contract's id is refused as an unknown one (weibao.servicedesk.access).
        self.fields["component"].queryset = access.components(contract.pk)
        self.fields["group"].queryset = access.support_groups(contract.pk)
        self.fields["assignee"].queryset = assignees
        self.fields["subject"].widget.attrs["autofocus"] = True


class TransitionForm(forms.Form):
    to = forms.CharField()
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("说明"))
    assignee = forms.IntegerField(required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("内容"))
    public = forms.BooleanField(required=False, initial=True, label=_("对请求人公开"))
