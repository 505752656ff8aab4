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
        """``assignees``: a callable answering who may be offered (``access.who_can_work``).
        It costs two queries (the team, clause 五.2's register), so a submission naming
        nobody is validated without it; ``offer_assignees`` fills the list to show the
        form again."""
        super().__init__(*args, **kwargs)
        self._assignees = assignees
        self.fields["type"].choices = TicketType.choices
        self.fields["priority"].initial = Priority.P3
        self.fields["channel"].initial = Channel.PHONE
        # Another contract's id is refused as an unknown one (weibao.servicedesk.access).
        self.fields["component"].queryset = access.components(contract.pk)
        self.fields["group"].queryset = access.support_groups(contract.pk)
        if self.is_bound and not self.data.get("assignee"):
            self.fields["assignee"].queryset = self.fields["assignee"].queryset.none()
        else:
            self.offer_assignees()
        self.fields["subject"].widget.attrs["autofocus"] = True

    def _get_validation_exclusions(self):
        # The choice fields fetched their objects from the contract's own lists: the model's
        # validation need not look each up again (the service checks them against the contract).
        return super()._get_validation_exclusions() | {"component", "group", "assignee"}

    def offer_assignees(self) -> None:
        self.fields["assignee"].queryset = self._assignees()


class TransitionForm(forms.Form):
    to = forms.CharField()
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("说明"))
    assignee = forms.IntegerField(required=False)


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("内容"))
    public = forms.BooleanField(required=False, initial=True, label=_("对请求人公开"))
