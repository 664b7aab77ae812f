-- 016_namespace_plan_for: the namespace plan a subscription pays for.
--
-- Two Support actions set a namespace's plan from its subscription:
-- linking a subscription to a namespace, and cancelling the trial of a
-- paying customer.  Each had its own rule, and they disagreed on the one
-- paid plan that is no namespace plan, starter (self-managed): linking
-- gave Premium, cancelling gave Free, which a namespace with a
-- subscription may not have, so the cancellation failed.  One rule now:
-- starter is Premium (as temporary extensions read it), every other paid
-- plan is a namespace plan of the same name.

CREATE FUNCTION namespace_plan_for(gitlab_plan text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE gitlab_plan WHEN 'starter' THEN 'premium' ELSE gitlab_plan END;
