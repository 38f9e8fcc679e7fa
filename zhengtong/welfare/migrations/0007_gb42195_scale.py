"""GB/T 42195-2022 老年人能力评估规范: its 26 items, total 0–90, five levels and 等级变更 rules.

The 0002 row was an empty placeholder; this fills its definition from the standard's 附录B
(评估表 B.1–B.4) and 附录C (C.3 初步等级, C.4 等级变更依据), activates it and marks it verified,
and records on every assessment the scale version it was scored by.

Sources, compared table by table (the definition's "sources" keeps the same record):
  S1 a public Python module that quotes 附录B B.1–B.4 verbatim (every option's text and points);
  S2 a public Go service that seeds the standard as template GB_T_42195_2022_ADMISSION (items,
     option points, C.3 bands 90 / 66–89 / 46–65 / 30–45 / 0–29, the three C.4 rules);
  S3 a public Vue form of the standard's 附录B–C (B.4.3, B.4.4 points; C.3 bands; C.4 wording);
  S4 a second public Vue form of 附录C (C.4 wording, the five final levels).
Every item's points agree in S1 and S2 (26 items, 32 + 15 + 28 + 15 = 90); the bands agree in S2
and S3; the C.4 rules agree in S2, S3 and S4. One further public form gives 使用交通工具外出 as
0–2; that would make the total 89, not the standard's 90, so it is taken as a transcription
error. The option wording below is condensed from S1 (checked against S2's condensed labels).
"""

from django.db import migrations, models


def _assist(top: int = 4) -> dict:
    """The standard's five-step assistance wording (修饰、洗澡、穿脱、如厕、床上体位转移…)."""
    words = {
        4: "独立完成,不需要协助",
        3: "在他人指导或提示下完成",
        2: "需要他人协助,但以自身完成为主",
        1: "主要依靠他人协助,自身能给予配合",
        0: "完全依赖他人协助,且不能给予配合",
    }
    return {str(k): v for k, v in words.items() if k <= top}


def _item(code, name, labels):
    scores = sorted((int(k) for k in labels), reverse=True)
    return {"code": code, "name": name, "scores": scores, "labels": labels}


def _labels(*texts):
    """Wording from the top score down to 0."""
    top = len(texts) - 1
    return {str(top - i): t for i, t in enumerate(texts)}


NONE = {"kind": "none"}

