"""Small valid source files (text) shared by ingestion, CLI and Data page tests."""

from __future__ import annotations

CUSTOMERS = """customer_id,name,industry,region,segment,onboarded_on,annual_revenue,external_rating,credit_limit,owner,status
00123,Acme Trading,Retail,East,Mid,2024-01-15,5000000,BBB,100000,Li Wei,active
C2,华东精密机械有限公司,Manufacturing,East,Large,2023-06-01,,A,500000,Wang Fang,active
C3,Northwind Foods,Agriculture,North,Small,2024-03-01,800000,,50000,Li Wei,dormant
"""

CONTRACTS = """contract_id,customer_id,kind,signed_on,start_on,end_on,amount,currency,payment_terms_days,collateral_value,status,approved_by,last_reviewed_on
K1,00123,sales,2024-02-01,2024-02-01,2025-01-31,120000,CNY,30,0,active,Zhao,2024-08-01
K2,C2,loan,2023-07-01,2023-07-15,2026-07-14,300000,CNY,0,150000,active,Zhao,2024-06-30
K3,C3,service,2024-03-10,2024-04-01,2024-09-30,20000,CNY,60,0,completed,Qian,
"""

PAYMENTS = """payment_id,contract_id,due_on,amount_due,paid_on,amount_paid
P1,K1,2024-03-02,10000,2024-03-01,10000
P2,K1,2024-04-01,10000,2024-04-20,6000
P3,K2,2024-01-15,25000,,0
P4,K3,2024-05-31,5000,2024-06-10,5000
"""

RISK_EVENTS = """event_id,customer_id,occurred_on,category,kind,severity,source,note
E1,C2,2024-05-01,legal,litigation,3,court_records,Supplier claim
E2,00123,2024-06-15,operational,production_halt,4,news,
"""

ALL = {
    "customers.csv": CUSTOMERS,
    "contracts.csv": CONTRACTS,
    "payments.csv": PAYMENTS,
    "risk_events.csv": RISK_EVENTS,
}


def write_all(folder, encoding: str = "utf-8") -> None:
    """Write the four sample files into `folder`."""
    for name, text in ALL.items():
        (folder / name).write_bytes(text.encode(encoding))
