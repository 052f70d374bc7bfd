# METADATA
# description: |
#   Where IAM does not treat a request as the policies alone would suggest:
#   resources AWS itself owns, and operations that need no permission. The
#   helpers (_eval, _doc, _allow) are iam_test.rego's.
package cognito.iam_test

import data.cognito.applicable
import data.cognito.iam

# AWS-owned resources carry the alias "aws" instead of an account ID (IAM User
# Guide, "Controlling access to IAM users and roles": "The ARN of an AWS managed
# policy uses the special alias aws in the policy ARN instead of an account ID"):
# no other account owns them, so an identity policy alone lets any account read
# AWS managed policies (IAM User Guide, "AWS managed policies").
test_aws_owned_resource_is_no_other_account if {
	r := {
		"action": "iam:GetPolicy", "resource": "arn:aws:iam::aws:policy/ReadOnlyAccess",
		"principal": "arn:aws:iam::111122223333:user/Alice",
		"policies": [_doc([_allow(["iam:GetPolicy", "iam:GetPolicyVersion"], "arn:aws:iam::aws:policy/*")])],
	}
	d := _eval(r)
	d.decision == "allow"
	d.warnings == set()
	_eval(object.union(r, {"policies": []})).decision == "implicit_deny"
	not_read := _eval(object.union(r, {"scps": [_doc([
		_allow("*", "*"),
		{"Effect": "Deny", "Action": "iam:*", "NotResource": "arn:aws:iam::aws:policy/*"},
	])]}))
	not_read.decision == "allow"
	applicable.facts(r).resource_account == ""
}

# STS API Reference, GetCallerIdentity: "No permissions are required to perform
# this operation. If an administrator attaches a policy to your identity that
# explicitly denies access to the sts:GetCallerIdentity action, you can still
# perform this operation."
test_operations_needing_no_permission if {
	iam.needs_no_permission("STS:GetCallerIdentity").action == "sts:GetCallerIdentity"
	startswith(iam.needs_no_permission("sts:getcalleridentity").url, "https://docs.aws.amazon.com/STS/")
	not iam.needs_no_permission("sts:AssumeRole")
	not iam.needs_no_permission(42)
}
