#!/bin/sh
# Stand-in for the Odoo 17 container in tests: answers GET /web/health on
# ODOO_HTTP_PORT (loopback only) with 200 {"status": "pass"}, as Odoo 17 does.
# Setting ODOO_STANDIN_FAIL_HEALTH=1 makes it answer 404 instead (Odoo broken).
set -eu
root=$(mktemp -d)
mkdir -p "$root/web"
if [ "${ODOO_STANDIN_FAIL_HEALTH:-0}" != 1 ]; then
  printf '{"status": "pass"}' > "$root/web/health"
fi
exec busybox httpd -f -p "127.0.0.1:${ODOO_HTTP_PORT:-8069}" -h "$root"
