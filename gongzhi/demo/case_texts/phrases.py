"""Leaf-independent wording: how each channel opens and closes, durations, what people already tried,
how they ask, and the stock phrases of handlers, verifiers and raters.

Written for this generator after reading how citizens write to a government message board: they greet
the official, say where they live, say how long it has gone on and whom they already asked, then ask
for something. The sentences here are our own.
"""

from __future__ import annotations

from .common import lines, words

# -- resident on a phone (h5) ----------------------------------------------------------------------------

H5_OPENINGS = lines(
    """
    您好，
    您好！
    你好，
    领导您好，
    领导好！
    尊敬的领导：
    尊敬的领导您好！
    各位领导好，
    政府领导您好，
    工作人员您好，
    打扰了，
    不好意思打扰一下，
    想反映个事，
    急！
    反映一个情况：
    """
)

INTROS = {
    "home": lines(
        """
        我是{compound}的业主
        我住在{compound}{building}
        本人系{compound}{building}住户
        我家在{compound}{building}{unit}
        我是{community}的居民，住{compound}
        我们是{compound}{building}的几户居民
        我家租住在{compound}
        """
    ),
    "compound": lines(
        """
        我是{compound}的业主
        我住在{compound}
        本人是{community}居民
        我家就在{compound}{building}
        我们是{compound}的住户
        我在{compound}住了快十年了
        """
    ),
    "road": lines(
        """
        我每天上下班都要经过{road}
        我家住{compound}，出门就是{road}
        本人是{community}的居民
        我经常带孩子走{road}
        我在{road}附近上班
        我是住在{road}边上的老住户
        """
    ),
    "area": lines(
        """
        我是{community}的居民
        本人户籍在{street}
        我住在{compound}
        我是{street}{community}的一名普通居民
        我家在{compound}
        """
    ),
}

# How long it has lasted, on the time scale of the leaf ("pace"): a gas smell is hours old, a wage claim
# months, a 拆迁 dispute years. {n} and {w} are count words drawn fresh each time so the figures vary.
DURATIONS = {
    "hours": lines(
        """
        一个多小时
        半天
        两三个小时
        大半天
        四十多分钟
        一上午
        """
    ),
    "days": lines(
        """
        {n}天
        十来天
        {w}个多星期
        一个多星期
        半个多月
        快一个月
        一个多月
        """
    ),
    "months": lines(
        """
        一个多月
        两个来月
        {w}个多月
        {n}个多月
        小半年
        半年多
        快一年
        """
    ),
    "years": lines(
        """
        大半年
        一年多
        {w}年多
        好几年
        快{w}年
        """
    ),
}

SINCES = {
    "hours": lines(
        """
        从早上开始
        从中午开始
        从昨天夜里开始
        刚才
        """
    ),
    "days": lines(
        """
        从上周开始
        前些天开始
        从月初开始
        这段时间
        最近几天
        """
    ),
    "months": lines(
        """
        从上个月开始
        从今年开春起
        从去年年底起
        自从{month}月份以来
        从{month}月初开始
        最近一段时间
        """
    ),
    "years": lines(
        """
        从前年开始
        这几年来
        从交房那年起
        一直以来
        """
    ),
}

DURATION_FRAMES_H5 = lines(
    """
    这种情况已经{dur}了
    前前后后已经{dur}了
    到现在都{dur}了
    {since}就一直这样
    {since}就这样，已经{dur}了
    算起来已经有{dur}了
    这都{dur}了还没人管
    问题拖了{dur}了
    """
)

# Lines naming the 物业 or the owners' chat group only fit problems inside a compound; the writer
# drops them for roads and paperwork (see writer._fit).
COMPOUND_ONLY = ("物业", "业主群")

TRIED_GENERIC = lines(
    """
    打过12345
    在业主群里说过{times}
    给社区打过{times}电话
    找过物业{times}
    在网上留过言
    当面找社区反映过
    打过市长热线
    找过网格员
    去街道问过
    """
)

TRIED_OUTCOMES = lines(
    """
    一直没有下文
    每次都说会处理
    结果还是老样子
    几家单位互相推
    说不归他们管
    答复说再等等
    回复了一句已转办就没消息了
    """
)

# Only for things on the street or in the compound, which someone can come and look at.
TRIED_OUTCOMES_FIELD = lines(
    """
    管了两天又恢复原样
    到现在也没人来看
    来人看了一眼就走了
    """
)

TRIED_FRAMES_H5 = lines(
    """
    我们{tried}，{outcome}
    之前{tried}，{outcome}
    我已经{tried}了，{outcome}
    {tried}，{outcome}
    这期间{tried}，{outcome}
    """
)

FEELINGS = lines(
    """
    真的很无奈
    实在没办法了才来这里说
    大家意见都很大
    不知道这事到底归谁管
    心里实在着急
    老百姓真的伤不起
    希望不要再拖了
    这么小的事怎么就这么难办
    说了多少回了，就是没人当回事
    我们不是故意找麻烦，确实影响太大了
    """
)

