-- 013_payment_method_search: the payment methods list searches the name
-- on the card and the bank account's name; without an index on either,
-- each search read all of payment_methods.
CREATE INDEX payment_methods_name_on_card_trgm ON payment_methods
    USING gin (name_on_card gin_trgm_ops) WHERE name_on_card IS NOT NULL;
CREATE INDEX payment_methods_ach_account_name_trgm ON payment_methods
    USING gin (ach_account_name gin_trgm_ops) WHERE ach_account_name IS NOT NULL;
