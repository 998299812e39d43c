package conf

// Regenerate conf.pb.go from conf.proto: go generate ./...
//go:generate kratos proto client --openapi=false .
