#!/usr/bin/env bash
# Regenerates the Go code of internal/proto. Needs protoc, protoc-gen-go
# and protoc-gen-go-grpc on PATH.
set -euo pipefail
cd "$(dirname "$0")/../proto"
G=github.com/seed6ad8aa6b/kratos/conformance/internal/gen
M="Mconnectrpc/conformance/v1/service.proto=$G/conformancev1"
M="$M,Mconnectrpc/conformance/v1/config.proto=$G/conformancev1"
M="$M,Mconnectrpc/conformance/v1/server_compat.proto=$G/conformancev1"
M="$M,Mgreeter/v1/greeter.proto=$G/greeterv1"
protoc -I . -I /usr/include \
  --go_out=../gen --go_opt=module=$G,$M \
  --go-grpc_out=../gen --go-grpc_opt=module=$G,$M \
  connectrpc/conformance/v1/*.proto greeter/v1/greeter.proto
