-- 011_support: what the Support menu and temporary renewal extensions need
-- beyond the tables of 005/006.
--
-- namespaces.subscription_expires_on: the day GitLab.com's paid plan of the
-- namespace ends when that is not its subscription's term end date: a
-- temporary extension of a SaaS subscription moves it to the extension's
-- last day (term end + 21). NULL: the subscription's term end date; the
-- panel shows the later of the two. Clearing or moving the subscription
-- clears it. (No CHECK ties it to zuora_subscription_id: that column is
-- also set NULL by its foreign key's ON DELETE SET NULL.)

ALTER TABLE namespaces
    ADD COLUMN subscription_expires_on date;

-- The Support menu's SM trial licenses list: legacy trial licenses, newest
-- first.
CREATE INDEX licenses_legacy_trial_idx
    ON licenses (issued_at DESC, id DESC) WHERE license_type = 'legacy' AND trial;
