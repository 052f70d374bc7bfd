# METADATA
# description: |
#   Amazon Resource Names: split an ARN into its six parts, classify the Amazon Cognito
#   resource type it names, and report IDs that are not in AWS's canonical format.
#   The resource part keeps its own colons (identity pool IDs contain one).
#   Every rule is a function of its arguments (or of the catalog data): none reads input.
package cognito.arn

import data.cognito.util

# METADATA
# description: |
#   Parse an ARN "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE" into an object with the
#   keys partition, service, region, account and resource. The resource part is everything
#   after the fifth colon, its own colons included. Undefined when s is not a string that
#   starts with "arn:" and has at least six colon-separated parts.
parse(s) := {
	"partition": parts[1],
	"service": parts[2],
	"region": parts[3],
	"account": parts[4],
	"resource": concat(":", array.slice(parts, 5, count(parts))),
} if {
	is_string(s)
	startswith(s, "arn:")
	parts := split(s, ":")
	count(parts) >= 6
}

# METADATA
# description: true when s parses as an ARN (see parse), false otherwise.
# scope: document
default is_arn(_) := false

is_arn(s) if parse(s)

# METADATA
# description: |
#   The ARN text of a parsed ARN object (the inverse of parse).
format(parsed) := concat(":", [
	"arn",
	parsed.partition,
	parsed.service,
	parsed.region,
	parsed.account,
	parsed.resource,
])

# METADATA
# description: |
#   The Amazon Cognito resource type a parsed ARN names: "identitypool" (cognito-identity
#   and cognito-sync), "identity" and "dataset" (cognito-sync), "userpool" (cognito-idp),
#   or any other type whose ARN template the catalog lists (such as the wafv2 "webacl" that
#   cognito-idp actions take). Derived from the ARN templates of the action catalog held as
#   bundle data at data.cognito.reference.catalog.services[SERVICE].resource_types[NAME].arn.
#   Undefined for an ARN that fits no template.
resource_type(parsed) := name if {
	some name, template_regex in _type_regexes[parsed.service]
	regex.match(template_regex, format(parsed))
}

# The type regular expressions: as bundle builds store them (data.cognito.derived,
# evaluated once from type_regex_table when the bundle is built), else computed
# from the catalog now. Building them costs a decision query more than the rest
# of its diagnostics together.
_type_regexes := stored if {
	stored := data.cognito.derived.arn_type_regexes
	is_object(stored)
} else := type_regex_table

# METADATA
# description: |
#   The ARN template of each resource type of the catalog, indexed by the service its
#   template names (the cognito-idp catalog also lists the wafv2 "webacl" type), as an
#   anchored regular expression: each ${Placeholder} matches one or more characters other
#   than "/" and ":" before the resource part, and other than "/" inside it (IDs such as
#   "us-east-1:GUID" hold a colon). {service: {type name: regex}}.
type_regex_table[template_service][name] := template_regex(type_def.arn) if {
	some catalog_service in data.cognito.reference.catalog.services
	some name, type_def in catalog_service.resource_types
	is_string(type_def.arn)
	template_service := split(type_def.arn, ":")[2]
}

# METADATA
# description: |
#   The anchored regular expression of an ARN template such as
#   "arn:${Partition}:cognito-idp:${Region}:${Account}:userpool/${UserPoolId}"
#   (see type_regex_table); undefined for a template of fewer than six parts.
template_regex(template) := concat("", ["^", _head_regex(parts), ":", _tail_regex(parts), "$"]) if {
	parts := split(template, ":")
	count(parts) >= 6
}

_head_regex(parts) := concat(":", [_placeholder_regex(p, "[^:/]+") | some p in array.slice(parts, 0, 5)])

_tail_regex(parts) := _placeholder_regex(concat(":", array.slice(parts, 5, count(parts))), "[^/]+")

# Escape the template literally, then turn each escaped ${Name} into the given class.
_placeholder_regex(text, class) := regex.replace(
	util.regex_escape(text),
	`\\\$\\\{[A-Za-z0-9_]+\\\}`,
	class,
)

# METADATA
# description: |
#   Warnings, as a set of {"code", "message"}, for parts of a parsed ARN that are not in
#   AWS's canonical format: an account ID that is not 12 digits, an identity pool ID or
#   identity ID that is not REGION:GUID, a user pool ID that is not REGION_ID, and an ID
#   whose region differs from the ARN's region. Parts holding the wildcards * or ?, empty
#   account parts and the alias "aws" of AWS-owned resources are not judged.
canonical_problems(parsed) := _account_problems(parsed) | {problem |
	some [kind, id] in _ids(parsed)
	_concrete(id)
	some problem in (_format_problems(kind, id) | _region_problems(id, parsed.region))
}

# "aws" is no account ID but the alias of resources AWS itself owns, such as
# AWS managed policies (IAM User Guide, "Controlling access to IAM users and roles").
_account_problems(parsed) := {{
	"code": "noncanonical_account_id",
	"message": sprintf("account ID %q is not 12 digits", [parsed.account]),
} |
	not parsed.account in {"", "aws"}
	_concrete(parsed.account)
	not regex.match(`^[0-9]{12}$`, parsed.account)
}

# The IDs in the resource part, as [kind, ID]: the identity pool ID of a
# cognito-identity or cognito-sync ARN, the identity ID of a cognito-sync ARN,
# the user pool ID of a cognito-idp ARN. One regular expression per service
# finds them all (an absent optional group is "").
_ids(parsed) := [[kind, m[i + 1]] |
	some m in regex.find_all_string_submatch_n(_id_regexes[parsed.service], parsed.resource, 1)
	some i, kind in _id_kinds[parsed.service]
	m[i + 1] != ""
]

_id_regexes := {
	"cognito-identity": `^identitypool/([^/]+)`,
	"cognito-sync": `^identitypool/([^/]+)(?:/identity/([^/]+))?`,
	"cognito-idp": `^userpool/([^/]+)`,
}

_id_kinds := {
	"cognito-identity": ["identity_pool"],
	"cognito-sync": ["identity_pool", "identity"],
	"cognito-idp": ["user_pool"],
}

_id_formats := {
	"identity_pool": {
		"code": "noncanonical_identity_pool_id",
		"message": "identity pool ID %q is not REGION:GUID (8-4-4-4-12 hexadecimal digits)",
		"regex": _region_guid,
	},
	"identity": {
		"code": "noncanonical_identity_id",
		"message": "identity ID %q is not REGION:GUID (8-4-4-4-12 hexadecimal digits)",
		"regex": _region_guid,
	},
	"user_pool": {
		"code": "noncanonical_user_pool_id",
		"message": "user pool ID %q is not REGION_ID",
		"regex": `^[a-z]{2}(-[a-z]+)+-[0-9]+_[0-9A-Za-z]+$`,
	},
}

_format_problems(kind, id) := {{"code": format.code, "message": sprintf(format.message, [id])} |
	format := _id_formats[kind]
	not regex.match(format.regex, id)
}

_region_problems(id, region) := {{
	"code": "id_region_mismatch",
	"message": sprintf("ID %q names region %q but the ARN names region %q", [id, prefix, region]),
} |
	_concrete(region)
	some prefix in regex.find_n(`^[a-z]{2}(-[a-z]+)+-[0-9]+`, id, 1)
	prefix != region
}

_region_guid := `^[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`

_concrete(s) if not regex.match(`[*?]`, s)
