-- Version 2: billing dates, adjustments (write-offs, recoveries, credit notes) and credit reviews.
-- payments.issued_on: the invoice or statement date; null means "not stated" (the build infers it).
-- adjustments and credit_reviews are optional: an empty table changes no figure.

alter table payments add column issued_on date;

create table adjustments (
    adjustment_id  varchar primary key,
    payment_id     varchar not null,
    kind           varchar not null check (kind in ('write_off', 'recovery', 'credit_note')),
    occurred_on    date not null,
    amount         double not null check (amount >= 0 and amount < 1e15),
    note           varchar
);

create table credit_reviews (
    review_id        varchar primary key,
    customer_id      varchar not null,
    effective_on     date not null,
    credit_limit     double not null check (credit_limit >= 0 and credit_limit < 1e15),
    external_rating  varchar check (external_rating is null or external_rating in
                         ('AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'CC', 'C', 'D')),
    decided_by       varchar,
    note             varchar
);
