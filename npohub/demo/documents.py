"""Demo documents that look like the real ones: Chinese file names (章程（草案）.pdf,
2025年度财务审计报告.pdf, 验资报告.pdf …) and a one-page A4 PDF that opens in any reader, with
the document's title, the organisation's name and a few lines of body text in Chinese.

Drawn with reportlab (already a dependency: the registration certificate) and its built-in
STSong-Light CID font, which every PDF reader carries (nothing embedded or downloaded). The
canvas is ``invariant``, so the same document renders to the same bytes (and the same stored
file: uploads are stored under their hash).
"""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"

# What each registration document is called, and the lines its body carries ({org}, {year}).
DOCUMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "application_form": (
        "登记申请书",
        (
            "{org}发起人经协商一致，现向登记管理机关申请登记。",
            "拟设立组织的宗旨、业务范围、住所、注册资金及拟任负责人情况详见附表。",
            "发起人承诺所提交材料真实、合法、有效，并对其真实性负责。",
        ),
    ),
    "articles": (
        "章程（草案）",
        (
            "第一章 总则",
            "第一条 本组织的名称为{org}。",
            "第二条 本组织遵守宪法、法律、法规和国家政策，践行社会主义核心价值观。",
            "第三条 本组织接受登记管理机关和业务主管单位的业务指导和监督管理。",
            "第二章 业务范围 …… 第七章 附则（共七章四十条）",
        ),
    ),
    "supervisory_consent": (
        "业务主管单位同意成立的批复",
        (
            "经研究，同意{org}成立，请按规定向登记管理机关申请登记。",
            "成立后须依照章程开展活动，接受本单位的业务指导。",
        ),
    ),
    "capital_verification": (
        "验资报告",
        (
            "我们接受委托，审验了{org}（筹）截至{date}的开办资金。",
            "经审验，开办资金已全部到位，存入该组织开立的银行账户。",
            "本报告仅供申请登记时使用。",
        ),
    ),
    "premises": (
        "住所使用证明",
        (
            "兹证明{org}使用的住所房屋产权清晰，无偿提供其作为办公场所使用。",
            "使用期限自{date}起不少于一年。附：房屋产权证明复印件。",
        ),
    ),
    "identity": (
        "拟任负责人身份证明及简历",
        (
            "拟任法定代表人、理事长、秘书长的居民身份证复印件（已核对原件）。",
            "拟任负责人均未受过剥夺政治权利的刑事处罚，具有完全民事行为能力。",
        ),
    ),
    "member_list": ("会员名单", ("{org}会员名单（单位会员、个人会员），共计若干名。",)),
    "audit_report": (
        "{year}年度财务审计报告",
        (
            "我们审计了{org}{year}年12月31日的资产负债表、{year}年度的业务活动表和现金流量表。",
            "我们认为，上述财务报表在所有重大方面按照《民间非营利组织会计制度》编制。",
        ),
    ),
    "meeting_minutes": (
        "会员（代表）大会决议",
        (
            "{org}于{date}召开会员（代表）大会，应到会员过半数出席，符合章程规定。",
            "会议审议通过了有关事项，表决结果：同意票超过出席人数的三分之二。",
        ),
    ),
    "liquidation_report": (
        "清算报告",
        (
            "{org}清算组已依法完成清算，债权债务已清理完毕。",
            "剩余财产按照章程规定用于与本组织宗旨相关的公益目的。",
        ),
    ),
    "opinion": ("审查意见", ("经审查，{org}提交的材料齐全，符合法定形式。",)),
    "other": ("其他材料", ("{org}补充提交的说明材料。",)),
}


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def file_name(kind: str, year: int) -> str:
    """The Chinese file name of a document of ``kind`` (``2025年度财务审计报告.pdf``)."""
    title = DOCUMENTS.get(kind, DOCUMENTS["other"])[0]
    return f"{title.format(year=year)}.pdf"


@lru_cache(maxsize=256)
def pdf(kind: str, org: str, day: dt.date) -> bytes:
    """A one-page A4 PDF of the document ``kind`` for the organisation ``org`` dated ``day``."""
    _register_font()
    title, lines = DOCUMENTS.get(kind, DOCUMENTS["other"])
    year = day.year - 1
    date = f"{day.year}年{day.month}月{day.day}日"
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(title.format(year=year))
    canvas.setAuthor(org)
    width, height = A4
    canvas.setFont(FONT, 20)
    canvas.drawCentredString(width / 2, height - 100, title.format(year=year))
    canvas.setFont(FONT, 12)
    canvas.drawCentredString(width / 2, height - 128, org)
    y = height - 180
    for line in lines:
        canvas.drawString(72, y, line.format(org=org, year=year, date=date))
        y -= 26
    canvas.drawRightString(width - 72, 140, org)
    canvas.drawRightString(width - 72, 118, date)
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(width / 2, 48, "本文件为演示数据，不具有法律效力")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
