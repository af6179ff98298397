#!/usr/bin/env bash
# Installs what the integration test bed needs on a Debian machine, when missing:
# Docker's engine (docker.io: dockerd, containerd, runc, the docker CLI) and
# debootstrap (to build the test images without a registry), PostgreSQL 15's
# client tools (tests restore dumps with pg_restore by hand), and Debian's
# docker-compose (the image test validates docker-compose.yml with it) and jq.
set -euo pipefail

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "odoo-ops needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
# The tests check archives with the standard tools: tar and PostgreSQL 15's pg_restore/psql.
command -v pg_restore >/dev/null 2>&1 || missing+=(postgresql-client-15)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
# docs/restore.md checks an archive's members with jq and sha256sum; a test follows it.
command -v jq >/dev/null 2>&1 || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" tar
fi
