"""Templates for the demo history's case descriptions: how citizens and inspectors describe common problems.

Data, not code: each `TextClass` names a real class of GB/T 47678.5-2026 (kind, code, name as in the
catalogue), a relative frequency, and templates in two voices — a 12345 caller retold by the operator
(long, vague about the place, emotional, "要求处理") and an inspector's note (terse, exact place, quantity).
Slots in braces are filled from `COMMON_SLOTS`, the class's own `slots`, and the place of the case
(`{road}`, `{no}`, `{community}`, `{where}` …), so one template yields many different texts.

Weights follow the shape of real district statistics: exposed rubbish, street vending, small ads and
parking make up most cases; facility classes are a long tail.
"""

from __future__ import annotations

from typing import NamedTuple


class TextClass(NamedTuple):
    kind: str
    code: str
    name: str
    weight: int
    citizen: tuple[str, ...]
    inspector: tuple[str, ...]
    slots: dict[str, tuple[str, ...]] = {}


COMMON_SLOTS: dict[str, tuple[str, ...]] = {
    "place": (
        "小区门口",
        "菜场门口",
        "公交站旁",
        "学校门口",
        "十字路口",
        "桥下",
        "人行道上",
        "绿化带边",
        "公园入口",
        "超市门口",
        "农贸市场旁",
        "医院对面",
        "银行门口",
        "巷子口",
        "停车场出口",
        "幼儿园旁边",
        "沿河步道",
        "老小区后门",
    ),
    "when": ("每天早上", "晚上", "这几天", "最近一个星期", "今天上午", "半夜", "一到傍晚", "周末"),
    "since": ("三天了", "一个多星期", "好几天", "半个多月", "两三天", "很久"),
    "dir": ("东", "南", "西", "北"),
    "side": ("东侧", "西侧", "南侧", "北侧", "路口", "对面"),
    "n": ("2", "3", "4", "5", "6", "十几", "七八", "二十多"),
    "area": ("约1平方米", "约2平方米", "约3平方米", "约5平方米", "0.5平方米左右", "十多平方米"),
    "shop_kind": ("便利店", "水果店", "面馆", "五金店", "早餐店", "奶茶店", "饭店", "烟酒店", "烧烤店", "小吃店"),
    "shop_owner": ("王记", "老李", "张家", "陈记", "阿强", "老周", "红梅", "小林"),
}

# A caller's words as the operator types them into the work order, around the problem itself.
CITIZEN_OPENINGS = (
    "市民来电反映：",
    "来电人反映，",
    "市民反映：",
    "来电称",
    "群众来电：",
    "",
    "",
)
CITIZEN_CLOSINGS = (
    "希望尽快处理。",
    "请相关部门尽快处理。",
    "影响出行，要求处理。",
    "已多次反映未解决，要求给个答复。",
    "请派人来看看。",
    "要求相关部门管一管。",
    "希望有关部门重视。",
    "",
)
INSPECTOR_CLOSINGS = ("", "", "已拍照。", "需派遣处置。", "现场拍照上报。", "请尽快处置。")
# How a caller and an inspector name the place; the history picks one per case.
CITIZEN_WHERE = (
    "{road}{no}号附近",
    "{road}{place}",
    "{community}{place}",
    "{road}和{road2}交叉口",
    "{road}{no}号{place}",
    "{community}那边{road}上",
)
INSPECTOR_WHERE = ("{road}{no}号", "{road}{no}号{side}", "{road}与{road2}交叉口{dir}侧", "{community}{road}{no}号旁")

