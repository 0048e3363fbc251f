"""Sample ERP extracts for the presets sap_fbl5n, oracle_ar_aging and kingdee_yonyou_ar.

`uv run python tests/corpus/extracts/make_erp_samples.py` rewrites the files below; the tests in
tests/test_presets_erp.py load them with their preset and check the figures by hand. The files are
written here with Python's codecs (cp1252, GBK) rather than edited by hand, so their encodings are
exactly what the presets declare, and Windows line ends (CRLF) as Excel and SAP GUI write them.

- sap_fbl5n/fbl5n_de.csv: FBL5N with German headers, semicolons, cp1252 (umlauts in headers and
  names), 1.234,56 and 1.000,00- (trailing minus), dd.mm.yyyy.
- sap_fbl5n/fbl5n_en.csv: the same layout with English headers (logon language EN; the number and
  date notation are the user's settings, here the same European ones).
- oracle_ar_aging/ar_aging_7_buckets.csv: an Oracle Receivables aging (open items), UTF-8, commas,
  1,234.56, dates 05-JAN-2024, in USD and one invoice in EUR; fx_rates.csv the EUR rates to USD
  (the reporting currency of its test warehouse).
- kingdee_yonyou_ar/应收款明细表.csv: a 金蝶/用友 应收款明细表 saved from Excel as CSV: GBK, a title
  and a period line above the header, a 合计 line at the end, dates 2024-1-5, in 人民币 and one
  invoice in 美元; fx_rates.csv the USD rates to CNY.

Every sample is as of 2024-03-31 and holds a cleared (or partly paid) item, an open overdue item,
an open item not yet due, and one row that must be rejected with a message naming a mapping key.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

SAP_DE = [
    "Konto;Name 1;Zuordnung;Belegnummer;Belegart;Belegdatum;Nettofälligkeit;"
    "Betrag in Hauswährung;Hauswährung;Ausgleichsdatum;Ausgleichsbeleg;Rechnungsbezug;Text",
    # cleared on time by the payment 1400000050 (the next line, which is no receivable)
    "10001;Müller Maschinenbau GmbH;90000101;1800000101;RV;05.01.2024;04.02.2024;12.500,00;EUR;"
    "02.02.2024;1400000050;;Rechnung 90000101",
    "10001;Müller Maschinenbau GmbH;90000101;1400000050;DZ;02.02.2024;02.02.2024;12.500,00-;EUR;"
    "02.02.2024;1400000050;;Zahlung",
    # open, due 16.03.2024: 15 days past due on 31.03.2024
    "10001;Müller Maschinenbau GmbH;90000102;1800000102;RV;15.02.2024;16.03.2024;8.250,50;EUR;;;;"
    "Rechnung 90000102",
    # open, not yet due; 1.000,00 credited by the open credit memo below (Rechnungsbezug)
    "10001;Müller Maschinenbau GmbH;90000103;1800000103;RV;20.03.2024;19.04.2024;4.000,00;EUR;;;;"
    "Rechnung 90000103",
    "10001;Müller Maschinenbau GmbH;90000103;1600000007;DG;25.03.2024;25.03.2024;1.000,00-;EUR;;;"
    "1800000103;Gutschrift Mängelrüge",
    # open since November: 112 days past due on 31.03.2024
    "10002;Bäckerei Schäfer KG;90000104;1800000104;RV;10.11.2023;10.12.2023;2.300,00;EUR;;;;"
    "Rechnung 90000104",
    # cleared late (due 11.02., paid 20.02.)
    "10002;Bäckerei Schäfer KG;90000105;1800000105;RV;12.01.2024;11.02.2024;1.150,00;EUR;"
    "20.02.2024;1400000061;;Rechnung 90000105",
    "10002;Bäckerei Schäfer KG;90000105;1400000061;DZ;20.02.2024;20.02.2024;1.150,00-;EUR;"
    "20.02.2024;1400000061;;Zahlung",
    # rejected: 31 February is no date
    "10003;Köhler Logistik AG;90000106;1800000106;RV;01.03.2024;31.02.2024;3.400,00;EUR;;;;"
    "Rechnung 90000106",
    # open, not yet due
    "10003;Köhler Logistik AG;90000107;1800000107;RV;10.03.2024;09.04.2024;5.600,00;EUR;;;;"
    "Rechnung 90000107",
    # a credit memo without invoice reference (on account): no tie to an invoice, left out
    "10003;Köhler Logistik AG;;1600000008;DG;12.03.2024;12.03.2024;200,00-;EUR;;;;Bonus 2023",
]

SAP_EN = [
    "Account;Name 1;Assignment;Document Number;Document Type;Document Date;Net due date;"
    "Amount in local currency;Local Currency;Clearing date;Clearing Document;Invoice reference;Text",
    # open, due 07.02.2024: 53 days past due on 31.03.2024
    "20001;Northwind Trading Ltd;90000201;1800000201;RV;08.01.2024;07.02.2024;6.000,00;EUR;;;;"
    "Invoice 90000201",
    # cleared before its due date
    "20001;Northwind Trading Ltd;90000202;1800000202;RV;01.02.2024;02.03.2024;2.500,00;EUR;"
    "28.02.2024;1400000070;;Invoice 90000202",
    "20001;Northwind Trading Ltd;90000202;1400000070;DZ;28.02.2024;28.02.2024;2.500,00-;EUR;"
    "28.02.2024;1400000070;;Payment",
    # rejected: written 1,250.00 (an English number pasted into a German-notation export)
    "20001;Northwind Trading Ltd;90000203;1800000203;RV;05.02.2024;06.03.2024;1,250.00;EUR;;;;"
    "Invoice 90000203",
    # open, not yet due; 800,00 credited by the SD credit memo below (posted as RV, negative)
    "20002;Société Lumière SARL;90000204;1800000204;RV;15.03.2024;14.04.2024;3.200,00;EUR;;;;"
    "Invoice 90000204",
    "20002;Société Lumière SARL;90000205;1800000205;RV;20.03.2024;20.03.2024;800,00-;EUR;;;"
    "1800000204;Credit memo 90000205",
    # cleared late (due 09.01., paid 15.03.)
    "20002;Société Lumière SARL;90000199;1800000199;RV;10.12.2023;09.01.2024;4.100,00;EUR;"
    "15.03.2024;1400000080;;Invoice 90000199",
    "20002;Société Lumière SARL;90000199;1400000080;DZ;15.03.2024;15.03.2024;4.100,00-;EUR;"
    "15.03.2024;1400000080;;Payment",
]

ORACLE = [
    "Customer Name,Customer Number,Transaction Number,Transaction Type,Transaction Date,"
    "Due Date,Days Past Due,Original Amount,Amount Remaining,Currency",
    # open, 77 days past due on 31-MAR-2024
    'Acme Industrial Inc,1001,INV-10045,Invoice,15-DEC-2023,14-JAN-2024,77,"12,000.00",'
    '"12,000.00",USD',
    # partly paid: 3,500.00 received, 2,000.00 remaining, 10 days past due
    'Acme Industrial Inc,1001,INV-10102,Invoice,20-FEB-2024,21-MAR-2024,10,"5,500.00",'
    '"2,000.00",USD',
    # not yet due
    'Acme Industrial Inc,1001,INV-10160,Invoice,15-MAR-2024,14-APR-2024,-14,"7,250.00",'
    '"7,250.00",USD',
    # 121 days past due
    'Globex Holdings,1002,INV-09870,Invoice,01-NOV-2023,01-DEC-2023,121,"3,300.00","3,300.00",USD',
    # an on-account credit memo: no invoice to tie it to, left out
    "Globex Holdings,1002,CM-00412,Credit Memo,10-MAR-2024,10-MAR-2024,21,-450.00,-450.00,USD",
    # not yet due
    'Globex Holdings,1002,INV-10188,Invoice,18-MAR-2024,17-APR-2024,-17,"4,800.00","4,800.00",USD',
    # partly paid: 7,500.00 received, 1,500.00 remaining, 56 days past due
    'Initech LLC,1003,INV-10050,Invoice,05-JAN-2024,04-FEB-2024,56,"9,000.00","1,500.00",USD',
    # rejected: the transaction date is written ISO, not as the export writes dates
    'Initech LLC,1003,INV-10177,Invoice,2024-03-12,11-APR-2024,-11,"2,750.00","2,750.00",USD',
    # due on the as-of date itself: not yet past due
    'Umbrella Corp,1004,INV-10120,Invoice,01-MAR-2024,31-MAR-2024,0,"1,200.00","1,200.00",USD',
    # billed in EUR: converted to USD at the rate in force on 20-MAR-2024 (fx_rates.csv), not due
    'Initech LLC,1003,INV-10190,Invoice,20-MAR-2024,19-APR-2024,-19,"2,000.00","2,000.00",EUR',
]
ORACLE_RATES = ["currency,on,rate_to_reporting", "EUR,2024-01-01,1.0950", "EUR,2024-03-01,1.0850"]

KINGDEE = [
    "应收款明细表",
    "会计期间：2024年第1期 至 2024年第3期,,,,,,,,,,",
    "客户编码,客户名称,单据类型,单据编号,单据日期,到期日,币别,应收金额,已收金额,收款日期,备注",
    # paid in full before its due date
    'C001,华东精密机械有限公司,销售发票,AR20240001,2024-01-05,2024-02-04,人民币,"50,000.00",'
    '"50,000.00",2024-02-01,',
    # partly paid: 26,800.00 still owed, 20 days past due on 2024-03-31
    'C001,华东精密机械有限公司,销售发票,AR20240015,2024-2-10,2024-3-11,人民币,"36,800.00",'
    '"10,000.00",2024-3-5,部分收款',
    # not yet due
    'C001,华东精密机械有限公司,销售发票,AR20240031,2024-03-20,2024-04-19,人民币,"18,000.00",0.00,,',
    # 107 days past due
    "C002,深圳市新锐电子科技有限公司,销售发票,AR20230188,2023-11-15,2023-12-15,人民币,"
    '"28,500.00",0.00,,催收中',
    # billed in 美元: converted at the USD rate in force on 2024-02-15 (fx_rates.csv); 15 days
    # past due
    'C002,深圳市新锐电子科技有限公司,销售发票,AR20240019,2024-02-15,2024-03-16,美元,"5,000.00",'
    "0.00,,",
    # rejected: the due date is written 2024/03/21, not as the rest of the export
    "C002,深圳市新锐电子科技有限公司,其他应收单,AR20240022,2024-02-20,2024/03/21,人民币,"
    '"6,400.00",0.00,,',
    # paid late (due 2024-02-17, received 2024-03-10)
    "C003,成都天府物流股份有限公司,销售发票,AR20240008,2024-01-18,2024-02-17,人民币,"
    '"12,600.00","12,600.00",2024-03-10,',
    # due on the as-of date itself: not yet past due
    "C003,成都天府物流股份有限公司,销售发票,AR20240027,2024-03-01,2024-03-31,人民币,"
    '"9,900.00",0.00,,',
    # a red-letter (negative) invoice: a credit, left out of the receivables
    "C003,成都天府物流股份有限公司,销售发票,AR20240030,2024-03-05,2024-03-05,人民币,"
    "-1200.00,0.00,,红字冲销",
    # the total line of the report: no 单据编号, not a receivable
    ',合计,,,,,,"166,000.00","72,600.00",,',
]
KINGDEE_RATES = ["currency,on,rate_to_reporting", "USD,2024-01-01,7.10", "USD,2024-02-01,7.18"]


def write(path: Path, lines: list[str], encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def build() -> list[Path]:
    files = [
        (HERE / "sap_fbl5n" / "fbl5n_de.csv", SAP_DE, "cp1252"),
        (HERE / "sap_fbl5n" / "fbl5n_en.csv", SAP_EN, "cp1252"),
        (HERE / "oracle_ar_aging" / "ar_aging_7_buckets.csv", ORACLE, "utf-8"),
        (HERE / "oracle_ar_aging" / "fx_rates.csv", ORACLE_RATES, "utf-8"),
        (HERE / "kingdee_yonyou_ar" / "应收款明细表.csv", KINGDEE, "gbk"),
        (HERE / "kingdee_yonyou_ar" / "fx_rates.csv", KINGDEE_RATES, "utf-8"),
    ]
    for path, lines, encoding in files:
        write(path, lines, encoding)
    return [path for path, _, _ in files]


if __name__ == "__main__":
    for written in build():
        print(written.relative_to(HERE))
