-- 021_eligibility: what the Fulfillment Guide's "Auto-Renewal eligibility"
-- rules need and the schema did not hold: how a subscription was bought,
-- whether it belongs to a community program, and its product.
--
-- They live on zuora_subscriptions, not billing_accounts, because Zuora
-- keeps them per subscription and the Guide words them so ("Subscriptions
-- purchased through a Reseller...", "Subscriptions for Education, OSS, or
-- Startup", "Subscriptions with an Enterprise Agile Planning product"): one
-- Zuora account may hold a subscription it bought directly beside one a
-- reseller invoices (Zuora's Subscription.InvoiceOwner), and the program
-- and the product are the subscription's rate plans.  Refresh from Zuora
-- fills them from "Retrieve a subscription".
--
--   sales_channel              'direct': the customer transacted with GitLab;
--                              'reseller' or 'channel_partner' (a GitLab
--                              Reseller, or another Channel/Alliance
--                              partner): excluded from auto-renewal and QSR
--   partner_name               the reseller's or partner's name (the
--                              invoice owner account); NULL when direct
--   community_program          'none', or the community program the
--                              subscription is for: 'education',
--                              'open_source', 'startups'
--   product_name               the subscription's product as Zuora names
--                              it, e.g. 'GitLab Premium - SaaS'
--   enterprise_agile_planning  one of its products is an Enterprise Agile
--                              Planning product

ALTER TABLE zuora_subscriptions
    ADD COLUMN sales_channel text NOT NULL DEFAULT 'direct'
        CONSTRAINT zuora_subscriptions_sales_channel_check
        CHECK (sales_channel IN ('direct', 'reseller', 'channel_partner')),
    ADD COLUMN partner_name text
        CONSTRAINT zuora_subscriptions_partner_name_check
        CHECK (btrim(partner_name) <> '' AND length(partner_name) <= 255),
    ADD COLUMN community_program text NOT NULL DEFAULT 'none'
        CONSTRAINT zuora_subscriptions_community_program_check
        CHECK (community_program IN ('none', 'education', 'open_source', 'startups')),
    ADD COLUMN product_name text
        CONSTRAINT zuora_subscriptions_product_name_check
        CHECK (btrim(product_name) <> '' AND length(product_name) <= 255),
    ADD COLUMN enterprise_agile_planning boolean NOT NULL DEFAULT false,
    -- A partner's name only where there is a partner.
    ADD CONSTRAINT zuora_subscriptions_partner_check
        CHECK (sales_channel <> 'direct' OR partner_name IS NULL);
