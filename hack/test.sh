#!/usr/bin/env bash
# Runs every check and every test of every module in the repo:
#   gofmt, go vet, and go test (with -race on the root module).
# Modules are found automatically (every go.mod outside testdata), so a new
# module cannot be forgotten. An etcd server is started on loopback for the
# tests that need one (installed from Debian's etcd-server when missing);
# Debian's chromium is installed when missing, for the browser test in e2e.
#
# Progress: every step prints a header with the time since the start; go
# test's per-package results stream as they come; a command that prints
# nothing for a while gets a "still running" line, so the log never goes
# quiet for long. apt-get's output is kept out of the log unless it fails.
#
# Usage: hack/test.sh            (from anywhere inside the repo)
# Env:   GOFLAGS, TEST_FLAGS (extra flags for go test), SKIP_ETCD=1.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

fail=0
failed=()
step() { printf '\n==> [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

# heartbeat LABEL SINK CMD...: runs CMD with its output (stdout and stderr)
# going to SINK ("-" for this script's stdout, else a file), and prints
# "LABEL: still running" after every 20 seconds without output. Returns
# CMD's status.
heartbeat() {
  local label=$1 sink=$2 start=$SECONDS line rc
  shift 2
  "$@" 2>&1 | while :; do
    rc=0
    IFS= read -r -t 20 line || rc=$?
    if [ "$rc" = 0 ]; then
      if [ "$sink" = - ]; then printf '%s\n' "$line"; else printf '%s\n' "$line" >>"$sink"; fi
      continue
    fi
    if [ "$rc" -le 128 ]; then # end of output, maybe after a last unfinished line
      if [ -n "$line" ]; then
        if [ "$sink" = - ]; then printf '%s\n' "$line"; else printf '%s\n' "$line" >>"$sink"; fi
      fi
      break
    fi
    # A timed-out read keeps what it got of an unfinished line.
    if [ -n "$line" ]; then
      if [ "$sink" = - ]; then printf '%s\n' "$line"; else printf '%s' "$line" >>"$sink"; fi
    fi
    printf '    ... %s: still running (%ds)\n' "$label" $((SECONDS - start))
  done
  return "${PIPESTATUS[0]}"
}

# apt_install PACKAGE: installs a Debian package quietly, saying so, with a
# heartbeat while apt works; apt's output is printed only when it fails.
# Needs root; returns non-zero on failure.
apt_updated=""
apt_install() {
  local pkg=$1 log rc=0
  log=$(mktemp)
  if [ -z "$apt_updated" ]; then
    echo "apt-get update"
    heartbeat "apt-get update" "$log" apt-get update -qq || rc=$?
    [ "$rc" = 0 ] && apt_updated=1
  fi
  if [ "$rc" = 0 ]; then
    echo "apt-get install $pkg"
    heartbeat "apt-get install $pkg" "$log" \
      env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" || rc=$?
  fi
  if [ "$rc" != 0 ]; then
    echo "apt-get failed ($rc); its output:"
    cat "$log"
  else
    echo "installed $pkg"
  fi
  rm -f "$log"
  return "$rc"
}

# Every module in the repo, root first.
mapfile -t modules < <(find . -name go.mod -not -path '*/testdata/*' -not -path './.git/*' -printf '%h\n' | sort)
step "testing ${#modules[@]} modules: ${modules[*]}"

step "gofmt"
unformatted=$(find . -name '*.go' -not -path '*/testdata/*' -not -path './.git/*' -print0 | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:"; echo "$unformatted"; fail=1; failed+=(gofmt)
else
  echo "ok"
fi

# shellcheck source=hack/etcd.sh
source "$root/hack/etcd.sh"
if [ "${SKIP_ETCD:-}" != 1 ]; then
  step "etcd"
  if ! command -v etcd >/dev/null 2>&1 && [ ! -x /usr/bin/etcd ] && [ "$(id -u)" = 0 ]; then
    echo "etcd not found; installing Debian's etcd-server"
    apt_install etcd-server || true
  fi
  echo "starting etcd on loopback"
  if ! start_etcd; then
    echo "could not start etcd"; fail=1; failed+=(etcd)
  fi
  trap stop_etcd EXIT
else
  step "etcd skipped (SKIP_ETCD=1): the tests that need it skip"
fi

# protoc is needed only by the tests that check our plugins also work
# under protoc; the CLI itself never needs it.
if ! command -v protoc >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  step "installing protobuf-compiler (for the protoc compatibility tests)"
  apt_install protobuf-compiler || echo "the protoc compatibility tests will skip"
fi

# chromium is needed by e2e's TestBrowserStreams, which fails without it
# when CI is set.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  step "installing chromium (for the browser test in e2e)"
  apt_install chromium || echo "the browser test will skip (or fail, with CI set)"
fi

for mod in "${modules[@]}"; do
  race=""
  [ "$mod" = "." ] && race="-race"
  step "module $mod: go vet"
  if ! (cd "$mod" && heartbeat "go vet $mod" - go vet ./...); then
    fail=1; failed+=("$mod (vet)")
  fi
  step "module $mod: go test${race:+ $race}${TEST_FLAGS:+ $TEST_FLAGS}"
  # shellcheck disable=SC2086
  if ! (cd "$mod" && heartbeat "go test $mod" - go test $race -count=1 ${TEST_FLAGS:-} ./...); then
    fail=1; failed+=("$mod (test)")
  fi
done

if [ "$fail" != 0 ]; then
  step "FAILED: ${failed[*]}"
  exit 1
fi
step "all checks passed"
