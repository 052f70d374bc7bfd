# METADATA
# title: "Lint rules: privilege escalation through Amazon Cognito"
# description: |
#   Grants that let their holder gain more than they were given, within one
#   policy document. What a document grants is decided the way IAM evaluates
#   a request against it (cognito.statement: Action or NotAction, Resource or
#   NotResource, Condition; a Deny of the document that applies cancels the
#   Allow), for a request on a stand-in resource with a name nobody chose:
#   "any role" is a role ARN with such a name in each account the document
#   names (or 111122223333), "any user pool" and "any function" likewise.
#   passrole-any: iam:PassRole on any role (IAM policy validation check
#   reference, Security Warning - Pass role with star in resource; a
#   statement that sets iam:PassedToService is left to the combinations).
#   escalation-identity-pool-roles: iam:PassRole on any role passed to
#   cognito-identity.amazonaws.com, with SetIdentityPoolRoles,
#   CreateIdentityPool or UpdateIdentityPool: setting roles on an identity
#   pool needs iam:PassRole for them (Amazon Cognito Developer Guide, "Using
#   role-based access control", Granting pass role permission), so whoever
#   holds both can hand any role whose trust policy admits the pool to its
#   users, guests included (HackTricks Cloud, "AWS - Cognito Privesc":
#   cognito-identity:SetIdentityPoolRoles, iam:PassRole; Rhino Security
#   Labs, "Attacking AWS Cognito with Pacu"). escalation-user-pool-group-roles:
#   iam:PassRole on any role with cognito-idp:CreateGroup or UpdateGroup:
#   a group's role reaches the cognito:roles and cognito:preferred_role
#   claims, from which identity pools choose the role ("Using role-based
#   access control"; HackTricks, "(cognito-idp:CreateGroup |
#   cognito-idp:UpdateGroup), iam:PassRole"). escalation-user-takeover:
#   AdminSetUserPassword, AdminUpdateUserAttributes or AdminInitiateAuth on
#   any user pool: set any user's password and sign in as them, change their
#   e-mail or claims, or start their authentication server-side
#   (AdminSetUserPassword API reference: "bypass self-service password
#   changes and permit immediate sign-in with the password that you set";
#   HackTricks). escalation-lambda-trigger: cognito-idp:UpdateUserPool with
#   lambda:UpdateFunctionCode on any function (or CreateFunction with
#   iam:PassRole to Lambda): the user pool's triggers run code of the
#   holder's choosing with the function's role, and a pre token generation
#   trigger writes any claim, groups and IAM roles included, into every
#   token (Amazon Cognito Developer Guide, "Pre token generation Lambda
#   trigger"; Rhino Security Labs, "AWS IAM Privilege Escalation - Methods
#   and Mitigations", method 18 lambda:UpdateFunctionCode). Each finding
#   names the combination and its statements; it is reported on the first
#   of them.
package cognito.analysis.lint.rules.escalation

import data.cognito.analysis.lint.context
import data.cognito.statement
import data.cognito.util

_stand_in := "pycognito-opa-any"

_account := "111122223333"

_region := "us-east-1"

# METADATA
# description: The findings of this package's rules.
# scope: document
report contains context.finding("passrole-any", st, message, _passrole_hint) if {
	some i, _ in context.document_statements
	some role in _roles(i)
	some st in _allowing(i, {"action": "iam:PassRole", "resource": role, "context": {}})
	not _names_key(st.statement, "iam:passedtoservice")
	message := sprintf("Allow grants iam:PassRole on any role (%s): %s", [
		_resources_text(st.statement),
		"the holder can pass every role of the account, an administrator's included, to any service",
	])
}

report contains _finding("escalation-identity-pool-roles", combo, message, _identity_pool_hint) if {
	some i, _ in context.document_statements
	passing := _passing(i, "cognito-identity.amazonaws.com")
	count(passing) > 0
	setting := _granting(i, _identity_pool_actions)
	count(setting) > 0
	combo := passing | {st | some [_, st] in setting}
	message := sprintf("%s together with %s: %s", [
		_passrole_text(passing), _actions_text(setting),
		"whoever holds both can give any role of the account to an identity pool's users, guests included",
	])
}

