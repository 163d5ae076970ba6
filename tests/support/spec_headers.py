"""The column headers of SPEC §3, as the tests write them (the canonical, half-width form).

One place for the test areas' reading of the data contract; tests that exercise a
variation (full-width brackets, 万元, blanks) derive it from these.
"""

from __future__ import annotations

CANTEEN_HEADER = [
    "单位名称",
    "统一社会信用代码",
    "年度",
    "有无食堂",
    "年度食堂食材采购预算(元)",
    "预留比例",
    "预留份额(元)",
]
SITES_HEADER = [
    "站点编号",
    "类型",
    "站点名称",
    "所在区",
    "运营主体",
    "开设日期",
    "状态",
    "报送期",
    "本期销售额(元)",
]
CATALOGUE_HEADER = [
    "产品编号",
    "产品名称",
    "品类",
    "产地区划代码",
    "供应商名称",
    "参考价格(元)",
    "计量单位",
    "年供货能力",
    "上市周期",
    "带贫人数",
    "状态",
    "退出原因",
    "更新日期",
]
UNION_HEADER = [
    "单位名称",
    "统一社会信用代码",
    "年度",
    "报送期",
    "职工集体福利支出(元)",
    "其中专馆专区购买帮扶产品(元)",
]
ORDER_HEADER = [
    "订单编号",
    "下单时间",
    "更新时间",
    "采购单位名称",
    "采购单位统一社会信用代码",
    "供应商名称",
    "商品编码",
    "商品名称",
    "商品类别",
    "产地区划代码",
    "数量",
    "单价(元)",
    "订单金额(元)",
    "退款金额(元)",
    "订单状态",
    "采购类型",
]
REPORT_HEADER = [
    "序号",
    "采购渠道",
    "帮扶地区区划代码",
    "帮扶地区",
    "金额（万元）",
    "凭证编号",
    "凭证张数",
    "备注",
]