DEMAND_FRAMES_H5 = lines(
    """
    希望有关部门{d}
    希望相关部门能{d}
    恳请领导重视，{d}
    请相关部门{d}
    强烈要求{d}
    麻烦{d}
    能不能{d}？
    拜托{d}
    希望尽快{d}
    请领导过问一下，{d}
    """
)

LETTER_OPENINGS = lines(
    """
    尊敬的领导：您好！
    尊敬的区领导：
    尊敬的街道领导，您好！
    各位领导：
    领导您好！百忙之中打扰了。
    尊敬的领导：
    """
)

# What letter writers add around the facts: that they are reasonable people, that others agree, that
# they have waited long enough.
LETTER_ASIDES = lines(
    """
    本来不想麻烦领导，实在是没有别的办法了
    我们也理解基层工作不容易，但这件事确实拖得太久了
    周边的邻居都有同样的感受，只是大家不好意思出面
    平时社区的各项工作我们都很配合
    这件事说大不大，说小也不小，关系到一家人的日子
    我们相信政府是为老百姓办实事的
    反映的情况都可以到现场核实
    如果需要，我可以提供照片和相关材料
    孩子老人都在这里生活，谁不希望住得安心一点
    之前也看到过类似问题被解决的例子，所以抱着希望再来反映一次
    """
)

SECOND_DEMAND_FRAMES = lines(
    """
    另外，希望{d}
    同时也请{d}
    如果可以的话，最好能{d}
    还有就是，请{d}
    """
)

LETTER_CLOSINGS = lines(
    """
    以上情况属实，恳请领导过问一下。
    特此反映，盼复。
    望领导在百忙之中予以重视，谢谢！
    希望能尽快得到答复，谢谢！
    麻烦各位领导了，盼早日解决。
    期待您的回复，感谢！
    """
)

CLOSINGS = lines(
    """
    谢谢！
    谢谢领导！
    盼复！
    期待回复。
    麻烦了。
    辛苦了！
    万分感谢。
    拜托了！！
    """
)

COLLOQUIAL = lines(
    """
    说实话，
    讲真，
    哎，
    真的是，
    唉，
    """
)

# -- 12345 operator (hotline) and other systems (api) -----------------------------------------------------

HOTLINE_OPENINGS = lines(
    """
    市民来电反映：
    市民来电反映，
    来电人反映：
    来电市民称，
    有市民来电反映，
    {compound}住户来电反映：
    {community}居民来电称，
    来电人系{compound}业主，反映
    """
)

HOTLINE_DURATIONS = lines(
    """
    据来电人称，该情况已持续{dur}
    该问题已存在{dur}
    来电人表示此情况{since}即存在
    已持续约{dur}
    """
)

HOTLINE_TRIED = lines(
    """
    来电人称此前已{tried}，问题仍未解决
    来电人表示已{tried}，{outcome}
    此前来电人已{tried}，未果
    """
)

HOTLINE_DEMAND_FRAMES = lines(
    """
    诉求：{d}
    来电人诉求：{d}
    市民诉求：请相关部门{d}
    来电人要求{d}
    """
)

HOTLINE_TAILS = lines(
    """
    请相关部门核实处理。
    来电人要求回电。
    来电人要求处理后回复。
    来电人不愿透露姓名。
    望尽快处理。
    来电人情绪较激动。
    来电人同意上门核实。
    """
)

API_PREFIXES = {
    "MS": lines(
        """
        12345平台转办：
        市长信箱转办：
        政务服务平台推送：
        【网络留言】
        """
    ),
    "BJ": lines(
        """
        数字城管采集：
        【数字城管】
        视频巡查识别：
        城管信息采集员上报：
        """
    ),
    "SJ": lines(
        """
        数字城管采集：
        【数字城管】
        视频巡查识别：
        110非警务警情转办：
        """
    ),
}

API_DEMAND_FRAMES = lines(
    """
    要求{d}
    诉求人要求{d}
    请{d}
    """
)

# -- community staff (staff) -----------------------------------------------------------------------------

STAFF_OPENINGS = lines(
    """
    居民{surname}先生到社区反映：
    居民{surname}女士到社区反映，
    {compound}居民{surname}阿姨来社区反映：
    社区工作人员入户走访时，{compound}居民反映
    接{compound}居民电话反映，
    社区议事会上居民提出：
    接{building}楼栋长反映，
    """
)

STAFF_ACTIONS = lines(
    """
    社区已上门查看
    社区已与物业沟通
    社区已做好解释安抚
    社区已登记并拍照留存
    社区已电话联系相关单位
    社区已组织协调一次，未能解决
    """
)

STAFF_ASKS = lines(
    """
    需{dept}协助处理
    超出社区处置能力，请{dept}处理
    提请{dept}协调解决
    请{dept}核实处置
    """
)

# -- grid worker on patrol (patrol) ------------------------------------------------------------------------

