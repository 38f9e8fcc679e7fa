"""The demo's 计生采风 board: the last three weeks of 刘集镇计生办 — two weeks ago approved and
public with its photos, last week submitted to the township leader, this week still a draft.

Everything goes through the population actions (weekly_post_create / _update / _submit /
_approve), so the 管区 lines carry the weeks' recorded follow-ups and home visits and every
step has its audit event. The photos are small PNGs drawn here, showing what they stand for.
The posts are built only while the township has none, so running it again creates nothing.
"""

import datetime
import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengtong.accounts.models import OrgUnit, User
from zhengtong.lib.fonts import cjk_font_files
from zhengtong.population.actions import weekly_posts
from zhengtong.population.models import WeeklyPost

from .org import AVATAR_FONTS, TOWN
from .projects import Totals

# (weeks ago, status, the week's work, photo captions, 工作标兵 reason)
WEEKS = [
    (
        2,
        WeeklyPost.Status.APPROVED,
        "本周计生办集中开展“优生优育进万家”宣传,在刘集村、东村设立咨询台两处,发放宣传册 300 余份;"
        "完成一季度孕环情普查通知的送达;便民服务中心计生窗口按时办结生育登记和流动人口婚育证明事项。",
        ["优生优育进万家 宣传咨询台", "孕环情普查 通知送达", "计生窗口 按时办结"],
        "坚持入户随访,本周随访无遗漏,群众满意。",
    ),
    (
        1,
        WeeklyPost.Status.SUBMITTED,
        "本周组织各村计生专干学习生育登记新规定,完成流动人口信息核对;走访计生特殊家庭,"
        "落实计生助福健康服务包。",
        ["计生专干业务学习"],
        "",
    ),
    (
        0,
        WeeklyPost.Status.DRAFT,
        "本周工作进行中:开展孕前优生健康检查预约,整理各村一周工作情况。",
        [],
        "",
    ),
]
COLOURS = [(25, 135, 84), (13, 110, 253), (111, 66, 193)]


def _font(size: int):
    from PIL import ImageFont

    path = next((p for p in AVATAR_FONTS if Path(p).exists()), None) or next(
        iter(cjk_font_files()), None
    )
    return ImageFont.truetype(path, size) if path else None


def photo_png(caption: str, date_label: str, colour: tuple[int, int, int]) -> bytes:
    """A 640×400 picture with the caption and the date, as a stand-in for a work photo."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, 616, 376), outline=(255, 255, 255), width=4)
    big, small = _font(40), _font(24)
    if big is not None and small is not None:
        draw.text((48, 60), "刘集镇计生办", font=small, fill=(255, 255, 255))
        for index, part in enumerate(caption.split(" ")):
            draw.text((48, 150 + index * 64), part, font=big, fill=(255, 255, 255))
        draw.text((48, 320), date_label, font=small, fill=(230, 230, 230))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def build_weekly_posts(*, units: dict[str, OrgUnit], users: dict[str, User]) -> Totals:
    made = Totals()
    town = units[TOWN]
    if WeeklyPost.objects.filter(org_unit=town).exists():
        return made
    office, leader = users["jishengban"], users["town_leader"]
    this_monday = weekly_posts.monday_of(timezone.localdate())
    for weeks_ago, status, summary, captions, reason in WEEKS:
        monday = this_monday - datetime.timedelta(days=7 * weeks_ago)
        post = weekly_posts.weekly_post_create(actor=office, org_unit=town, week_start=monday)
        photos = [
            SimpleUploadedFile(
                f"photo{n}.png",
                photo_png(caption, f"{monday:%Y年%m月%d日}当周", COLOURS[n % len(COLOURS)]),
                content_type="image/png",
            )
            for n, caption in enumerate(captions)
        ]
        worker = users["village1"] if reason else None
        post = weekly_posts.weekly_post_update(
            actor=office,
            post=post,
            summary=summary,
            model_worker=worker,
            model_reason=reason,
            photos=photos,
        )
        made.add("计生采风")
        made.add("计生采风照片", len(photos))
        if status == WeeklyPost.Status.DRAFT:
            continue
        post = weekly_posts.weekly_post_submit(actor=office, post=post)
        if status == WeeklyPost.Status.APPROVED:
            weekly_posts.weekly_post_approve(actor=leader, post=post)
    return made
