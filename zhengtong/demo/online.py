"""The demo's 网上申请: two residents' applications waiting in the 刘集镇 hall's queue (and in its
window clerks' 我的待办), sent through the real action with generated photos of their papers.

The applicants are fictitious (generated names, phones and ID numbers). Rerunning creates
nothing while the hall has online applications.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from zhengtong.lib.idcard import make_id_number
from zhengtong.services.actions.online import online_submit
from zhengtong.services.models import OnlineApplication

# (name, female, birth, phone, item, situation, {material: text on its photo})
APPLICANTS = [
    (
        "韩雪梅",
        True,
        datetime.date(1995, 8, 21),
        "13953571246",
        "SYDJ",
        {"hukou": "local", "marital_status": "married", "child_order": 2},
        {"id_cards": "居民身份证", "hukou_book": "户口簿", "marriage_cert": "结婚证"},
    ),
    (
        "曹振宇",
        False,
        datetime.date(1991, 2, 3),
        "15863508817",
        "YEBT",
        {"hukou": "local", "marital_status": "married", "child_order": 1},
        {"applicant_id": "居民身份证", "birth_cert": "出生医学证明"},
    ),
]


def paper(text: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """A small picture standing in for a phone photo of a document."""
    image = Image.new("RGB", (480, 320), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 16, 464, 304), outline=(60, 60, 60), width=4)
    draw.text((40, 40), text.encode("ascii", "replace").decode() or "DOC", fill=(30, 30, 30))
    data = io.BytesIO()
    image.save(data, format="JPEG", quality=80)
    return SimpleUploadedFile("photo.jpg", data.getvalue(), "image/jpeg")


def build_online(hall) -> int:
    """The waiting online applications of `hall`; how many were made."""
    if OnlineApplication.objects.filter(org_unit=hall).exists():
        return 0
    made = 0
    for seq, (name, female, birth, phone, item, situation, papers) in enumerate(APPLICANTS, 401):
        photos = {code: [paper(code, (235, 228 - 20 * n, 210))] for n, code in enumerate(papers)}
        online_submit(
            item_code=item,
            hall=hall,
            name=name,
            id_number=make_id_number(birth, female=female, seq=seq),
            phone=phone,
            situation=situation,
            photos=photos,
            note="材料照片已按办事指南拍摄。",
        )
        made += 1
    return made
