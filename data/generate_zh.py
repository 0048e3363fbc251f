"""Chinese text of a demo warehouse built in Chinese: company names and event notes.

Only free text changes with the language; identifiers and codes (customer_id, industry, region,
segment, status, kind) stay the same in every language, so queries, the policy and the tests read
one warehouse shape. A name is region city + 字号 (trade name) + industry word + legal form, like
"苏州恒通精密机械有限公司"; every part is a draw keyed by the customer, so the same seed gives the
same names.
"""

from __future__ import annotations

from data.generate_config import WRITE_OFF_DAYS

# Cities of each demo region (REGIONS in generate_config), so a name's city agrees with its region.
ZH_CITIES = {
    "North": ("北京", "天津", "石家庄", "太原", "济南", "青岛", "大连", "沈阳", "唐山", "烟台"),
    "South": ("广州", "深圳", "佛山", "东莞", "厦门", "福州", "泉州", "南宁", "珠海", "中山"),
    "East": ("上海", "苏州", "杭州", "宁波", "无锡", "南京", "常州", "温州", "绍兴", "嘉兴"),
    "West": ("成都", "重庆", "西安", "昆明", "贵阳", "兰州", "绵阳", "宜宾", "银川", "西宁"),
    "Central": ("武汉", "长沙", "郑州", "合肥", "南昌", "洛阳", "宜昌", "株洲", "襄阳", "芜湖"),
}  # fmt: skip
# 字号: two-character trade names of the kind Chinese companies register.
ZH_TRADE_NAMES = (
    "恒通", "宏达", "鑫源", "精诚", "盛世", "远航", "金泰", "华信", "永昌", "天成", "瑞丰", "博远",
    "汇通", "德润", "中瑞", "嘉禾", "联创", "鼎盛", "万隆", "启明", "宏图", "新元", "海纳",
    "正和", "长兴", "东方", "金桥", "明珠", "华盛", "同创", "信达", "隆兴", "富源", "宝丰", "安泰",
    "昌盛", "凯达", "力拓", "润邦", "兴旺",
)  # fmt: skip
ZH_INDUSTRY_WORDS = {
    "Manufacturing": ("精密机械", "机电设备", "五金制造", "汽车零部件", "模具"),
    "Retail": ("商贸", "百货", "零售连锁", "日用品", "商业"),
    "Construction": ("建设工程", "建材", "路桥工程", "建筑安装", "装饰工程"),
    "Logistics": ("物流", "货运", "供应链管理", "国际货代", "仓储"),
    "Technology": ("科技", "电子", "信息技术", "软件", "智能科技"),
    "Energy": ("能源", "电力", "新能源", "石化", "光伏科技"),
    "Agriculture": ("农业", "食品", "农产品", "种业", "生态农业"),
    "Healthcare": ("医疗器械", "医药", "健康科技", "生物技术", "药业"),
}  # fmt: skip
# Legal forms with their weights: most customers are limited liability companies.
ZH_LEGAL_FORMS = (("有限公司", 0.7), ("股份有限公司", 0.25), ("集团有限公司", 0.05))

# The Chinese of every English event note the generator writes (EVENT_NOTES).
ZH_EVENT_NOTES = {
    "Agency lowered the rating": "评级机构下调评级",
    "Outlook cut to negative, grade lowered": "展望调至负面，评级下调",
    "Filed for bankruptcy protection": "申请破产保护",
    "Creditor petition for liquidation": "债权人申请破产清算",
    "Sued by a supplier over unpaid invoices": "因拖欠货款被供应商起诉",
    "Lawsuit from a former partner": "被原合作方起诉",
    "Fined by the regulator": "被监管机构罚款",
    "Licence under regulatory review": "经营许可受到监管审查",
    "Disputes delivered quantities": "对交货数量提出异议",
    "Withholds payment over quality claim": "以质量问题为由暂扣货款",
    "Key supplier failed to deliver": "主要供应商未能按时交货",
    "Port congestion delays inputs": "港口拥堵导致原料延误",
    "Plant stopped after an accident": "工厂因事故停产",
    "Production paused for maintenance": "设备检修暂停生产",
    "Orders down sharply this quarter": "本季度订单大幅下降",
    "Lost its largest end customer": "失去最大的终端客户",
    "CFO resigned": "财务总监辞职",
    "New CEO appointed after board dispute": "董事会分歧后更换总经理",
}

# The Chinese of every adjustment note (data.generate_adjustments.ADJUSTMENT_NOTES).
ZH_ADJUSTMENT_NOTES = {
    "Credit note: disputed quantity": "贷项通知：交货数量争议",
    "Credit note: quality claim": "贷项通知：质量索赔",
    "Credit note: pricing error": "贷项通知：开票价格错误",
    f"Written off at {WRITE_OFF_DAYS} days past due": f"逾期{WRITE_OFF_DAYS}天核销",
    "Paid by the collection agency": "催收机构收回",
    "Settlement with the debtor": "与债务人和解收回",
    "Collateral sold": "处置抵押物收回",
    "Late payment after write-off": "核销后收到的逾期付款",
}

# The Chinese of every credit-review note (data.generate_reviews.REVIEW_NOTES).
ZH_REVIEW_NOTES = {
    "Limit set at onboarding": "准入时核定额度",
    "Annual review: limit confirmed": "年度复核：维持额度",
    "Annual review: limit raised": "年度复核：上调额度",
    "Annual review: limit lowered": "年度复核：下调额度",
    "Limit cut after rating downgrade": "评级下调后压缩额度",
    "Limit cut after default": "违约后压缩额度",
}
