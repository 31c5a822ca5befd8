#!/usr/bin/env bash
# Starts the real backends the test suite runs against, when they are installed but stopped.
# A backend that cannot be started is skipped locally by the tests and fails them in CI (CI=true).
set -u
if command -v pg_lsclusters >/dev/null 2>&1; then
  if ! pg_isready -q -h /var/run/postgresql 2>/dev/null; then
    version=$(ls /etc/postgresql 2>/dev/null | head -n 1)
    [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 20); do pg_isready -q -h /var/run/postgresql && break; sleep 0.5; done
  fi
else
  echo "ensure-services: PostgreSQL is not installed; install it with: apt-get install postgresql" >&2
fi
exit 0
