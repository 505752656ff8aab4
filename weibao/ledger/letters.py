"""The breach notice (clause 九.1) as a letter in the usual Chinese official-letter layout
(GB/T 9704 in spirit): centred title in 小标宋 二号, the number under it, the addressee
flush left followed by a full-width colon, body in 仿宋 三号 with a two-character first-line
indent, the sender and the date flush right. The same parts feed the print page and DOCX."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from weibao.ledger.models import BreachNotice, PenaltyRule

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"



def _cn_date(day) -> str:
    # Official letters write dates without leading zeros: 2026年2月2日.
    return f"{day.year}年{day.month}月{day.day}日"


def letter_parts(item: BreachNotice) -> dict:
    """Addressee, sender and body of the notice: shared by the page and the DOCX."""
    contract = item.contract
    by_a = item.issuing_party == PenaltyRule.Party.A
    return {
        "title": _("违约通知书"),
        "number": _("（%(number)s）") % {"number": item.number},
        "addressee": contract.party_b if by_a else contract.party_a,
        "sender": contract.party_a if by_a else contract.party_b,
        "body": [
            _("贵我双方于 %(signed)s 签订的《%(name)s》合同（合同编号：%(number)s）正在履行中。") % {
                "signed": _cn_date(contract.signed_on) if contract.signed_on else "",
                "name": contract.name, "number": contract.number},
            _("经核实，贵方存在以下违约情形（违反合同第%(clause)s条）：%(description)s") % {
                "clause": item.clause, "description": item.description},
            *([_("现要求贵方：%(action)s") % {"action": item.required_action}] if item.required_action else []),
            _("根据合同第九条第1款之约定，请贵方自本通知发出之日起 %(days)d 个工作日内（即 %(due)s 前）采取补救措施；"
              "逾期仍未采取措施的，我方有权要求贵方继续履行合同义务并赔偿因此造成的损失。") % {
                "days": item.remedy_working_days, "due": _cn_date(item.remedy_due_on)},
            _("特此通知。"),
        ],
        "date": _cn_date(item.issued_on),
    }


def _run(paragraph, text: str, font: str, size: int, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    # East Asian text takes its font from eastAsia, not from the Latin name.
    run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
    return run


def breach_notice_docx(item: BreachNotice) -> bytes:
    parts = letter_parts(item)
    document = Document()
    section = document.sections[0]
    # GB/T 9704: A4, top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, parts["title"], TITLE_FONT, 22)
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number, parts["number"], BODY_FONT, 16)
    addressee = document.add_paragraph()
    _run(addressee, parts["addressee"] + "：", BODY_FONT, 16)
    for text in parts["body"]:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters of 三号
        paragraph.paragraph_format.line_spacing = Pt(28)
        _run(paragraph, text, BODY_FONT, 16)
    document.add_paragraph()
    for text in (parts["sender"] + _("（盖章）"), parts["date"]):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(paragraph, text, BODY_FONT, 16)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
