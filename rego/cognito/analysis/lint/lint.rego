# METADATA
# title: Policy lint
# description: |
#   Findings about IAM policy documents from the lint rules (the packages
#   under cognito.analysis.lint.rules, each contributing "report"), each
#   {"rule", "severity", "policy", "statement" (Sid or index, null for the
#   document), "position" (the statement's index in Statement, null for the
#   document), "message", "hint"}, with the severity of
#   cognito.analysis.lint.config. input: see cognito.analysis.lint.context.
package cognito.analysis.lint

import data.cognito.analysis.lint.config
import data.cognito.analysis.lint.context

# METADATA
# description: Every finding, sorted by policy, statement position, rule and message.
findings := [_public(k) | some k in _keys]

# A set iterates in sorted order: the keys order the findings. The reference
# names each rule package's report only: "some rules in data...rules" would
# evaluate every rule below data.cognito.analysis.lint.rules, the tests' too
# when they are loaded (opa test, opa eval -d rego), many times over.
_keys contains [f.policy, _position(f.position), f.rule, f.message, f.hint, f.statement] if {
	some f in data.cognito.analysis.lint.rules[_].report # regal ignore:mixed-iteration
}

_position(null) := -1

_position(p) := p if p != null

_public([policy, position, rule, message, hint, label]) := {
	"rule": rule,
	"severity": object.get(config.rules, [rule, "severity"], "warning"),
	"policy": policy,
	"statement": label,
	"position": _index(position),
	"message": message,
	"hint": hint,
}

_index(-1) := null

_index(p) := p if p != -1

# METADATA
# description: |
#   The lint report: {"findings", "summary" (number of findings by severity),
#   "documents", "statements" (how many were linted), "rules" (the rule table),
#   "severities" (each severity's rank: a higher rank is more serious)}.
# entrypoint: true
report := {
	"findings": findings,
	"summary": {severity: count([f | some f in findings; f.severity == severity]) | some severity, _ in config.severities},
	"documents": count(context.documents),
	"statements": count(context.statements),
	"rules": config.rules,
	"severities": config.severities,
}
