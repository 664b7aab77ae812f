-- 022_timeline: the memberships a customer ever had, for their timeline
-- (app/admin/timeline.c), removed ones included: the create and delete
-- rows of a membership in versions carry the whole row, customer_id with
-- it.  Without this index the timeline reads every membership's history
-- (200 ms at 85,000 memberships, and growing); with it, well under 1 ms.
-- Partial: one entry per membership created or removed.  The other
-- records of a timeline are found through existing indexes, and their
-- history through versions_item_idx.
CREATE INDEX versions_membership_customer_idx
    ON versions ((changes->>'customer_id'))
    WHERE item_type = 'billing_account_memberships' AND event <> 'update';
