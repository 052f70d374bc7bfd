package cognito.util_test

import data.cognito.util

test_as_list if {
	util.as_list("a") == ["a"]
	util.as_list(["a", "b"]) == ["a", "b"]
}

test_regex_escape_matches_itself_only if {
	s := "a.b+c*d?e(f)g|h[i]j{k}l^m$n\\o"
	regex.match(concat("", ["^", util.regex_escape(s), "$"]), s)
	not regex.match(concat("", ["^", util.regex_escape(s), "$"]), "aXb+c*d?e(f)g|h[i]j{k}l^m$n\\o")
}