GB42195 = {
    "version": "GB/T 42195-2022",
    "title": "老年人能力评估规范",
    "verified": True,
    "dimensions": [
        {
            "code": "selfcare",
            "name": "自理能力",
            "verified": True,
            "max": 32,
            "grading": NONE,
            "items": [
                _item("eating", "进食", _labels(
                    "独立使用器具将食物送进口中并咽下,没有呛咳",
                    "在他人指导或提示下完成,或独立使用辅具,没有呛咳",
                    "进食中至少需要少量接触式协助,偶尔(每月一次及以上)呛咳",
                    "在进食中需要大量接触式协助,经常(每周一次及以上)呛咳",
                    "完全依赖他人协助进食,或吞咽困难,或留置营养管",
                )),
                _item("grooming", "修饰", _assist()),
                _item("bathing", "洗澡", _assist()),
                _item("upper_dressing", "穿/脱上衣", _assist()),
                _item("lower_dressing", "穿/脱裤子和鞋袜", _assist()),
                _item("bladder", "小便控制", _labels(
                    "可自行控制排尿,排尿次数、排尿控制均正常",
                    "白天可自行控制排尿次数,夜间排尿次数增多、控制较差,或自行使用尿布、尿垫",
                    "白天大部分时间可自行控制,偶有(每天<1次,每周>1次)尿失禁,或需少量协助使用尿布、尿垫",
                    "白天大部分时间不能控制排尿(每天≥1次),夜间尿失禁,或需大量协助使用尿布、尿垫",
                    "小便失禁,完全不能控制排尿,或留置导尿管",
                )),
                _item("bowel", "大便控制", _labels(
                    "可正常自行控制大便排出",
                    "有时便秘或大便失禁,或自行使用开塞露、尿垫等",
                    "经常(每天<1次,每周>1次)便秘或大便失禁,或需少量协助使用开塞露、尿垫",
                    "大部分时间(每天≥1次)便秘或大便失禁,或需大量协助使用开塞露、尿垫",
                    "严重便秘或完全大便失禁,需依赖他人协助排便或清洁皮肤",
                )),
                _item("toilet", "如厕", _assist()),
            ],
        },
        {
            "code": "motor",
            "name": "基础运动能力",
            "verified": True,
            "max": 15,
            "grading": NONE,
            "items": [
                _item("bed_mobility", "床上体位转移", _assist()),
                _item("transfer", "床椅转移", _assist()),
                _item("walking", "平地行走", _labels(
                    "独立平地行走 50 米左右,不需要协助,无摔倒风险",
                    "能平地行走 50 米左右,存在跌倒风险,需他人监护指导或使用拐杖、助行器",
                    "在步行时需要他人少量扶持协助",
                    "在步行时需要他人大量扶持协助",
                    "完全不能步行",
                )),
                _item("stairs", "上下楼梯", _labels(
                    "可独立上下楼梯(连续上下 10~15 个台阶),不需要协助",
                    "在他人指导或提示下完成",
                    "需要他人协助,但以自身完成为主",
                    "主要依靠或完全依赖他人协助",
                )),
            ],
        },
        {
            "code": "mental",
            "name": "精神状态",
            "verified": True,
            "max": 28,
            "grading": NONE,
            "items": [
                _item("time_orientation", "时间定向", _labels(
                    "时间观念(年、月)清楚,日期(或星期几)可相差一天",
                    "时间观念有些下降,年、月、日(或星期几)不能全部分清",
                    "时间观念较差,年、月、日不清楚,可知上半年或下半年或季节",
                    "时间观念很差,年、月、日不清楚,可知上午、下午或白天、夜间",
                    "无时间观念",
                )),
                _item("place_orientation", "空间定向", _labels(
                    "能在日常生活范围内单独外出,如在居住小区内独自外出购物",
                    "不能单独外出,但能准确知道自己日常生活所在地的地址信息",
                    "不能单独外出,但知道较多有关自己日常生活的地址信息",
                    "不能单独外出,但知道较少自己居住或生活所在地的地址信息",
                    "不能单独外出,无空间观念",
                )),
                _item("person_orientation", "人物定向", _labels(
                    "认识长期共同一起生活的人,能称呼并知道关系",
                    "能认识大部分共同生活居住的人,能称呼或知道关系",
                    "能认识部分日常同住的亲人或照护者等,能称呼或知道关系",
                    "只认识自己或极少数日常同住的亲人或照护者",
                    "不认识任何人(包括自己)",
                )),
                _item("memory", "记忆", _labels(
                    "总能保持与社会、年龄相适应的记忆能力,能完整回忆",
                    "轻度记忆紊乱或回忆不能(3 个词 5 分钟后仅能回忆 0~1 个)",
                    "中度记忆紊乱或回忆不能(不记得上一顿饭吃了什么)",
                    "重度记忆紊乱或回忆不能(不记得自己的老朋友)",
                    "记忆完全紊乱或完全不能对既往事物进行正确回忆",
                )),
                _item("comprehension", "理解能力", _labels(
                    "能正常理解他人的话",
                    "能理解他人的话,但需要增加时间",
                    "理解有困难,需要频繁重复或简化口头表达",
                    "理解有严重困难,需要大量他人帮助",
                    "完全不能理解他人的话",
                )),
                _item("expression", "表达能力", _labels(
                    "能正常表达自己的想法",
                    "能表达自己的需要,但需要增加时间",
                    "表达需要有困难,需频繁重复或简化口头表达",
                    "表达有严重困难,需要大量他人帮助",
                    "完全不能表达需要",
                )),
                _item("aggression", "攻击行为", _labels(
                    "未出现", "近一个月内出现过身体或语言攻击行为"
                )),
                _item("depression", "抑郁症状", _labels(
                    "未出现", "近一个月内出现过负性情绪(情绪低落、兴趣减退、活力减退等)"
                )),
                _item("consciousness", "意识水平", _labels(
                    "神志清醒,对周围环境能做出正确反应",
                    "嗜睡或意识模糊,呼唤或推动肢体可唤醒",
                    "昏睡或昏迷(昏迷另按等级变更依据评定)",
                )),
            ],
        },
        {
            "code": "sensory_social",
            "name": "感知觉与社会参与",
            "verified": True,
            "max": 15,
            "grading": NONE,
            "items": [
                _item("vision", "视力", _labels(
                    "视力正常",
                    "能看清大字体但看不清标准字体,或看不清报纸大标题但能辨认物体",
                    "只能看到光、颜色和形状,或完全失明",
                )),
                _item("hearing", "听力", _labels(
                    "听力正常",
                    "轻声说话或距离超过两米时听不清,或正常交流需安静环境、大声说话",
                    "讲话者大声或很慢说话才能部分听见,或完全失聪",
                )),
                _item("daily_affairs", "执行日常事务", _labels(
                    "能完全独立计划、安排和完成日常事务,无需协助",
                    "在计划、安排和完成日常事务时需要他人监护或指导",
                    "在计划、安排和完成日常事务时需要少量协助",
                    "在计划、安排和完成日常事务时需要大量协助",
                    "完全依赖他人进行日常事务",
                )),
                _item("transport", "使用交通工具外出", _labels(
                    "能自己骑车或搭乘公共交通工具外出",
                    "能自己搭乘出租车,但不会搭乘其他公共交通工具外出",
                    "当有人协助或陪伴,可搭乘公共交通工具外出",
                    "只能在他人协助下搭乘出租车或私家车外出,或完全不能出门",
                )),
                _item("social", "社会交往能力", _labels(
                    "参与社会,在社会环境有一定的适应能力,待人接物恰当",
                    "能适应单纯环境,主动接触他人,不能理解隐喻语",
                    "脱离社会,可被动接触,不会主动待人,容易上当受骗",
                    "勉强可与他人接触,谈吐内容不清楚,表情不恰当",
                    "不能与人交往",
                )),
            ],
        },
    ],
    "level": {
        "kind": "total_bands",
        "top": 4,
        "bands": [
            {"min": 90, "max": 90, "level": 0},
            {"min": 66, "max": 89, "level": 1},
            {"min": 46, "max": 65, "level": 2},
            {"min": 30, "max": 45, "level": 3},
            {"min": 0, "max": 29, "level": 4},
        ],
        "levels": {
            "0": "能力完好",
            "1": "能力轻度受损(轻度失能)",
            "2": "能力中度受损(中度失能)",
            "3": "能力重度受损(重度失能)",
            "4": "能力完全丧失(完全失能)",
        },
    },
    "level_changes": "gb42195",
    "adjustments": [],
    # Not from the standard: the project's 6-month reassessment (FEATURES WL1), as for MZ/T 039.
    "reassess_months": 6,
    "sources": {
        "items": {"verified": True, "by": ["S1", "S2"], "partly": ["S3"]},
        "bands": {"verified": True, "by": ["S2", "S3"]},
        "level_changes": {"verified": True, "by": ["S2", "S3", "S4"]},
        "wording": {"verified": True, "by": ["S1"], "condensed": True},
        "reassess_months": {"verified": False, "note": "项目规定,非标准条文"},
        "legend": {
            "S1": "public Python module quoting 附录B B.1–B.4",
            "S2": "public Go seed of template GB_T_42195_2022_ADMISSION",
            "S3": "public Vue form of 附录B–C",
            "S4": "public Vue form of 附录C",
        },
    },
}


def forwards(apps, schema_editor):
    AssessmentScale = apps.get_model("welfare", "AssessmentScale")
    Assessment = apps.get_model("welfare", "Assessment")
    AssessmentScale.objects.update_or_create(
        code="GB/T 42195-2022",
        defaults={
            "name": "老年人能力评估规范(GB/T 42195-2022)",
            "definition": GB42195,
            "active": True,
            "verified": True,
        },
    )
    for scale in AssessmentScale.objects.all():
        version = scale.definition.get("version", scale.code)
        Assessment.objects.filter(scale=scale, scale_version="").update(scale_version=version)


def backwards(apps, schema_editor):
    AssessmentScale = apps.get_model("welfare", "AssessmentScale")
    AssessmentScale.objects.filter(code="GB/T 42195-2022").update(active=False, verified=False)


class Migration(migrations.Migration):

    dependencies = [
        ('welfare', '0006_census_campaign'),
    ]

    operations = [
        migrations.AddField(
            model_name='assessment',
            name='coma',
            field=models.BooleanField(default=False, verbose_name='处于昏迷状态'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='scale_version',
            field=models.CharField(blank=True, max_length=30, verbose_name='量表版本'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
