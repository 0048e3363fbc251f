"""Other names the fields of the source tables go by in extracts, in English, German and Chinese,
for proposing which header of a foreign file feeds which field (data.mapping_proposal). Each is
compared after normalising (lower case, no spaces or punctuation); add the names your ERP uses.
"""

from __future__ import annotations

# Other names a field goes by in extracts (normalised by `normalised` before comparing).
SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("payments", "payment_id"): (
        "invoice number", "invoice no", "invoice id", "invoice", "document number",
        "document no", "doc no", "bill number", "reference", "belegnummer", "beleg nr",
        "rechnungsnummer", "rechnung nr", "单据编号", "单据号", "发票号码", "发票号", "发票编号",
        "凭证号",
    ),
    ("payments", "contract_id"): (
        "contract id", "contract number", "contract no", "contract", "order number",
        "sales order", "vertrag", "vertragsnummer", "auftragsnummer", "合同编号", "合同号",
        "订单号",
    ),
    ("payments", "issued_on"): (
        "invoice date", "document date", "issue date", "bill date", "posting date", "date",
        "belegdatum", "rechnungsdatum", "buchungsdatum", "开票日期", "单据日期", "发票日期",
    ),
    ("payments", "due_on"): (
        "due date", "due", "net due date", "payment due", "due on", "faelligkeit",
        "fälligkeit", "fälligkeitsdatum", "nettofälligkeit", "到期日", "到期日期", "应收日期",
    ),
    ("payments", "amount_due"): (
        "amount", "invoice amount", "amount due", "total", "gross amount", "betrag",
        "rechnungsbetrag", "bruttobetrag", "金额", "发票金额", "应收金额", "开票金额", "单据金额",
    ),
    ("payments", "paid_on"): (
        "paid date", "payment date", "settled date", "clearing date", "date paid",
        "paid on", "zahlungsdatum", "ausgleichsdatum", "付款日期", "收款日期", "回款日期",
    ),
    ("payments", "amount_paid"): (
        "paid amount", "amount paid", "payment amount", "settled amount", "received",
        "zahlbetrag", "gezahlt", "bezahlter betrag", "已付金额", "收款金额", "回款金额", "实收金额",
    ),
    ("customers", "customer_id"): (
        "customer id", "customer number", "customer no", "customer", "client id",
        "customer code", "debtor", "account number", "kundennummer", "kunde", "debitor",
        "debitorennummer", "客户编号", "客户代码", "客户号", "客户id",
    ),
    ("customers", "name"): (
        "customer name", "client name", "name", "company", "company name", "kundenname",
        "firma", "name 1", "客户名称", "客户名", "公司名称",
    ),
    ("customers", "industry"): ("industry", "sector", "branche", "行业"),
    ("customers", "region"): ("region", "area", "territory", "gebiet", "区域", "地区"),
    ("customers", "segment"): ("segment", "customer group", "kundengruppe", "客户分层"),
    ("customers", "onboarded_on"): ("customer since", "onboarded", "created on", "开户日期"),
    ("customers", "annual_revenue"): ("annual revenue", "revenue", "turnover", "umsatz", "年收入"),
    ("customers", "external_rating"): ("rating", "credit rating", "bonität", "评级", "信用评级"),
    ("customers", "credit_limit"): ("credit limit", "limit", "kreditlimit", "信用额度", "授信额度"),
    ("customers", "owner"): (
        "account manager", "sales rep", "salesperson", "collector", "sachbearbeiter",
        "负责人", "业务员", "客户经理",
    ),
    ("contracts", "contract_id"): (
        "contract number", "contract no", "contract", "agreement", "vertrag", "vertragsnummer",
        "合同编号", "合同号",
    ),
    ("contracts", "customer_id"): (
        "customer id", "customer number", "customer", "kundennummer", "客户编号",
    ),
    ("contracts", "kind"): ("contract type", "type", "vertragsart", "合同类型"),
    ("contracts", "signed_on"): ("signed", "signing date", "signature date", "签订日期", "签约日期"),
    ("contracts", "start_on"): ("start date", "start", "begin", "beginn", "开始日期", "起始日"),
    ("contracts", "end_on"): ("end date", "end", "maturity", "ende", "结束日期", "到期日"),
    ("contracts", "amount"): ("contract amount", "amount", "value", "betrag", "合同金额", "金额"),
    ("contracts", "currency"): ("currency", "ccy", "währung", "waehrung", "币种", "货币"),
    ("contracts", "payment_terms_days"): (
        "payment terms", "terms", "terms days", "zahlungsziel", "账期", "付款期限",
    ),
    ("contracts", "collateral_value"): ("collateral", "security", "sicherheit", "押品", "抵押物"),
    ("contracts", "approved_by"): ("approver", "approved", "genehmigt von", "审批人"),
    ("contracts", "last_reviewed_on"): ("last review", "reviewed on", "复核日期"),
    ("contracts", "interest_rate"): (
        "interest rate", "effective rate", "effective interest rate", "zinssatz", "利率", "实际利率",
    ),
}  # fmt: skip
# The same names for the same fields in the other tables that have them.
for _table in ("credit_reviews", "risk_events"):
    SYNONYMS[(_table, "customer_id")] = SYNONYMS[("customers", "customer_id")]
SYNONYMS[("credit_reviews", "credit_limit")] = SYNONYMS[("customers", "credit_limit")]
SYNONYMS[("credit_reviews", "external_rating")] = SYNONYMS[("customers", "external_rating")]
SYNONYMS[("adjustments", "payment_id")] = SYNONYMS[("payments", "payment_id")]
SYNONYMS[("customers", "status")] = ("status", "customer status", "状态")
SYNONYMS[("contracts", "status")] = ("status", "contract status", "状态")
