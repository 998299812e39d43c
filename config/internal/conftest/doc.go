// Package conftest holds a Bootstrap-style proto message for the tests of
// package config and its sources. conf.pb.go is generated from conf.proto:
//
//	protoc --go_out=. --go_opt=paths=source_relative conf.proto
package conftest
