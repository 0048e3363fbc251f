-- Version 1: the four source tables, load history and quarantine.
-- Foreign keys are checked by the Pandera cross-table rules at load time, not declared here:
-- DuckDB rejects an upsert of a parent row that child rows still reference.

create table customers (
    customer_id      varchar primary key,
    name             varchar not null,
    industry         varchar not null,
    region           varchar not null,
    segment          varchar not null,
    onboarded_on     date not null,
    annual_revenue   double check (annual_revenue is null or annual_revenue >= 0),
    external_rating  varchar check (external_rating is null or external_rating in
                         ('AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'CC', 'C', 'D')),
    credit_limit     double not null check (credit_limit >= 0),
    owner            varchar not null,
    status           varchar not null check (status in ('active', 'dormant', 'closed'))
);

create table contracts (
    contract_id         varchar primary key,
    customer_id         varchar not null,
    kind                varchar not null check (kind in ('sales', 'loan', 'lease', 'service')),
    signed_on           date not null,
    start_on            date not null check (start_on >= signed_on),
    end_on              date not null check (end_on >= start_on),
    amount              double not null check (amount > 0 and amount < 1e15),
    currency            varchar not null,
    payment_terms_days  integer not null check (payment_terms_days between 0 and 3650),
    collateral_value    double not null check (collateral_value >= 0 and collateral_value < 1e15),
    status              varchar not null check (status in
                            ('under_review', 'active', 'completed', 'terminated', 'in_dispute', 'defaulted')),
    approved_by         varchar,
    last_reviewed_on    date
);

create table payments (
    payment_id   varchar primary key,
    contract_id  varchar not null,
    due_on       date not null,
    amount_due   double not null check (amount_due > 0 and amount_due < 1e15),
    paid_on      date,
    amount_paid  double not null check (amount_paid >= 0 and amount_paid < 1e15),
    check (amount_paid = 0 or paid_on is not null)
);

create table risk_events (
    event_id     varchar primary key,
    customer_id  varchar not null,
    occurred_on  date not null,
    category     varchar not null check (category in ('credit', 'operational', 'legal')),
    kind         varchar not null,
    severity     integer not null check (severity between 1 and 5),
    source       varchar not null,
    note         varchar
);

create sequence load_id_seq start 1;

create table load_history (
    load_id        integer primary key,
    loaded_at      timestamp not null,
    source_file    varchar not null,
    content_hash   varchar not null,
    table_name     varchar not null,
    rows_read      integer not null,
    rows_accepted  integer not null,
    rows_rejected  integer not null,
    note           varchar
);

create table quarantine (
    load_id      integer not null,
    loaded_at    timestamp not null,
    table_name   varchar not null,
    source_file  varchar not null,
    row_number   integer not null,
    column_name  varchar,
    rule         varchar not null,
    value        varchar,
    row_data     varchar not null
);

-- One row: bumped by every load and build, so caches keyed on it see new data without a restart.
create table warehouse_state (
    load_version  integer not null,
    built_at      timestamp,
    as_of         date,
    policy_name   varchar
);
insert into warehouse_state values (0, null, null, null);
