//go:build tools

// Package tools pins the Regal linter; go.sum makes its build reproducible.
package tools

import _ "github.com/open-policy-agent/regal"
