#!/usr/bin/env bash
# Installs from Debian's archive whatever the test suite needs and this machine lacks, then
# starts the services that are not running. Safe to run again: it only acts on what is missing.
set -euo pipefail

missing=()
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
[ -x /usr/share/activemq/bin/activemq ] || missing+=(activemq)
command -v node >/dev/null || missing+=(nodejs)  # jsii, for the CDK app's synthesis tests

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi

# PostgreSQL: start the cluster if nothing answers on 5432.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql | sort -n | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }

# The tests connect as postgres over TCP without a password (trust), as on the CI machine.
if ! psql -h 127.0.0.1 -U postgres -tAc 'select 1' >/dev/null 2>&1; then
  echo "cannot connect to PostgreSQL as postgres on 127.0.0.1 without a password" >&2
  hba=$(su postgres -c "psql -tAc 'show hba_file'")
  sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
  su postgres -c "psql -tAc 'select pg_reload_conf()'" >/dev/null
fi

# ActiveMQ: the shared local broker (STOMP 127.0.0.1:61613, OpenWire 127.0.0.1:61616) with
# deploy/local/activemq.xml, unless something already answers STOMP there.
python3 -m deploy.local.activemq start
