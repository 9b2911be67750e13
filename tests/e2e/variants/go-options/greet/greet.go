// Package greet is a local module, reached through a `replace` directive.
package greet

// Hello greets.
func Hello(name string) string { return "hello from the local module, " + name }
