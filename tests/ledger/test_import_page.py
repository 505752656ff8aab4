"""The import page: paste or upload, review every field beside its sentence, confirm."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from weibao.audit.models import AuditRecord
from weibao.contracts.models import Contract

pytestmark = pytest.mark.django_db
PAGE = "/ledger/import/"
CONFIRM = "/ledger/import/confirm/"


def _docx(lines, table=None) -> bytes:
    from docx import Document

    document = Document()
    for line in lines:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_the_form_is_shown_to_a_project_manager(pm, client_for):
    response = client_for(pm).get(PAGE)
    assert response.status_code == 200
    assert "合同文本" in response.content.decode()


def test_others_are_refused(contract, make_member, client_for):
    liaison = make_member(contract, "bureau_liaison")
    assert client_for(liaison).get(PAGE).status_code == 403
    assert client_for(liaison).post(CONFIRM, {"number": "X"}).status_code == 403


def test_pasted_seed_shows_every_field_with_its_sentence(pm, client_for, seed_text):
    contracts = Contract.objects.count()
    response = client_for(pm).post(PAGE, {"text": seed_text})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="HTDZ202602135"' in page
    assert 'value="1370000.00"' in page
    assert "本合同总金额为人民币 1370000.00元（人民币大写：壹佰叁拾柒万元整）。" in page
    assert "本项目服务期限为：自 2026 年 03 月 09 日起至 2027 年 03 月 08 日止。" in page
    assert "未识别的条款" in page and "详见附件" in page
    assert Contract.objects.count() == contracts


def test_a_disagreeing_upper_case_amount_is_flagged(pm, client_for, seed_text):
    text = seed_text.replace("1370000.00元", "1380000.00元")
    page = client_for(pm).post(PAGE, {"text": text}).content.decode()
    assert "大写与小写金额不一致" in page
    assert "不一致，请核对合同原件" in page


def test_a_docx_upload_is_read_tables_included(pm, client_for):
    data = _docx(
        ["合同编号：DOCX-2026-1", "某县政务服务平台运维项目", "甲方：某县行政审批服务局", "乙方：某科技有限公司",
         "一、合同金额", "本合同总金额为人民币500000.00元（大写：伍拾万元整）。", "二、付款方式", "按下表付款："],
        table=[["序号", "付款比例", "付款条件"], ["1", "60%", "合同签订后支付"], ["2", "40%", "验收合格后支付"]],
    )
    upload = SimpleUploadedFile("合同.docx", data, content_type="application/octet-stream")
    response = client_for(pm).post(PAGE, {"file": upload})
    assert response.status_code == 200, response.content.decode()[:500]
    page = response.content.decode()
    assert 'value="DOCX-2026-1"' in page and 'value="500000.00"' in page
    assert 'value="0.60"' in page and 'value="0.40"' in page


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("scan.pdf", _blank_pdf(), "没有文字层"),
        ("broken.pdf", b"%PDF-1.4 not really", "无法读取该 PDF"),
        ("broken.docx", b"PK\x03\x04 nonsense", "无法读取该 DOCX"),
        ("binary.txt", bytes(range(256)), "二进制"),
        ("empty.txt", b"", "空的"),
        ("program.exe", b"MZ\x90\x00", ".txt、.docx"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_400_saying_why(pm, client_for, name, data, message):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client_for(pm).post(PAGE, {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_gb18030_text_file_is_read(pm, client_for, seed_text):
    upload = SimpleUploadedFile("seed.txt", seed_text.encode("gb18030"), content_type="text/plain")
    response = client_for(pm).post(PAGE, {"file": upload})
    assert response.status_code == 200
    assert 'value="HTDZ202602135"' in response.content.decode()


def test_empty_paste_is_a_400(pm, client_for):
    response = client_for(pm).post(PAGE, {"text": ""})
    assert response.status_code == 400
    assert "请粘贴合同文本" in response.content.decode()


def _form(**changes):
    data = {
        "number": "HT-PAGE-1", "name": "页面导入的运维项目", "party_a": "某区行政审批局", "party_b": "某信息技术有限公司",
        "amount": "468000.00", "start": "2026-01-15", "end": "2029-01-14", "signed_on": "2026-01-15",
        "source-number": "合同编号：HT-PAGE-1", "instalments-0-ratio": "0.50", "instalments-0-condition": "合同签订后",
        "penalties-0-rate": "0.0003", "penalties-0-base": "contract_total", "penalties-0-per": "day",
        "amount_words_match": "true",
    }
    data.update(changes)
    return data


def test_confirming_creates_the_contract_as_corrected(pm, client_for):
    response = client_for(pm).post(CONFIRM, _form(name="改过的项目名称"))
    assert response.status_code == 200
    assert "已创建" in response.content.decode()
    contract = Contract.objects.get(number="HT-PAGE-1")
    assert contract.name == "改过的项目名称" and contract.status == Contract.Status.DRAFT
    record = AuditRecord.objects.get(action="ledger.contract_imported")
    assert record.after["name"] == "改过的项目名称"
    terms = record.detail["confirmed_terms"]
    assert terms["instalments"][0]["ratio"] == "0.50"
    assert terms["penalties"][0] == {"rate": "0.0003", "base": "contract_total", "per": "day", "cap": "", "clause": "",
                                     "source": ""}


def test_a_wrong_field_on_confirm_is_shown_beside_it(pm, client_for):
    response = client_for(pm).post(CONFIRM, _form(end="2020-01-01"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "服务结束日期不能早于开始日期" in page
    assert 'value="HT-PAGE-1"' in page  # what the person typed is kept
    assert not Contract.objects.filter(number="HT-PAGE-1").exists()


def test_the_home_page_offers_the_import_to_a_project_manager_only(pm, contract, make_member, client_for):
    assert "/ledger/import/" in client_for(pm).get("/").content.decode()
    agent = make_member(contract, "hotline_agent")
    assert "/ledger/import/" not in client_for(agent).get("/").content.decode()


def test_a_pdf_with_a_text_layer_is_read(pm, client_for):
    from tests.ledger.pdf import pdf_with_text

    data = pdf_with_text(["合同编号：PDF-2026-1", "某县政务服务平台运维项目", "甲方：某县行政审批服务局", "乙方：某科技有限公司",
                          "本合同总金额为人民币500000.00元（大写：伍拾万元整）。"])
    upload = SimpleUploadedFile("contract.pdf", data, content_type="application/pdf")
    response = client_for(pm).post(PAGE, {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="PDF-2026-1"' in page and 'value="500000.00"' in page


def test_five_megabytes_pasted_on_the_page_is_a_400(pm, client_for):
    response = client_for(pm).post(PAGE, {"text": "合同条款。" * 1_100_000})
    assert response.status_code == 400
