"""Word lists for believable demo people and places.

Surnames (with their real frequencies), phone prefixes and administrative-division codes come from Faker's zh_CN
providers; given names are curated by generation, because a retiree called 梓涵 or a student called 建国 gives a
demo away at a glance.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

from faker.providers.person.zh_CN import Provider as ChinesePersonProvider
from faker.providers.phone_number.zh_CN import Provider as ChinesePhoneProvider
from faker.providers.ssn.zh_CN import Provider as ChineseIdProvider

SURNAMES: tuple[str, ...] = tuple(ChinesePersonProvider.last_names)
SURNAME_CUMULATIVE_WEIGHTS: tuple[float, ...] = tuple(itertools.accumulate(ChinesePersonProvider.last_names.values()))


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Given names by birth cohort: (born before, male names, female names).
GIVEN_NAMES_BY_COHORT: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        1960,
        _words("建国 国庆 建华 志强 卫东 红军 德明 文华 振华 福生 永林 金山 树林 春生 德胜 国栋 光明 新民 学军 跃进 "
               "保国 长江 立新 兴华 庆丰 克勤 秉义 守仁 炳坤 成章"),
        _words("秀英 桂兰 玉兰 淑珍 凤英 秀兰 桂英 玉珍 秀珍 翠华 桂芳 淑英 素珍 春兰 爱华 红梅 玉梅 美兰 淑华 凤琴 "
               "秀云 桂香 玉华 淑兰 慧珍 月娥"),
    ),
    (
        1985,
        _words("伟 勇 军 斌 涛 强 磊 海涛 建军 志刚 晓东 宏伟 永强 俊 鹏 辉 刚 明 峰 新华 国华 卫国 建平 志勇 红兵 "
               "海波 立军 学文 晓明"),
        _words("丽 静 敏 燕 艳 丽华 红 霞 秀梅 晓燕 丽娟 海燕 慧 萍 玲 颖 雪梅 晓红 春燕 丽萍 红霞 金凤 建英 晓丽 "
               "冬梅 秋菊 玉霞 小红"),
    ),
    (
        2000,
        _words("鹏飞 浩 超 帅 杰 宇 昊 晨 博文 子健 俊杰 文博 一鸣 家豪 思远 天宇 泽宇 志远 明轩 嘉伟 浩然 晓龙 文涛 "
               "振宇 凯 旭 阳 亮"),
        _words("婷 雪 倩 佳 琳 欣怡 梦婷 思琪 婧 雨婷 佳怡 晓雪 文静 丹 璐 妍 悦 诗琪 嘉欣 雅琪 晓婷 梦瑶 心怡 蕾 楠 "
               "佳慧 雯 月"),
    ),
    (
        9999,
        _words("子轩 浩然 宇轩 梓豪 俊熙 一诺 皓轩 子墨 宇航 奕辰 博涵 睿 梓睿 浩宇 泽楷 沐阳 思源 锦程 书豪 若愚 "
               "晟睿 煜祺 宸 铭泽 承泽 景行"),
        _words("梓涵 欣怡 紫涵 诗涵 梦琪 雨涵 可馨 思彤 语桐 若汐 梓萱 芷若 佳琪 雨桐 子涵 雅涵 欣妍 沐晨 语嫣 一涵 "
               "艺璇 书瑶 静怡 梓琪 安然 清妍"),
    ),
)  # fmt: skip

ETHNICITIES: tuple[str, ...] = (
    "汉族", "回族", "满族", "蒙古族", "壮族", "土家族", "苗族", "维吾尔族", "藏族", "彝族", "朝鲜族", "侗族", "白族",
)  # fmt: skip
ETHNICITY_CUMULATIVE_WEIGHTS: tuple[float, ...] = tuple(
    itertools.accumulate((91.5, 1.6, 1.3, 0.9, 1.0, 0.8, 0.7, 0.5, 0.4, 0.4, 0.3, 0.3, 0.3))
)

PHONE_PREFIXES: tuple[str, ...] = (
    *(str(prefix) for prefix in ChinesePhoneProvider.phonenumber_prefixes),
    *_words("166 173 177 178 191 198 199"),
)

# The demo province: 河南 (41). People are mostly local; students and staff come from further away.
HOME_PROVINCE = "41"
_COUNTY_CODES = tuple(code for code in ChineseIdProvider.area_codes if not code.endswith("00") and code[0] in "123456")
LOCAL_REGION_CODES: tuple[str, ...] = tuple(code for code in _COUNTY_CODES if code.startswith(HOME_PROVINCE))
OTHER_REGION_CODES: tuple[str, ...] = tuple(code for code in _COUNTY_CODES if not code.startswith(HOME_PROVINCE))


def person_name(rng: random.Random, gender: str, birth_year: int) -> str:
    surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUMULATIVE_WEIGHTS)[0]
    for born_before, male, female in GIVEN_NAMES_BY_COHORT:
        if birth_year < born_before:
            return surname + rng.choice(male if gender == "male" else female)
    raise AssertionError("the last cohort is open-ended")


def ethnicity(rng: random.Random) -> str:
    return rng.choices(ETHNICITIES, cum_weights=ETHNICITY_CUMULATIVE_WEIGHTS)[0]


def phone(rng: random.Random) -> str:
    return f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(100_000_000):08d}"


def region_codes(local_share: float, rng: random.Random) -> Sequence[str]:
    return LOCAL_REGION_CODES if rng.random() < local_share else OTHER_REGION_CODES


# --- places --------------------------------------------------------------------------------------------------------
UNIVERSITY = "示范大学"
PROVINCE = "示范省"

COLLEGES: tuple[str, ...] = (
    "文学院", "理学院", "经济管理学院", "计算机科学与技术学院", "马克思主义学院", "外国语学院", "法学院", "教育学院",
    "化学化工学院", "生命科学学院", "物理与电子工程学院", "数学与统计学院", "艺术学院", "体育学院", "新闻传播学院",
    "历史文化学院", "机械工程学院", "土木工程学院", "医学院", "音乐学院",
)  # fmt: skip

ADMIN_BRANCHES: tuple[str, ...] = (
    "党委办公室、校长办公室党支部", "组织部、宣传部、统战部党支部", "纪委办公室、审计处党支部", "人事处党支部",
    "财务处党支部", "教务处党支部", "科学技术处党支部", "学生工作部党支部", "研究生院党支部", "国际交流合作处党支部",
    "资产管理处党支部", "保卫处党支部", "基建处党支部", "图书馆党支部", "档案馆党支部",
)  # fmt: skip

SUPPORT_BRANCHES: tuple[str, ...] = (
    "后勤管理处党支部", "饮食服务中心党支部", "物业服务中心党支部", "校医院党支部", "能源服务中心党支部",
)  # fmt: skip

RESIDENTIAL_AREAS: tuple[str, ...] = (
    "东区", "西区", "南苑", "北苑", "青年路", "文化路", "桂园", "枫林", "松园", "竹园", "梅园", "兰园",
)  # fmt: skip

CITIES: tuple[str, ...] = (
    "东江市", "青川市", "临河市", "安平市", "宁远市", "长丰市", "清源市", "白鹭市", "云台市", "嘉禾市", "广宁市",
    "兴安市", "平阳市", "永和市", "泰宁市", "北海市", "南川市", "西岭市", "丰泽市", "金川市",
)  # fmt: skip

COUNTY_STEMS: tuple[str, ...] = (
    "城关", "新华", "东城", "西城", "高新", "河东", "河西", "长安", "太平", "永安", "清河", "丰收", "红星", "和平",
    "东湖", "南湖", "石桥", "柳林", "青石", "龙泉", "凤凰", "金山", "银河", "双河", "三里", "五星", "牡丹",
    "黄河", "白云", "桃源", "杨柳", "梨园", "兴隆", "富民", "安乐", "广福", "仁和", "德胜",
)  # fmt: skip

VILLAGE_STEMS: tuple[str, ...] = (
    "王庄", "李营", "张湾", "刘集", "陈楼", "杨店", "赵岗", "周寨", "吴桥", "孙洼", "马庄", "朱集", "胡营",
    "郭庄", "何湾", "高楼", "罗店", "梁寨", "宋岗", "郑桥", "谢庄", "韩营", "唐集", "冯楼", "于湾", "董庄",
    "前进", "东风", "向阳", "红旗", "幸福", "团结", "胜利", "光明", "新村", "大柳树",
)  # fmt: skip