report contains _finding("escalation-user-pool-group-roles", combo, message, _group_hint) if {
	some i, _ in context.document_statements
	passing := _passing(i, "cognito-idp.amazonaws.com")
	count(passing) > 0
	grouping := _granting(i, _group_actions)
	count(grouping) > 0
	combo := passing | {st | some [_, st] in grouping}
	message := sprintf("%s together with %s: %s", [
		_passrole_text(passing), _actions_text(grouping),
		concat(" ", [
			"whoever holds both can put any role into a group's cognito:roles claim,",
			"which identity pools that choose roles from tokens hand out",
		]),
	])
}

report contains _finding("escalation-user-takeover", combo, message, _takeover_hint) if {
	some i, _ in context.document_statements
	granted := {[a, st] |
		some a in _takeover_actions
		some pool in _user_pools(i)
		some st in _allowing(i, {"action": a, "resource": pool, "context": {}})
	}
	count(granted) > 0
	combo := {st | some [_, st] in granted}
	message := sprintf("%s on any user pool: %s", [
		_actions_text(granted),
		concat(" ", [
			"the holder can take over the account of any user of those pools",
			"(set a password to sign in with, change their e-mail or claims)",
		]),
	])
}

report contains _finding("escalation-lambda-trigger", combo, message, _trigger_hint) if {
	some i, _ in context.document_statements
	updating := _granting(i, {"cognito-idp:UpdateUserPool"})
	count(updating) > 0
	code := _code_changes(i)
	count(code) > 0
	combo := {st | some [_, st] in updating} | {st | some [_, st] in code}
	message := sprintf("%s together with %s on any function: %s", [
		_actions_text(updating), _actions_text(code),
		concat(" ", [
			"whoever holds both can make a user pool trigger run code of their choosing,",
			"with the function's role, and write any claim into its tokens",
		]),
	])
}

_identity_pool_actions := {
	"cognito-identity:SetIdentityPoolRoles",
	"cognito-identity:CreateIdentityPool",
	"cognito-identity:UpdateIdentityPool",
}

_group_actions := {"cognito-idp:CreateGroup", "cognito-idp:UpdateGroup"}

_takeover_actions := {
	"cognito-idp:AdminSetUserPassword",
	"cognito-idp:AdminUpdateUserAttributes",
	"cognito-idp:AdminInitiateAuth",
}

# A finding about several statements, reported on the first of them.
_finding(rule, combo, message, hint) := context.finding(rule, first, message, hint) if {
	first := [st | some st in combo; st.position == min({s.position | some s in combo})][0]
}

_applies(st, req) if statement.applies(st.statement, st.substitutes, req)

# The statements of document i whose Action or NotAction names the action.
_naming(i, action) := _named_in[i][action]

# For each document (by index), the statements naming each action the rules
# ask about; computed once per document.
_named_in[i] := {a: [s | some j, s in sts; a in by[j]] | some a in (_cognito_asked | _other_asked)} if {
	some i, sts in context.document_statements
	by := [_asked_by(s) | some s in sts]
}

# The Cognito actions the rules ask about (canonical names) and the others.
_cognito_asked := ((_identity_pool_actions | _group_actions) | _takeover_actions) | {"cognito-idp:UpdateUserPool"}

_other_asked := {"iam:PassRole", "lambda:UpdateFunctionCode", "lambda:CreateFunction"}

# The asked actions a statement names: for Cognito actions its named actions,
# computed once (cognito.analysis.lint.context); for others IAM's matching,
# when the statement may name other services' actions at all.
_asked_by(st) := (st.named & _cognito_asked) | {a |
	_may_name_others(st)
	some a in _other_asked
	statement.action_matches(st.statement, a)
}

_may_name_others(st) if st.others == true

_may_name_others(st) if "NotAction" in object.keys(st.statement)

# The Allow statements of document i that apply to req, when no Deny of it does.
_allowing(i, req) := {st |
	applying := [s | some s in _naming(i, req.action); _applies(s, req)]
	not "Deny" in {s.statement.Effect | some s in applying}
	some st in applying
	st.statement.Effect == "Allow"
}

# [action, statement] for each Allow naming one of the actions (on any
# resource, under any condition) that no unconditional Deny of the document
# takes back on every resource.
_granting(i, actions) := {[a, st] |
	some a in actions
	some st in _naming(i, a)
	st.statement.Effect == "Allow"
	not _denied_everywhere(i, a)
}

_denied_everywhere(i, action) if {
	some st in _naming(i, action)
	st.statement.Effect == "Deny"
	_applies(st, {"action": action, "resource": "*", "context": {}})
}

