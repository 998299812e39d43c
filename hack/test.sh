#!/usr/bin/env bash
# Runs every check and every test of every module in the repo:
#   gofmt, go vet, and go test (with -race on the root module).
# Modules are found automatically (every go.mod outside testdata), so a new
# module cannot be forgotten. An etcd server is started on loopback for the
# tests that need one (installed from Debian's etcd-server when missing);
# Debian's chromium is installed when missing, for the browser test in e2e.
#
# Usage: hack/test.sh            (from anywhere inside the repo)
# Env:   GOFLAGS, TEST_FLAGS (extra flags for go test), SKIP_ETCD=1.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

fail=0
step() { printf '\n==> %s\n' "$*"; }

step "gofmt"
unformatted=$(find . -name '*.go' -not -path '*/testdata/*' -not -path './.git/*' -print0 | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:"; echo "$unformatted"; fail=1
fi

# Every module in the repo, root first.
mapfile -t modules < <(find . -name go.mod -not -path '*/testdata/*' -not -path './.git/*' -printf '%h\n' | sort)

# shellcheck source=hack/etcd.sh
source "$root/hack/etcd.sh"
if [ "${SKIP_ETCD:-}" != 1 ]; then
  step "etcd"
  start_etcd || { echo "could not start etcd"; fail=1; }
  trap stop_etcd EXIT
fi

# protoc is needed only by the tests that check our plugins also work
# under protoc; the CLI itself never needs it.
if ! command -v protoc >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  step "installing protobuf-compiler (for the protoc compatibility tests)"
  apt_log=$(mktemp)
  if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler) >"$apt_log" 2>&1; then
    cat "$apt_log"
    echo "could not install protobuf-compiler; the protoc compatibility tests will skip"
  fi
  rm -f "$apt_log"
fi

# chromium is needed by e2e's TestBrowserStreams, which fails without it
# when CI is set. apt's output is shown when the install fails.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  step "installing chromium (for the browser test in e2e)"
  apt_log=$(mktemp)
  if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >"$apt_log" 2>&1; then
    cat "$apt_log"
    echo "could not install chromium; the browser test will skip (or fail, with CI set)"
  fi
  rm -f "$apt_log"
fi

for mod in "${modules[@]}"; do
  step "module $mod"
  race=""
  [ "$mod" = "." ] && race="-race"
  (cd "$mod" && go vet ./...) || fail=1
  # shellcheck disable=SC2086
  (cd "$mod" && go test $race -count=1 ${TEST_FLAGS:-} ./...) || fail=1
done

if [ "$fail" != 0 ]; then
  step "FAILED"
  exit 1
fi
step "all checks passed"
