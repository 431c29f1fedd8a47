#!/usr/bin/env bash
# Make sure Postgres (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379)
# run: start them when installed, install them with apt-get when not (as root).
# Used by `make demo`, `make test` and .ci/run. Pass --chromium to also make
# sure Chromium is there (the demo's browser test needs it).
set -euo pipefail

want_chromium=0
[ "${1:-}" = "--chromium" ] && want_chromium=1

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
need_apt_update=1
apt_install() {
  if ! can_install; then
    echo "lijntje: $* is missing; install it (Debian/Ubuntu: sudo apt-get install $*) and run this again" >&2
    exit 1
  fi
  if [ "$need_apt_update" = 1 ]; then apt-get update -qq; need_apt_update=0; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; }

# Postgres on 127.0.0.1:5432 with trust auth for local connections.
if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "installing postgresql"
    apt_install postgresql
    ver=$(ls /etc/postgresql | sort -V | tail -1)
    conf=/etc/postgresql/$ver/main/pg_hba.conf
    sed -i -E 's/^(local|host)(.*)(peer|scram-sha-256|md5)$/\1\2trust/' "$conf"
  fi
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  echo "starting postgresql $ver"
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "lijntje: Postgres does not answer on 127.0.0.1:5432" >&2; exit 1; }
fi

# Redis on 127.0.0.1:6379.
if ! redis_up; then
  if ! command -v redis-server >/dev/null; then
    echo "installing redis"
    apt_install redis-server
  fi
  echo "starting redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/lijntje.log
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  redis_up || { echo "lijntje: Redis does not answer on 127.0.0.1:6379" >&2; exit 1; }
fi

if [ "$want_chromium" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium"
  apt_install chromium
fi
exit 0
