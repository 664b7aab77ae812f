-- 008_history_triggers: bookkeeping and history triggers, all in one place
-- so the list of what is audited can be read at a glance.
--
-- Audited (every INSERT/UPDATE/DELETE writes a versions row, see audit_row
-- in 001_foundation):
--   customers, one_time_sign_in_tokens, impersonation_grants,
--   billing_accounts, billing_account_contacts, billing_account_memberships,
--   invoices, payment_methods, zuora_subscriptions, licenses, orders,
--   reconciliations, temporary_extensions, namespaces, trials.
-- Not audited, deliberately:
--   versions (history itself), outbox (plumbing, transient),
--   license_seat_links (tens of millions of append-only telemetry rows that
--   nobody edits), countries / country_subdivisions (reference data),
--   schema_migrations (has its own applied_at).
-- Sensitive columns never copied into versions: token_sha256 of
-- one_time_sign_in_tokens and impersonation_grants.
--
-- These are ordinary (not ALWAYS) triggers: a bulk load run with
-- session_replication_role = replica (sql/seed_scale.sh) skips them on
-- purpose; nothing else should.

-- lock_version + updated_at on the tables staff edit.
CREATE TRIGGER customers_touch BEFORE UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION bump_lock_version();
CREATE TRIGGER billing_accounts_touch BEFORE UPDATE ON billing_accounts
    FOR EACH ROW EXECUTE FUNCTION bump_lock_version();
CREATE TRIGGER billing_account_contacts_touch BEFORE UPDATE ON billing_account_contacts
    FOR EACH ROW EXECUTE FUNCTION bump_lock_version();
CREATE TRIGGER billing_account_memberships_touch BEFORE UPDATE ON billing_account_memberships
    FOR EACH ROW EXECUTE FUNCTION bump_lock_version();
CREATE TRIGGER zuora_subscriptions_touch BEFORE UPDATE ON zuora_subscriptions
    FOR EACH ROW EXECUTE FUNCTION bump_lock_version();
CREATE TRIGGER licenses_touch BEFORE UPDATE ON licenses
    FOR EACH ROW EXECUTE FUNCTION bump_lock_version();
CREATE TRIGGER namespaces_touch BEFORE UPDATE ON namespaces
    FOR EACH ROW EXECUTE FUNCTION bump_lock_version();
CREATE TRIGGER trials_touch BEFORE UPDATE ON trials
    FOR EACH ROW EXECUTE FUNCTION bump_lock_version();

-- updated_at on the other tables that have it.
CREATE TRIGGER one_time_sign_in_tokens_touch BEFORE UPDATE ON one_time_sign_in_tokens
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER impersonation_grants_touch BEFORE UPDATE ON impersonation_grants
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER invoices_touch BEFORE UPDATE ON invoices
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER payment_methods_touch BEFORE UPDATE ON payment_methods
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER license_seat_links_touch BEFORE UPDATE ON license_seat_links
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER reconciliations_touch BEFORE UPDATE ON reconciliations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER temporary_extensions_touch BEFORE UPDATE ON temporary_extensions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER outbox_touch BEFORE UPDATE ON outbox
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- History.
CREATE TRIGGER customers_audit AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER one_time_sign_in_tokens_audit AFTER INSERT OR UPDATE OR DELETE ON one_time_sign_in_tokens
    FOR EACH ROW EXECUTE FUNCTION audit_row('token_sha256');
CREATE TRIGGER impersonation_grants_audit AFTER INSERT OR UPDATE OR DELETE ON impersonation_grants
    FOR EACH ROW EXECUTE FUNCTION audit_row('token_sha256');
CREATE TRIGGER billing_accounts_audit AFTER INSERT OR UPDATE OR DELETE ON billing_accounts
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER billing_account_contacts_audit AFTER INSERT OR UPDATE OR DELETE ON billing_account_contacts
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER billing_account_memberships_audit AFTER INSERT OR UPDATE OR DELETE ON billing_account_memberships
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER invoices_audit AFTER INSERT OR UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER payment_methods_audit AFTER INSERT OR UPDATE OR DELETE ON payment_methods
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER zuora_subscriptions_audit AFTER INSERT OR UPDATE OR DELETE ON zuora_subscriptions
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER licenses_audit AFTER INSERT OR UPDATE OR DELETE ON licenses
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER reconciliations_audit AFTER INSERT OR UPDATE OR DELETE ON reconciliations
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER temporary_extensions_audit AFTER INSERT OR UPDATE OR DELETE ON temporary_extensions
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER namespaces_audit AFTER INSERT OR UPDATE OR DELETE ON namespaces
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER trials_audit AFTER INSERT OR UPDATE OR DELETE ON trials
    FOR EACH ROW EXECUTE FUNCTION audit_row();
