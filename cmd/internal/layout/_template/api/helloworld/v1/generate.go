package v1

// Regenerate the Go code of the protos in this directory: go generate ./...
//go:generate kratos proto client --openapi=false .
