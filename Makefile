.PHONY: test run generate

# Run every check and test of every module (what CI runs).
test:
	bash hack/test.sh

# Regenerate checked-in protobuf code (needs protoc and protoc-gen-go).
generate:
	go generate ./...
