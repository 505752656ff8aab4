"""The import page: paste or upload a contract, check every field beside the sentence it
came from, correct it, confirm. Thin: reading, the draft and creating are the importer's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from weibao.contracts.access import requires
from weibao.contracts.roles import Capability
from weibao.core.params import BadParameter
from weibao.ledger.importer import access
from weibao.ledger.importer.apply import create_contract_from_draft
from weibao.ledger.importer.draft import SCALAR_FIELDS, build_draft
from weibao.ledger.importer.reading import EXTENSIONS, contract_text, text_of_upload

LABELS = {
    "number": gettext_lazy("合同编号"),
    "name": gettext_lazy("项目名称"),
    "procurement_number": gettext_lazy("采购编号"),
    "party_a": gettext_lazy("甲方（采购人）"),
    "party_a_representative": gettext_lazy("甲方法定代表人/委托代理人"),
    "party_a_address": gettext_lazy("甲方地址"),
    "party_b": gettext_lazy("乙方（供应商）"),
    "party_b_representative": gettext_lazy("乙方法定代表人/委托代理人"),
    "party_b_address": gettext_lazy("乙方地址"),
    "bank": gettext_lazy("乙方开户行"),
    "account": gettext_lazy("乙方账号"),
    "amount": gettext_lazy("合同金额（元）"),
    "amount_in_words": gettext_lazy("大写金额"),
    "amount_words_match": gettext_lazy("大写与小写一致"),
    "signed_on": gettext_lazy("签订日期"),
    "start": gettext_lazy("服务开始"),
    "end": gettext_lazy("服务结束"),
    "advance_ratio": gettext_lazy("预付款比例"),
    "remedy_working_days": gettext_lazy("违约补救期限（工作日）"),
    "force_majeure_days": gettext_lazy("不可抗力证明期限（日）"),
    "max_renewals": gettext_lazy("最多续签次数"),
    "max_total_years": gettext_lazy("总服务期限上限（年）"),
    "renewal_window_days": gettext_lazy("续签窗口（期满前天数）"),
    "min_resident_staff": gettext_lazy("驻场人数下限"),
}
# What confirming stores today (contracts.Contract); the rest is kept in the audit record.
STORED = {"number", "name", "procurement_number", "party_a", "party_b", "party_a_representative",
          "bank", "account", "amount", "signed_on", "start", "end"}
REQUIRED = {"number", "name", "party_a", "party_b", "amount", "start", "end"}
INPUT_TYPES = {"signed_on": "date", "start": "date", "end": "date"}
MAX_ROWS = 50
BASES = [("contract_total", gettext_lazy("合同总金额")), ("amount_due", gettext_lazy("应付金额"))]
PERS = [("once", gettext_lazy("一次性")), ("day", gettext_lazy("按日"))]


def _rows(draft: dict, errors: dict | None = None) -> list[dict]:
    errors = errors or {}
    rows = []
    for name in SCALAR_FIELDS:
        value = draft.get(name)
        if name == "amount_words_match":
            continue
        rows.append({
            "name": name, "label": LABELS[name], "value": "" if value is None else value,
            "source": (draft.get("sources") or {}).get(name, ""), "stored": name in STORED,
            "required": name in REQUIRED, "type": INPUT_TYPES.get(name, "text"), "error": errors.get(name, ""),
        })
    return rows


def _review(request, draft: dict, errors: dict | None = None, status: int = 200):
    return render(request, "ledger/import_review.html", {
        "draft": draft, "rows": _rows(draft, errors), "errors": errors or {},
        "bases": BASES, "pers": PERS,
    }, status=status)


@requires(Capability.IMPORT_CONTRACT)
@login_required
@require_http_methods(["GET", "POST"])
def import_contract(request):
    """GET the paste/upload form; POST it to read the draft (nothing is stored)."""
    access.require_import(request.user)
    context = {"extensions": ", ".join(EXTENSIONS), "text": ""}
    if request.method == "GET":
        return render(request, "ledger/import_form.html", context)
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            if upload.size > 10 * 1024 * 1024:
                raise BadParameter("file", _("文件过大，最多 10 MB。"))
            text = text_of_upload(upload.name, upload.read())
        else:
            text = contract_text(request.POST.get("text"))
    except BadParameter as exc:
        context.update(error=exc.message, field=exc.field, text=(request.POST.get("text") or "")[:200_000])
        return render(request, "ledger/import_form.html", context, status=400)
    return _review(request, build_draft(text))


def draft_from_form(data) -> dict:
    """The draft as the person corrected it on the review page."""
    draft: dict = {name: (data.get(name) or "").strip() or None for name in SCALAR_FIELDS}
    draft["amount_words_match"] = {"true": True, "false": False}.get(data.get("amount_words_match", ""))
    draft["sources"] = {name[len("source-"):]: value for name, value in data.items() if name.startswith("source-")}

    def rows(prefix: str, keys: tuple[str, ...]) -> list[dict]:
        found = []
        for index in range(MAX_ROWS):
            row = {key: (data.get(f"{prefix}-{index}-{key}") or "").strip() for key in keys}
            if not any(row.values()):
                if f"{prefix}-{index}-{keys[0]}" not in data:
                    break
                continue
            found.append(row)
        return found

    draft["instalments"] = rows("instalments", ("ratio", "condition", "clause", "source"))
    draft["penalties"] = rows("penalties", ("rate", "base", "per", "cap", "clause", "source"))
    draft["obligations"] = rows("obligations", ("label", "detail", "key", "clause", "source"))
    draft["unrecognised"] = data.getlist("unrecognised")[:500]
    draft["warnings"] = data.getlist("warnings")[:100]
    return draft


@requires(Capability.IMPORT_CONTRACT)
@login_required
@require_POST
def confirm_import(request):
    """Create the contract from the checked draft (the one function that does)."""
    access.require_import(request.user)
    draft = draft_from_form(request.POST)
    try:
        contract = create_contract_from_draft(draft, by=request.user)
    except ValidationError as exc:
        errors = {field: " ".join(messages) for field, messages in exc.message_dict.items()}
        return _review(request, draft, errors, status=400)
    return render(request, "ledger/import_done.html", {"contract": contract})