TEXT_CLASSES: tuple[TextClass, ...] = (
    TextClass(
        "event",
        "06010",
        "暴露垃圾",
        180,
        citizen=(
            "{where}有人乱扔{trash}，堆了{since}没人清理，味道很大",
            "{where}路边{trash}散落一地，{when}经过都能闻到臭味",
            "{where}垃圾没人收，{trash}扔得到处都是，苍蝇很多",
            "{where}有一堆{trash}，环卫工人一直没来扫",
        ),
        inspector=(
            "{where}暴露垃圾，{trash}{area}",
            "{where}人行道上有{trash}，暴露垃圾{area}",
            "{where}路面散落{trash}，未及时清扫",
        ),
        slots={"trash": ("生活垃圾", "塑料袋", "外卖盒", "纸箱", "餐厨垃圾", "烂菜叶", "包装袋", "饮料瓶")},
    ),
    TextClass(
        "event",
        "06011",
        "积存垃圾渣土",
        50,
        citizen=(
            "{where}堆了好多{muck}，{since}了一直没人清运",
            "{where}空地上积了一大堆{muck}，刮风就起灰",
            "{where}有人倒了{muck}，越堆越多，没人管",
        ),
        inspector=(
            "{where}积存{muck}约{vol}立方米",
            "{where}空地积存垃圾渣土，约{vol}立方米，未清运",
        ),
        slots={
            "muck": ("建筑渣土", "装修垃圾", "碎砖块", "泥土", "废旧瓷砖", "建筑垃圾"),
            "vol": ("1", "2", "3", "5", "十余"),
        },
    ),
    TextClass(
        "event",
        "06012",
        "道路不洁",
        60,
        citizen=(
            "{where}路面很脏，{dirt}到处都是，好像{since}没扫了",
            "{road}这一段{when}都是{dirt}，环卫没来打扫",
            "{where}地上全是{dirt}，走路都粘脚",
        ),
        inspector=(
            "{where}路面不洁，{dirt}较多",
            "{road}{dir}段道路不洁，有{dirt}，保洁不到位",
        ),
        slots={"dirt": ("泥浆", "落叶", "烟头纸屑", "油污", "污渍", "瓜子壳", "泥沙")},
    ),
    TextClass(
        "event",
        "06013",
        "道路破损",
        35,
        citizen=(
            "{where}路面有个大坑，{when}好几个电动车在这里摔了",
            "{where}的路面坑坑洼洼，下雨全是积水，车子开过去溅人一身",
            "{where}人行道地砖松动翘起，老人走路容易绊倒",
        ),
        inspector=(
            "{where}路面破损，坑槽{area}",
            "{where}人行道板{n}块松动破损",
            "{where}沥青路面开裂沉陷，{area}",
        ),
    ),
    TextClass(
        "event",
        "06014",
        "道路遗撒（洒）",
        25,
        citizen=(
            "{when}有渣土车经过{where}，一路掉泥土，路上全是泥",
            "{where}路面上撒了一路{spill}，车子开过去打滑",
            "{road}上渣土车遗撒，泥巴一长条，看着就是工地拉出来的",
        ),
        inspector=(
            "{where}道路遗撒{spill}，长约{len}米",
            "{road}{dir}段渣土车遗撒，路面{spill}约{len}米",
        ),
        slots={
            "spill": ("泥土", "渣土", "砂石", "混凝土", "泥浆"),
            "len": ("20", "50", "100", "200", "三十多"),
        },
    ),
    TextClass(
        "event",
        "06017",
        "绿地脏乱",
        30,
        citizen=(
            "{where}绿化带里全是{trash}，好久没人打理了",
            "{community}小花园里草丛里扔了很多{trash}，很难看",
            "{where}的绿地脏得很，{trash}挂在灌木上",
        ),
        inspector=(
            "{where}绿地内有{trash}，绿地脏乱",
            "{where}绿化带脏乱，{trash}较多，{area}",
        ),
        slots={"trash": ("塑料袋", "饮料瓶", "烟头", "纸巾", "外卖盒", "白色垃圾")},
    ),
    TextClass(
        "event",
        "06018",
        "绿化弃料",
        10,
        citizen=(
            "{where}修剪下来的树枝堆在路边{since}了，没人拉走",
            "园林工人剪完树把枝叶扔在{where}就走了",
        ),
        inspector=(
            "{where}绿化弃料未清运，树枝{n}捆",
            "{where}修剪枝叶堆放路边，绿化弃料{area}",
        ),
    ),
    TextClass(
        "event",
        "06001",
        "私搭乱建",
        25,
        citizen=(
            "{where}有人在{spot}搭了个{shed}，{when}还在施工",
            "举报{community}{no}幢一楼住户违章搭建{shed}，占了公共绿地",
            "{where}有户人家在{spot}私自加盖{shed}，挡住了通道",
        ),
        inspector=(
            "{where}{spot}私搭乱建{shed}，{area}",
            "{where}新搭建{shed}，正在施工",
        ),
        slots={
            "spot": ("屋顶", "院子里", "楼道口", "公共绿地上", "围墙外", "阳台外"),
            "shed": ("彩钢棚", "阳光房", "简易棚", "铁皮房", "砖房"),
        },
    ),
    TextClass(
        "event",
        "06004",
        "建筑物外立面污损",
        10,
        citizen=(
            "{where}那栋楼外墙{stain}，很影响市容",
            "{community}临街的楼外立面{stain}，几年了都没修",
        ),
        inspector=("{where}建筑物外立面{stain}，{area}", "{where}临街外墙{stain}"),
        slots={"stain": ("墙皮脱落", "被涂鸦", "发黑霉变", "瓷砖掉落", "污渍斑驳")},
    ),
    TextClass(
        "event",
        "06007",
        "沿街晾挂",
        20,
        citizen=(
            "{where}有住户在路边{hang}晾衣服被子，很难看",
            "{where}临街的店把{laundry}晒在行道树上",
        ),
        inspector=("{where}沿街晾挂{laundry}", "{where}行道树间拉绳晾挂{laundry}"),
        slots={
            "hang": ("拉绳子", "树上", "护栏上", "电线杆上"),
            "laundry": ("衣物", "被褥", "床单", "腊肉咸鱼", "拖把"),
        },
    ),
    TextClass(
        "event",
        "06009",
        "空调室外机低挂",
        5,
        citizen=("{where}店铺空调外机挂得很低，滴水滴到行人头上", "{where}空调外机装得太低，走路会撞到头"),
        inspector=("{where}空调室外机低挂，距地面不足2米",),
    ),
    TextClass(
        "event",
        "06020",
        "焚烧垃圾、树叶",
        10,
        citizen=(
            "{when}有人在{where}烧{burn}，烟很大，窗都不敢开",
            "{where}有人露天焚烧{burn}，呛得喘不过气",
        ),
        inspector=("{where}焚烧{burn}，现场有明火", "{where}露天焚烧{burn}，有烟雾"),
        slots={"burn": ("垃圾", "树叶", "秸秆", "废纸箱", "旧家具", "杂草")},
    ),
    TextClass(
        "event",
        "06025",
        "水域不洁",
        10,
        citizen=(
            "{community}旁边的河里漂着很多{float}，{since}没人捞",
            "{where}河道水面上{float}很多，还有臭味",
        ),
        inspector=("{where}河道水面漂浮{float}，{area}", "{community}段河面有{float}，水域不洁"),
        slots={"float": ("垃圾", "水葫芦", "塑料瓶", "死鱼", "油污", "泡沫")},
    ),
    TextClass(
        "event",
        "06027",
        "油烟污染",
        15,
        citizen=(
            "{where}楼下{shop_owner}{shop_kind}油烟直排，家里都是油烟味",
            "{community}底商饭店油烟太大，{when}熏得不敢开窗",
            "{where}那家{shop_kind}没装油烟净化器，油烟直接往居民楼排",
        ),
        inspector=("{where}{shop_owner}{shop_kind}油烟直排，未安装净化设施", "{where}餐饮店油烟污染，排口朝向居民楼"),
    ),
    TextClass(
        "event",
        "06028",
        "噪声扰民",
        20,
        citizen=(
            "{where}{noise}，{when}吵得睡不着，严重扰民",
            "{community}附近{noise}声音特别大，{since}了，老人孩子都受不了",
            "{when}{where}{noise}，影响休息",
        ),
        inspector=("{where}{noise}，噪声较大", "{where}{noise}扰民"),
        slots={
            "noise": (
                "广场舞音响开得很响",
                "商铺用大喇叭叫卖",
                "KTV唱歌",
                "酒吧音乐",
                "店门口放音响促销",
                "有人装修敲墙",
            )
        },
    ),
    TextClass(
        "event",
        "06029",
        "露天烧烤",
        15,
        citizen=(
            "{when}{where}有人摆摊露天烧烤，烟熏火燎的",
            "{where}烧烤摊占了人行道，烟味大还很吵，晚上十二点还不收",
            "{community}门口每晚都有露天烧烤，桌子摆到路上",
        ),
        inspector=("{where}露天烧烤，{n}个烤炉", "{where}占道露天烧烤，摆放桌椅{n}套"),
    ),
    TextClass(
        "event",
        "06030",
        "乱倒乱排污水、废水",
        10,
        citizen=(
            "{where}{shop_kind}把{water}直接倒进雨水井，臭得很",
            "{where}有人往路边排{water}，流了一地",
        ),
        inspector=("{where}{shop_kind}向雨水口倾倒{water}", "{where}乱排{water}，路面有污水痕迹"),
        slots={"water": ("洗碗水", "污水", "废油水", "洗车废水", "泔水")},
    ),
    TextClass(
        "event",
        "06034",
        "废弃车辆",
        10,
        citizen=(
            "{where}停着一辆{car}，{since}没动过了，落满灰",
            "{community}里有辆{car}停了大半年，轮胎都瘪了，占着车位",
        ),
        inspector=("{where}停放废弃{car}一辆，车身破损积灰", "{where}僵尸车一辆（{car}），长期停放"),
        slots={"car": ("面包车", "报废轿车", "无牌三轮车", "旧电动车", "破旧货车")},
    ),
    TextClass(
        "event",
        "06035",
        "废弃家具设备",
        12,
        citizen=("{where}有人扔了{furniture}，挡着路{since}了", "{community}楼下堆着别人丢的{furniture}，没人搬走"),
        inspector=("{where}丢弃{furniture}", "{where}废弃{furniture}占用人行道"),
        slots={"furniture": ("旧沙发", "床垫", "破衣柜", "旧冰箱", "旧床架", "办公桌椅")},
    ),
    TextClass(
        "event",
        "06036",
        "乱堆杂物",
        70,
        citizen=(
            "{where}有人把{stuff}堆在路边，占了人行道",
            "{where}{shop_owner}{shop_kind}门口乱堆{stuff}，{since}了",
            "{community}楼道口堆满了{stuff}，出入很不方便，还有安全隐患",
        ),
        inspector=("{where}乱堆{stuff}，{area}", "{where}人行道乱堆物堆料（{stuff}）"),
        slots={"stuff": ("纸板箱", "木料", "砖块", "建材", "泡沫箱", "旧轮胎", "废品杂物", "花盆")},
    ),
    TextClass(
        "event",
        "06037",
        "动物尸体",
        5,
        citizen=("{where}路中间有只死{animal}，很恶心，请尽快处理", "{where}草丛里有死{animal}，已经发臭了"),
        inspector=("{where}路面有{animal}尸体一只", "{where}发现死{animal}，需清理"),
        slots={"animal": ("猫", "狗", "老鼠", "鸟", "鸡")},
    ),
    TextClass(
        "event",
        "06040",
        "私设地锁、阻车桩",
        8,
        citizen=("{where}有人在公共车位上装了地锁，别人都停不了", "{community}门口有人私自放了{block}占车位"),
        inspector=("{where}私设地锁{n}个", "{where}公共区域私设{block}"),
        slots={"block": ("水泥墩", "阻车桩", "地锁", "铁架子", "旧轮胎")},
    ),
    TextClass(
        "event",
        "06041",
        "垃圾未分类",
        10,
        citizen=("{community}垃圾桶里都是混着扔的，分类形同虚设", "{where}垃圾投放点其他垃圾和厨余混在一起，没人管"),
        inspector=("{where}垃圾投放点未分类投放，混投{n}桶", "{where}垃圾未分类，厨余垃圾混入其他垃圾"),
    ),
    TextClass(
        "event",
        "06042",
        "垃圾站（箱）满溢",
        40,
        citizen=(
            "{where}垃圾桶满了{since}都没人来倒，垃圾都溢到地上了",
            "{community}垃圾房满溢，臭气熏天，{when}都这样",
            "{where}的垃圾箱早就装不下了，周围全是垃圾袋",
        ),
        inspector=("{where}垃圾桶满溢，未及时清运", "{where}垃圾中转点满溢，周边散落垃圾"),
    ),
    TextClass(
        "event",
        "06045",
        "非法占绿毁绿",
        8,
        citizen=("{where}有人把绿化带铲了种菜", "{community}有住户把公共绿地圈起来当自家院子"),
        inspector=("{where}毁绿种菜{area}", "{where}占用绿地{area}"),
    ),
    TextClass(
        "event",
        "06050",
        "路缘石缺损",
        6,
        citizen=("{where}马路边上的路沿石坏了好几块", "{where}路牙子被车压碎了，很危险"),
        inspector=("{where}路缘石缺损{n}块", "{where}侧石破损松动{n}处"),
    ),
    TextClass(
        "event",
        "07001",
        "非法小广告",
        120,
        citizen=(
            "{where}墙上贴满了{ad}的小广告，撕了又贴",
            "{community}楼道里到处是{ad}小广告，电线杆上也有",
            "{where}电箱上被人喷涂了{ad}的电话号码",
        ),
        inspector=(
            "{where}{surface}上有非法小广告{n}处（{ad}）",
            "{where}{surface}张贴小广告{n}张",
            "{where}{surface}涂写{ad}小广告",
        ),
        slots={
            "ad": ("办证", "疏通管道", "开锁", "贷款", "招聘", "搬家", "租房"),
            "surface": ("墙面", "电线杆", "配电箱", "公交站牌", "垃圾桶", "路灯杆"),
        },
    ),
    TextClass(
        "event",
        "07002",
        "街头散发广告",
        8,
        citizen=("{where}有人一直在发传单，扔得满地都是", "{when}{where}有人拦着行人发{ad}传单"),
        inspector=("{where}{n}人街头散发{ad}广告", "{where}有人散发传单"),
        slots={"ad": ("健身卡", "楼盘", "培训班", "美容", "超市促销")},
    ),
    TextClass(
        "event",
        "07003",
        "违规户外广告",
        12,
        citizen=("{where}楼顶上竖了个很大的广告牌，刮大风怕掉下来", "{where}有家店在人行道上立了{board}"),
        inspector=("{where}违规设置{board}", "{where}未经审批设置户外广告（{board}）"),
        slots={"board": ("落地广告牌", "拉杆横幅", "楼顶广告牌", "立式灯箱", "喷绘广告")},
    ),
    TextClass(
        "event",
        "07006",
        "违规牌匾标识",
        6,
        citizen=("{where}新开的{shop_kind}招牌超出墙面很多，看着很危险", "{where}店招破了一半，字都掉了"),
        inspector=("{where}{shop_kind}牌匾标识设置不规范", "{where}店招破损，部分字体脱落"),
    ),
    TextClass(
        "event",
        "07007",
        "违规标语宣传品",
        6,
        citizen=("{where}挂了好多横幅，已经褪色了也没人收", "{where}行道树上挂满了宣传横幅"),
        inspector=("{where}违规悬挂横幅{n}条", "{where}行道树上违规悬挂宣传品"),
    ),
    TextClass(
        "event",
        "08001",
        "施工扰民",
        15,
        citizen=(
            "{where}工地{when}还在施工，{machine}声音很大，根本没法睡觉",
            "{community}旁边的工地半夜还在{machine}，已经好几个晚上了",
            "{where}工地夜间施工，有没有夜间施工许可？",
        ),
        inspector=("{where}工地夜间施工，{machine}", "{where}施工噪声扰民，{machine}"),
        slots={"machine": ("打桩", "浇混凝土", "渣土车进出", "切割钢筋", "挖掘机作业")},
    ),
    TextClass(
        "event",
        "08002",
        "施工占道",
        8,
        citizen=("{where}施工把半条路都围了，车过不去", "{where}修管道占了人行道，行人只能走机动车道"),
        inspector=("{where}施工占道{area}，未设警示", "{where}施工围挡占用车行道"),
    ),
    TextClass(
        "event",
        "08004",
        "工地扬尘",
        15,
        citizen=(
            "{where}工地灰尘太大了，{when}窗台上全是灰",
            "{community}边上的工地裸土没盖，风一吹全是扬尘",
            "{where}工地拆房子不洒水，灰尘漫天",
        ),
        inspector=("{where}工地裸土未覆盖，扬尘明显", "{where}工地未洒水降尘，扬尘较大"),
    ),
    TextClass(
        "event",
        "08006",
        "施工物料乱堆放",
        10,
        citizen=("{where}施工的把{material}堆在路上，晚上看不见很危险", "{where}工地外面乱堆{material}"),
        inspector=("{where}施工物料（{material}）堆放在围挡外", "{where}{material}乱堆放，占用人行道"),
        slots={"material": ("钢管", "黄沙", "水泥", "砖块", "模板", "管材")},
    ),
    TextClass(
        "event",
        "08007",
        "施工工地围挡问题",
        6,
        citizen=("{where}工地围挡倒了一片，没人扶", "{where}工地围挡破了个大洞，小孩能钻进去"),
        inspector=("{where}工地围挡破损{len}米", "{where}施工围挡倒伏"),
        slots={"len": ("5", "10", "20")},
    ),
    TextClass(
        "event",
        "08011",
        "渣土运输车辆未安装密闭装置",
        6,
        citizen=("{when}好多渣土车从{road}过，车斗没盖，一路掉土", "{road}上的渣土车不盖篷布，尘土飞扬"),
        inspector=("{where}渣土车未密闭运输，车牌{plate}", "{road}渣土运输车辆未加盖"),
        slots={"plate": ("浙F·3A521", "浙F·7C093", "浙F·2K806", "浙F·9B117")},
    ),
    TextClass(
        "event",
        "08012",
        "施工工地车轮夹带",
        6,
        citizen=("{where}工地出来的车轮子上全是泥，把路都弄脏了", "{where}工地门口车辆不冲洗，泥巴带到马路上"),
        inspector=("{where}工地出入口车辆未冲洗，车轮带泥上路", "{where}工地车轮夹带，路面污染{len}米"),
        slots={"len": ("30", "50", "100")},
    ),
    TextClass(
        "event",
        "09001",
        "无照经营游商",
        30,
        citizen=(
            "{where}{when}有流动摊贩骑{cart}卖{goods}，堵着路",
            "{community}门口总有游商卖{goods}，城管来了就跑",
            "{where}三轮车卖{goods}的流动摊点很多",
        ),
        inspector=("{where}流动摊贩{n}处，售卖{goods}", "{where}游商（{cart}）售卖{goods}"),
        slots={
            "goods": ("水果", "蔬菜", "小吃", "玩具", "鞋袜", "早点", "西瓜"),
            "cart": ("三轮车", "电动车", "推车"),
        },
    ),
    TextClass(
        "event",
        "09004",
        "废品收购乱象",
        6,
        citizen=("{where}废品收购点把废品堆得到处都是", "{where}收废品的用喇叭一直喊，还占着路"),
        inspector=("{where}废品收购站点占道堆放废品", "{where}废品收购点脏乱"),
    ),
    TextClass(
        "event",
        "09005",
        "店外经营",
        90,
        citizen=(
            "{where}{shop_owner}{shop_kind}把{goods}摆到店门外，人行道都走不了",
            "{where}那几家{shop_kind}天天出店经营，{when}更严重",
            "{community}门口的{shop_kind}把桌子摆到外面，占了人行道",
        ),
        inspector=(
            "{where}{shop_owner}{shop_kind}出店经营，{goods}摆放店外",
            "{where}{shop_kind}超门窗经营{area}",
            "{where}店外经营，摆放{goods}",
        ),
        slots={"goods": ("货架", "桌椅", "水果筐", "饮料箱", "促销台", "炉灶")},
    ),
    TextClass(
        "event",
        "09006",
        "占道经营",
        100,
        citizen=(
            "{where}{when}有人占道摆摊卖{goods}，把路堵了",
            "{where}人行道上全是摊位，卖{goods}的，行人只能走马路",
            "{community}门口早市摆到马路上了，{goods}摊一个接一个",
        ),
        inspector=("{where}占道经营{n}处，售卖{goods}", "{where}占道摆摊（{goods}），{area}"),
        slots={"goods": ("蔬菜", "水果", "熟食", "衣服", "早点", "海鲜", "日用百货")},
    ),
    TextClass(
        "event",
        "09009",
        "机动车乱停放",
        60,
        citizen=(
            "{where}有{car}停在人行道上，轮椅婴儿车都过不去",
            "{where}{when}路边双排停车，车根本开不出来",
            "{community}门口汽车乱停，挡住了小区出入口",
        ),
        inspector=("{where}机动车{n}辆违停人行道", "{where}{car}乱停放，占用盲道"),
        slots={"car": ("小汽车", "面包车", "货车", "私家车", "出租车")},
    ),
    TextClass(
        "event",
        "09010",
        "非机动车乱停放",
        50,
        citizen=(
            "{where}电动车停得乱七八糟，把盲道都占了",
            "{where}自行车电瓶车横七竖八，人都过不去",
            "{community}门口非机动车乱停，{when}特别严重",
        ),
        inspector=("{where}非机动车乱停放{n}辆", "{where}电动车乱停，占用人行道"),
    ),
    TextClass(
        "event",
        "09011",
        "共享单车乱象",
        40,
        citizen=(
            "{where}{bike}堆了一大片，倒在路上没人管",
            "{where}共享单车扔得到处都是，有的还扔在绿化带里",
            "{when}{where}{bike}把人行道堵了，企业也不来调度",
        ),
        inspector=("{where}共享单车堆积{n}辆", "{where}{bike}乱停乱放，倒伏{n}辆"),
        slots={"bike": ("共享单车", "美团单车", "哈啰单车", "青桔单车", "共享电单车")},
    ),
    TextClass(
        "event",
        "09012",
        "占用消防通道",
        10,
        citizen=("{community}消防通道上停满了车，着火了消防车都进不来", "{where}消防通道被{thing}堵死了"),
        inspector=("{where}消防通道被{thing}占用", "{where}{thing}占用消防通道"),
        slots={"thing": ("私家车", "杂物", "电动车", "摊位")},
    ),
    TextClass(
        "event",
        "09021",
        "占道洗车",
        6,
        citizen=("{where}洗车店在路边洗车，水流得满地都是", "{where}有人占着人行道洗车，冬天结冰很滑"),
        inspector=("{where}洗车店占道洗车", "{where}占用人行道洗车，污水横流"),
    ),
    TextClass(
        "event",
        "09022",
        "占道促销宣传",
        8,
        citizen=("{where}有商家搭台子搞促销，音响很吵还占路", "{where}售楼处在人行道上摆摊宣传"),
        inspector=("{where}占道促销，设置展台{n}个", "{where}占用人行道开展促销宣传"),
    ),
    TextClass(
        "event",
        "10002",
        "架空线缆脱落",
        8,
        citizen=("{where}电线垂下来快碰到头了，很危险", "{where}有根线缆掉在地上，不知道有没有电"),
        inspector=("{where}架空线缆脱落，垂落至{height}", "{where}通信线缆下垂，影响通行"),
        slots={"height": ("地面", "2米左右", "人行道上方")},
    ),
    TextClass(
        "component",
        "01002",
        "污水井盖",
        20,
        citizen=(
            "{where}有个污水井盖{broken}，车一开过去就哐当响",
            "{where}下水道盖子{broken}，晚上看不见很容易踩空",
            "{where}的窨井盖{broken}，臭水都冒出来了",
        ),
        inspector=("{where}污水井盖{broken}", "{where}污水检查井井盖{broken}"),
        slots={"broken": ("破损", "缺失", "松动", "下沉", "移位", "碎了一角")},
    ),
    TextClass(
        "component",
        "01003",
        "雨水井盖",
        20,
        citizen=(
            "{where}雨水井盖{broken}，差点把人绊倒",
            "{where}路边的井盖{broken}，下雨积水根本看不见",
            "{where}窨井盖{broken}了，小孩子在旁边玩很危险",
        ),
        inspector=("{where}雨水井盖{broken}", "{where}雨水检查井盖{broken}，已设警示"),
        slots={"broken": ("破损", "缺失", "松动", "下沉", "翘起", "裂开")},
    ),
    TextClass(
        "component",
        "01004",
        "雨水箅子",
        12,
        citizen=("{where}路边排水的铁箅子{broken}，自行车轮卡进去了", "{where}雨水口的箅子{broken}，下雨排不出水"),
        inspector=("{where}雨水箅子{broken}", "{where}雨水口箅子{broken}，{n}处"),
        slots={"broken": ("缺失", "破损", "堵塞", "断裂", "被偷了")},
    ),
    TextClass(
        "component",
        "01037",
        "路灯",
        40,
        citizen=(
            "{where}路灯{fault}，晚上黑漆漆的，走路很害怕",
            "{road}这一段{n}盏路灯{fault}，{since}了",
            "{community}门口路灯{fault}，晚上回家一片黑",
        ),
        inspector=("{where}路灯{fault}", "{road}{dir}段连续{n}盏路灯不亮", "{where}路灯杆{lean}"),
        slots={
            "fault": ("不亮", "一闪一闪的", "白天还亮着", "坏了", "灯罩掉了"),
            "lean": ("倾斜", "被撞弯", "底座锈蚀", "检修门缺失"),
        },
    ),
    TextClass(
        "component",
        "02017",
        "交通护栏",
        8,
        citizen=("{where}马路中间的护栏被车撞倒了好几节", "{where}隔离护栏歪了，伸到车道上很危险"),
        inspector=("{where}交通护栏{broken}{n}节", "{where}道路隔离护栏{broken}"),
        slots={"broken": ("倒伏", "缺失", "撞坏", "变形")},
    ),
    TextClass(
        "component",
        "02012",
        "路名牌",
        5,
        citizen=("{where}的路名牌字都看不清了", "{where}路名牌被撞歪了，指示方向都错了"),
        inspector=("{where}路名牌{broken}", "{road}路名牌{broken}"),
        slots={"broken": ("褪色", "倾斜", "缺失", "破损")},
    ),
    TextClass(
        "component",
        "02021",
        "便道桩",
        6,
        citizen=("{where}人行道上的石墩子被撞倒了", "{where}挡车的桩子断了，汽车都开上人行道了"),
        inspector=("{where}便道桩{broken}{n}个", "{where}阻车桩{broken}"),
        slots={"broken": ("缺失", "倒伏", "断裂", "松动")},
    ),
    TextClass(
        "component",
        "03005",
        "垃圾箱",
        15,
        citizen=("{where}的垃圾桶{broken}，垃圾直接掉地上", "{where}果皮箱{broken}了，一直没换"),
        inspector=("{where}垃圾箱{broken}", "{where}果皮箱{broken}，需更换"),
        slots={"broken": ("破损", "缺失", "盖子掉了", "烧坏了", "倾倒")},
    ),
    TextClass(
        "component",
        "04002",
        "行道树",
        15,
        citizen=(
            "{where}有棵行道树{tree}，怕砸到人",
            "{where}路边的树{tree}，{when}风大更危险",
            "{where}行道树树枝太低挡住了{block}",
        ),
        inspector=("{where}行道树{tree}", "{where}行道树{tree}，需修剪或扶正"),
        slots={
            "tree": ("倒伏", "枯死", "倾斜", "断枝悬挂", "被车撞歪"),
            "block": ("路灯", "红绿灯", "监控", "路牌"),
        },
    ),
    TextClass(
        "component",
        "01046",
        "户外健身设施",
        6,
        citizen=("{community}小广场的健身器材{broken}，老人用着不安全", "{where}健身器材{broken}，小孩玩很危险"),
        inspector=("{where}户外健身器材{broken}", "{community}健身路径{broken}{n}件"),
        slots={"broken": ("断了", "螺丝松动", "锈蚀", "缺少部件", "坏了")},
    ),
)


