# METADATA
# title: AWS managed policies
# description: |
#   The AWS managed policies shipped as bundle data
#   (data.cognito.reference.managed_policies: NAME -> {"arn", "version",
#   "source", "document"}), addressable by name ("AmazonCognitoReadOnly") or
#   by ARN ("arn:aws:iam::aws:policy/AmazonCognitoReadOnly").
package cognito.managed

default _policies := {}

_policies := data.cognito.reference.managed_policies if is_object(data.cognito.reference.managed_policies)

# METADATA
# description: Names of the managed policies in the bundle (set).
names contains name if {
	some name, entry in _policies
	is_object(entry)
}

# name is this package's lookup into its own bundle data: it reads names (and
# _policies) itself, so that its callers, in many packages, pass only the
# reference. Its else-chain reads names three times, past external-reference's
# limit of two references outside the arguments per function. No other function
# goes past that limit, hence these three inline ignores rather than a higher
# limit (max-allowed) for every function.

# METADATA
# description: |
#   The NAME of the managed policy a reference names: the name itself, the ARN
#   recorded in the data, or arn:PARTITION:iam::aws:policy/[PATH/]NAME.
#   Undefined when no shipped policy matches.
name(ref) := ref if {
	is_string(ref)
	ref in names # regal ignore:external-reference
} else := min(matches) if {
	is_string(ref)
	matches := {n |
		some n in names # regal ignore:external-reference
		_policies[n].arn == ref
	}
	count(matches) > 0
} else := n if {
	is_string(ref)
	regex.match(`^arn:aws(-cn|-us-gov)?:iam::aws:policy/`, ref)
	parts := split(ref, "/")
	n := parts[count(parts) - 1]
	n in names # regal ignore:external-reference
}

# METADATA
# description: The policy document of the managed policy a reference names.
document(ref) := _policies[name(ref)].document

# METADATA
# description: The policy version recorded for the managed policy a reference names (e.g. "v4").
version(ref) := _policies[name(ref)].version
