// Every list of the panel, by resource, as a browser test walks them.
export const LISTS = {
  customers: '/admin/customers',
  billing_accounts: '/admin/billing_accounts',
  billing_account_contacts: '/admin/billing_account_contacts',
  billing_account_memberships: '/admin/billing_account_memberships',
  zuora_subscriptions: '/admin/zuora_subscriptions',
  invoices: '/admin/invoices',
  payment_methods: '/admin/payment_methods',
  orders: '/admin/orders',
  reconciliations: '/admin/reconciliations',
  temporary_extensions: '/admin/temporary_extension_history',
  licenses: '/admin/licenses',
  license_seat_links: '/admin/license_seat_links',
  namespaces: '/admin/namespaces',
  trials: '/admin/trials',
};