# The statements that let the document pass any role to service.
_passing(i, service) := {st |
	some role in _roles(i)
	some st in _allowing(i, {"action": "iam:PassRole", "resource": role, "context": {"iam:PassedToService": service}})
}

# [action, statement] for the Lambda grants that change what a function runs.
_code_changes(i) := {["lambda:UpdateFunctionCode", st] |
	some function in _functions(i)
	some st in _allowing(i, {"action": "lambda:UpdateFunctionCode", "resource": function, "context": {}})
} | {[a, st] |
	some function in _functions(i)
	created := _allowing(i, {"action": "lambda:CreateFunction", "resource": function, "context": {}})
	count(created) > 0
	count(_passing(i, "lambda.amazonaws.com")) > 0
	some [a, st] in ({["lambda:CreateFunction", s] | some s in created} | {["iam:PassRole", s] |
		some s in _passing(i, "lambda.amazonaws.com")
	})
}

# Stand-in resources with names nobody chose, in the partitions, regions and
# accounts named by the Resource patterns of the statements that name the
# actions (or the defaults); none when no statement names them.
_roles(i) := {sprintf("arn:%s:iam::%s:role/%s/role", [p, a, _stand_in]) |
	some [p, _, a] in _scopes(i, {"iam:PassRole"})
}

_user_pools(i) := {sprintf("arn:%s:cognito-idp:%s:%s:userpool/%s_%s", [p, r, a, r, "pycognitoOpaAny"]) |
	some [p, r, a] in _scopes(i, _takeover_actions)
}

_functions(i) := {sprintf("arn:%s:lambda:%s:%s:function:%s", [p, r, a, _stand_in]) |
	some [p, r, a] in _scopes(i, {"lambda:UpdateFunctionCode", "lambda:CreateFunction"})
}

_scopes(i, actions) := set() if {
	every a in actions {
		count(_naming(i, a)) == 0
	}
} else := {["aws", _region, _account]} | {[_part(parts, 1), _part(parts, 3), _part(parts, 4)] |
	some a in actions
	some st in _naming(i, a)
	some key in ["Resource", "NotResource"]
	some r in util.as_strings(object.get(st.statement, key, []))
	parts := split(r, ":")
	count(parts) >= 6
}

# A concrete partition, region or account of the pattern, else the default.
_part(parts, i) := parts[i] if regex.match(`^[A-Za-z0-9-]+$`, parts[i])

else := {1: "aws", 3: _region, 4: _account}[i]

_names_key(s, key) if {
	some keys in util.as_object(object.get(s, "Condition", {}))
	some k, _ in util.as_object(keys)
	lower(k) == key
}

_resources_text(s) := sprintf("Resource %s", [concat(", ", [sprintf("%q", [r]) |
	some r in util.as_strings(s.Resource)
])]) if {
	"Resource" in object.keys(s)
} else := "NotResource"

_passrole_text(passing) := sprintf("iam:PassRole on any role (%s)", [_where(passing)])

# "a (statement 0), b (statement 1) and c (statement "Sid")": each action with
# the statements granting it.
_actions_text(granted) := _and([sprintf("%s (%s)", [a, _where({st | some [b, st] in granted; b == a})]) |
	some a in sort({a | some [a, _] in granted})
])

_and(items) := items[0] if count(items) == 1

else := sprintf("%s and %s", [concat(", ", array.slice(items, 0, count(items) - 1)), items[count(items) - 1]])

_where(statements) := concat(", ", [_label(st) | some st in _sorted(statements)])

_label(st) := sprintf("statement %q", [st.label]) if is_string(st.label)

else := sprintf("statement %d", [st.label])

_sorted(statements) := [st |
	some p in sort({s.position | some s in statements})
	some st in statements
	st.position == p
]

# Hints.
_passrole_hint := concat(" ", [
	"list the roles it may pass in Resource (arn:aws:iam::ACCOUNT:role/NAME)",
	"and add an iam:PassedToService condition",
])

_identity_pool_hint := concat(" ", [
	"limit iam:PassRole to the identity pool's own roles (their ARNs in Resource),",
	"or keep the identity pool actions out of this policy",
])

_group_hint := "limit iam:PassRole to the roles meant for user pool groups (their ARNs in Resource)"

_takeover_hint := concat(" ", [
	"scope these actions to the user pools this principal administers",
	"(their userpool ARNs in Resource)",
])

_trigger_hint := "limit the Lambda actions to the functions this principal deploys (their ARNs in Resource)"
