# METADATA
# title: Guest scope-down
# description: |
#   The session policies Amazon Cognito passes when it issues credentials to
#   a guest in the enhanced flow: an inline policy that allows only the
#   services of the documented list, and the AWS managed session policies
#   (bundle data data.cognito.reference.identity_pools, with sources). The
#   session may then do only what both the role's policies and one of these
#   session policies allow. Sign-ins, and the basic flow (the client calls
#   STS itself), get no session policy.
#   Sources: Cognito Developer Guide "IAM roles" (S2: "Amazon Cognito applies
#   a scope-down policy to credentials that you assign your unauthenticated
#   users in the enhanced flow"; "In the basic (classic) flow, you make your
#   own AssumeRoleWithWebIdentity API request"); AWS Managed Policy
#   Reference (S12); reference/cognito/identity-pools.md section 7, A14-A16.
package cognito.identity.scopedown

import data.cognito.managed

default _reference := {}

_reference := data.cognito.reference.identity_pools if is_object(data.cognito.reference.identity_pools)

# METADATA
# description: |
#   The guest scope-down session policies, as a list of {"name", "document"}:
#   the inline policy, then each AWS managed session policy the bundle ships.
guest_policies := array.concat(_inline, _managed)

default _inline := []

_inline := [{"name": _reference.guest_scope_down.name, "document": _reference.guest_scope_down.document}] if {
	is_object(_reference.guest_scope_down.document)
}

_managed := [{"name": name, "document": managed.document(name)} |
	some name in object.get(_reference, "guest_managed_session_policies", [])
	managed.document(name)
]

# METADATA
# description: |
#   The session policies for facts c: guest_policies for a guest in the enhanced flow, else [].
session_policies(c) := guest_policies if {
	c.flow == "enhanced"
	not c.authenticated
} else := []
