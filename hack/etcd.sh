# Sourced by hack/test.sh: starts a throwaway etcd server on loopback and
# exports KRATOS_TEST_ETCD (its client URL) for tests that need one.
# The server comes from Debian's etcd-server package, installed when missing.

_etcd_pid=""
_etcd_dir=""

_free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

start_etcd() {
  local bin
  bin=$(command -v etcd || true)
  if [ -z "$bin" ] && [ -x /usr/bin/etcd ]; then bin=/usr/bin/etcd; fi
  if [ -z "$bin" ]; then
    echo "etcd not found; installing Debian's etcd-server"
    if [ "$(id -u)" = 0 ]; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server) >/dev/null 2>&1 || true
    fi
    bin=$(command -v etcd || true)
  fi
  if [ -z "$bin" ]; then
    echo "etcd is not available"
    return 1
  fi
  local cport pport
  cport=$(_free_port); pport=$(_free_port)
  _etcd_dir=$(mktemp -d)
  "$bin" --name kratos-test --data-dir "$_etcd_dir/data" \
    --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "kratos-test=http://127.0.0.1:$pport" >"$_etcd_dir/etcd.log" 2>&1 &
  _etcd_pid=$!
  export KRATOS_TEST_ETCD="127.0.0.1:$cport"
  export KRATOS_TEST_ETCD_BIN="$bin"
  local i
  for i in $(seq 1 100); do
    if (echo >"/dev/tcp/127.0.0.1/$cport") 2>/dev/null; then
      echo "etcd $("$bin" --version | head -1) on $KRATOS_TEST_ETCD"
      return 0
    fi
    kill -0 "$_etcd_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "etcd did not come up:"; cat "$_etcd_dir/etcd.log"
  return 1
}

stop_etcd() {
  if [ -n "$_etcd_pid" ]; then
    kill "$_etcd_pid" 2>/dev/null || true
    wait "$_etcd_pid" 2>/dev/null || true
    _etcd_pid=""
  fi
  [ -n "$_etcd_dir" ] && rm -rf "$_etcd_dir"
  _etcd_dir=""
}
