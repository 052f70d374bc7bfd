# METADATA
# title: Policy documents
# description: |
#   Shape helpers for IAM policy documents: single values or lists, the
#   statements of a document with their labels, the policy language version.
#   Every function is total on well-formed documents and simply yields
#   nothing for ill-formed parts, so evaluation never fails on bad input
#   (package cognito.validation reports what is wrong).
package cognito.policy

import data.cognito.statement
import data.cognito.util

# METADATA
# description: |
#   The statements of a document as a list of {"label", "statement"}: label is
#   the statement's Sid, or its index (0-based number) when it has no
#   non-empty Sid. Statement may be one object or a list (IAM User Guide,
#   "IAM JSON policy elements: Statement").
statements(doc) := [{"label": label(s, i), "statement": s} |
	is_object(doc)
	some i, s in util.as_list(doc.Statement)
	is_object(s)
]

# METADATA
# description: |
#   The statements of a document as a list (Statement may be one object or a
#   list); empty when the document is not an object.
statement_list(doc) := util.as_list(doc.Statement) if is_object(doc)

else := []

# METADATA
# description: The label of statement s at index i - its non-empty Sid, else i.
label(s, i) := s.Sid if {
	is_string(s.Sid)
	s.Sid != ""
} else := i

# METADATA
# description: |
#   True when the document's policy variables are substituted: only with
#   "Version": "2012-10-17". Without a Version, or with "2008-10-17", IAM
#   treats ${...} as literal text (IAM User Guide, "IAM JSON policy
#   elements: Version" and "IAM policy elements: Variables and tags").
substitutes_variables(doc) if version_substitutes_variables(doc.Version)

# METADATA
# description: |
#   True for the Version value with which IAM substitutes policy variables,
#   "2012-10-17" (see substitutes_variables), for callers that hold a
#   document's Version rather than the document.
version_substitutes_variables("2012-10-17")

# METADATA
# description: |
#   True when a statement's Resource, NotResource or Condition of the document
#   contains the text "${" (a policy variable, or text that looks like one).
mentions_variables(doc) if {
	some s in util.as_list(doc.Statement)
	some text in _texts(s)
	contains(text, "${")
}

_texts(s) := {v |
	some key in ["Resource", "NotResource", "Condition"]
	walk(s[key], [_, v])
	is_string(v)
}

# METADATA
# description: |
#   Statement s at position i of policy document doc, compiled for matching
#   (cognito.statement.compile, policy variables as doc's Version says), with
#   the labels a decision reports: {"policy": name, "statement": its Sid or
#   position, "effect"}. null when s is not an object.
compiled_statement(name, i, s, doc) := object.union(statement.compile(s, _substitutes(doc)), {
	"policy": name,
	"statement": label(s, i),
	"effect": object.get(s, "Effect", null),
}) if {
	is_object(s)
} else := null

# METADATA
# description: |
#   The statements of document doc compiled by compiled_statement with the
#   label name, at their positions (null for a statement that is not an
#   object).
compiled_document(name, doc) := [compiled_statement(name, i, s, doc) | some i, s in statement_list(doc)]

# METADATA
# description: |
#   The statements of the documents entries (a list of {"label", "doc"}),
#   compiled by compiled_statement, in order; statements that are not objects
#   are left out.
compiled_documents(entries) := [c |
	some e in entries
	some c in compiled_document(e.label, e.doc)
	c != null
]

_substitutes(doc) if substitutes_variables(doc)

else := false
