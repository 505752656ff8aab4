"""A contract's public portal: where business staff and citizens submit and follow
requests without an account."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.contracts.scoping import ContractScopedModel


class PortalSite(ContractScopedModel):
    # The public address /portal/<slug>/: a chosen word, not the contract number.
    slug = models.SlugField(_("门户地址"), max_length=40, unique=True)
    title = models.CharField(_("门户名称"), max_length=200)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("公众门户")
        verbose_name_plural = _("公众门户")

    def __str__(self) -> str:
        return self.title
