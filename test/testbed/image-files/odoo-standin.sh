#!/bin/sh
# Stand-in for the Odoo 17 container in tests: answers GET /web/health on
# ODOO_HTTP_PORT (loopback only) with 200 {"status": "pass"}, as Odoo 17 does.
# Setting ODOO_STANDIN_FAIL_HEALTH=1 makes it answer 404 instead (Odoo broken);
# so does a file named odoo-standin-broken in the filestore of its database
# (ODOO_STANDIN_DATABASE) at start: restored data Odoo cannot run on, for
# rollback tests.
set -eu
root=$(mktemp -d)
mkdir -p "$root/web"
broken=0
[ -e "/var/lib/odoo/filestore/${ODOO_STANDIN_DATABASE:-odoo}/odoo-standin-broken" ] && broken=1
if [ "${ODOO_STANDIN_FAIL_HEALTH:-0}" != 1 ] && [ "$broken" = 0 ]; then
  printf '{"status": "pass"}' > "$root/web/health"
fi
# As PID 1 httpd would ignore SIGTERM and Docker would wait 10 s to kill it;
# real Odoo stops at once on SIGTERM, so the stand-in does too.
busybox httpd -f -p "127.0.0.1:${ODOO_HTTP_PORT:-8069}" -h "$root" &
httpd=$!
trap 'kill "$httpd"; exit 0' TERM INT
wait "$httpd"