class Place(NamedTuple):
    """Where a case is, in the words a description uses."""

    road: str
    no: int
    community: str
    road2: str


class _Slots(dict):
    """Slot values drawn on first use, so a slot used twice in one text keeps one value."""

    def __init__(self, pools: dict[str, tuple[str, ...]], rng, fixed: dict[str, str]) -> None:
        super().__init__(fixed)
        self.pools = pools
        self.rng = rng

    def __missing__(self, key: str) -> str:
        value = self.rng.choice(self.pools[key])
        self[key] = value
        return value


def describe(text_class: TextClass, voice: str, place: Place, rng) -> str:
    """One description of a case of `text_class` at `place`, in the `citizen` or `inspector` voice."""
    citizen = voice == "citizen"
    slots = _Slots(
        {**COMMON_SLOTS, **text_class.slots},
        rng,
        {"road": place.road, "no": str(place.no), "community": place.community, "road2": place.road2},
    )
    slots["where"] = rng.choice(CITIZEN_WHERE if citizen else INSPECTOR_WHERE).format_map(slots)
    body = rng.choice(text_class.citizen if citizen else text_class.inspector).format_map(slots)
    if citizen:
        closing = rng.choice(CITIZEN_CLOSINGS)
        return f"{rng.choice(CITIZEN_OPENINGS)}{body}{'，' + closing if closing else '。'}"
    closing = rng.choice(INSPECTOR_CLOSINGS)
    return f"{body}。{closing}" if closing else body
