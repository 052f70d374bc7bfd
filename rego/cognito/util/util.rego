# METADATA
# title: Shared helpers
# description: |
#   Small total helpers that several packages need: values of an unchecked
#   type read as an array, an object, a list or a list of strings; scalar
#   tests and their text; regular expression escaping; the name of a given
#   policy. Each is defined for every argument (none fails on bad input), so
#   callers can apply them to input that cognito.validation has not checked.
#   This package reads no input and no data.
package cognito.util

# METADATA
# description: x when it is an array, else [].
as_array(x) := x if is_array(x)

else := []

# METADATA
# description: x when it is an object, else {}.
as_object(x) := x if is_object(x)

else := {}

# METADATA
# description: |
#   A value that may be a single value or a list (as many policy elements
#   may), as a list: x when it is an array, else [x].
as_list(x) := x if is_array(x)

else := [x]

# METADATA
# description: |
#   The strings of a value that may be one string or a collection of them:
#   [x] for a string x; for an array, set or object, its string elements (an
#   object's string values) in iteration order; [] for anything else.
as_strings(x) := [x] if is_string(x)

else := [v | some v in x; is_string(v)]

# METADATA
# description: True when v is a string, a number or a boolean (not null, not a collection).
# scope: document
is_scalar(v) if is_string(v)

is_scalar(v) if is_number(v)

is_scalar(v) if is_boolean(v)

# METADATA
# description: |
#   The text of a scalar: a string as itself, a number as sprintf's %v writes
#   it, a boolean as "true" or "false". Undefined for null and collections.
# scope: document
scalar_text(v) := v if is_string(v)

scalar_text(v) := sprintf("%v", [v]) if is_number(v)

scalar_text(true) := "true"

scalar_text(false) := "false"

# METADATA
# description: |
#   s with every regular expression metacharacter (\ . + * ? ( ) | [ ] { } ^ $)
#   escaped, so that the result matches s literally.
regex_escape(s) := regex.replace(s, `[\\.+*?()|\[\]{}^$]`, `\$0`)

# METADATA
# description: |
#   The name of entry p at index i of an input's "policies" list ({"name",
#   "document"}): its "name" when that is a string, else "policies[i]".
policy_name(p, i) := p.name if is_string(p.name)

else := sprintf("policies[%d]", [i])