PATROL_OPENINGS = lines(
    """
    巡查发现，
    日常巡查时发现
    {hh}时{mm}分巡查至此，发现
    今日{part}巡查发现
    网格员巡查发现
    巡查过程中发现
    接群众指引，现场发现
    """
)

PATROL_DAYPARTS = words("上午 下午 早上 傍晚 中午")

PATROL_ACTIONS = lines(
    """
    已拍照上报
    已拍照留存，请相关部门处置
    现场无法处置，申请派遣
    已告知物业，请跟进
    已做好记录
    已上报，待处置
    已告知社区，请派单处置
    """
)

# Used for 民生 leaves, which a grid worker hears about on home visits rather than sees.
PATROL_VISIT_OPENINGS = lines(
    """
    入户走访时，{compound}居民反映
    走访中了解到，
    网格员走访{building}时，居民反映
    网格员在{compound}走访时，有居民提出
    """
)

PATROL_VISIT_ACTIONS = lines(
    """
    已记录并上报
    已做好解释，问题需相关部门答复
    居民要求给个说法，已上报
    已登记，请相关部门对接
    """
)

# -- handler's feedback ------------------------------------------------------------------------------------

# Openings by resolution: "立即安排人员处理" reads wrong before "it is not possible".
RESULT_OPENINGS = {
    "solved": lines(
        """
        接单后，
        我单位工作人员于接单当日到场，
        接件后立即安排人员处理，
        收到工单后，
        我单位高度重视，
        """
    ),
    "explained": lines(
        """
        经核实，
        经调查，
        收到工单后，
        经与诉求人电话沟通，
        """
    ),
    "unsolvable": lines(
        """
        经核实，
        经调查，
        经现场查看，
        经研究，
        接单后，
        """
    ),
}

# Field work (BJ, SJ) ends with photos and patrols; desk work (MS) with the phone call back.
RESULT_TAILS_FIELD = {
    "solved": lines(
        """
        处理前后照片已上传。
        后续将加强日常巡查，防止反弹。
        现场已恢复，照片已上传。
        """
    ),
}

RESULT_TAILS = {
    "solved": lines(
        """
        已电话回复诉求人，对方表示认可。
        已将处理结果告知诉求人。
        诉求人对处理结果表示满意。
        已回访诉求人，对处理结果无异议。
        """
    ),
    "explained": lines(
        """
        已电话向诉求人做好解释，对方表示理解。
        已向诉求人详细说明相关政策。
        已告知诉求人办理渠道及所需材料。
        诉求人表示知晓。
        """
    ),
    "unsolvable": lines(
        """
        已向诉求人说明情况，对方表示暂不认可。
        已将情况如实告知诉求人。
        将持续关注，待条件具备后推进。
        已做好解释工作，并留存沟通记录。
        """
    ),
}

RETURN_FRAMES = lines(
    """
    经核实，{r}，请重新派遣。
    {r}，建议改派。
    经现场查看，{r}，特此退回。
    {r}，不属于{we}职责，请退回调度中心重新分派。
    退回理由：{r}。
    """
)

# Complete reasons, not passed through RETURN_FRAMES: they are not about whose duty it is.
RETURN_GENERIC = lines(
    """
    经现场查看，该点位不在{we}管辖范围内，请核实地址后重新派遣。
    工单描述的地址有误，现场未找到所述问题，请补充准确位置。
    该事项已由其他部门立案办理，无需重复派遣，特此退回。
    工单内容过于简略，无法判断责任主体，请补充信息后重新派遣。
    """
)

REWORK_REASONS = lines(
    """
    现场复核发现问题依旧存在，请重新处置
    居民反映只是临时处理了一下，没过两天又出现了
    回复内容与现场情况不符
    处置照片不是本点位，请核实
    只做了解释，实际问题没有解决，居民不认可
    复核时仍有同样情况，整改不到位
    处理结果未告知居民，居民不知情
    居民称根本没人来过现场
    整改只完成了一部分，剩余部分请继续处理
    处置后仍存在安全隐患，请彻底整改
    回复过于笼统，请写明具体处理措施
    居民电话回访表示问题反弹，请再次处理
    """
)

RATING_COMMENTS = {
    "satisfied": lines(
        """
        处理很及时，谢谢！
        速度挺快的，点赞
        感谢网格员和社区
        问题解决了，非常满意
        工作人员态度很好
        没想到这么快就处理好了
        谢谢，辛苦了
        满意
        效率很高，给你们点赞！
        一直没人管的事终于解决了，感谢
        """
    ),
    "basic": lines(
        """
        解决了，就是有点慢
        基本解决，希望以后多来看看
        还行吧
        处理了，但还没完全弄好
        态度不错，效果一般
        等了挺久的
        暂时好了，看后面会不会反复
        """
    ),
    "unsatisfied": lines(
        """
        根本没解决
        打电话解释一下就算办结了？
        一直在推，不满意
        来都没来过现场
        问题还在，回复是敷衍
        拖了这么久还是老样子
        说是处理了，去看还是一样
        不满意，希望重新处理
        """
    ),
}
