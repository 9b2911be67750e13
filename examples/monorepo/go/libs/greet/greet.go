// Package greet is a library the workspace's services share.
package greet

// Hello greets a service by name.
func Hello(name string) string {
	return "Hello from " + name + ", built in a Go workspace!"
}
