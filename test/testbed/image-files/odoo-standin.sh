#!/bin/sh
# Stand-in for the Odoo 17 container in tests: answers GET /web/health on
# ODOO_HTTP_PORT (loopback only) with 200 {"status": "pass"}, as Odoo 17 does.
# Setting ODOO_STANDIN_FAIL_HEALTH=1 makes it answer 404 instead (Odoo broken);
# so does a file named odoo-standin-broken in the filestore of its database
# (ODOO_STANDIN_DATABASE) at start: restored data Odoo cannot run on, for
# rollback tests.
#
# Like Odoo where the bot's downtime depends on it (see docs/benchmarks.md):
# - start: Odoo answers only once it has loaded its registry, a few seconds;
#   the stand-in listens after ODOO_STANDIN_BOOT_SECONDS (default 3).
# - stop: Odoo's prefork server stops gracefully on SIGTERM, its workers
#   finishing the request they serve; the stand-in stops listening at once and
#   exits when no request is left in flight (or when Docker kills it).
# - GET /cgi-bin/slow?seconds=N answers after N seconds (headers at once, the
#   body at the end, with a Content-Length so a cut shows), to hold a request
#   in flight.
set -eu
boot=${ODOO_STANDIN_BOOT_SECONDS:-3}
case $boot in
  '' | *[!0-9.]* | *.*.*)
    echo "ODOO_STANDIN_BOOT_SECONDS: expected a number of seconds such as 3 or 0.5, got \"$boot\"" >&2
    exit 2
    ;;
esac
root=$(mktemp -d)
inflight=$(mktemp -d)
mkdir -p "$root/web" "$root/cgi-bin"
broken=0
[ -e "/var/lib/odoo/filestore/${ODOO_STANDIN_DATABASE:-odoo}/odoo-standin-broken" ] && broken=1
if [ "${ODOO_STANDIN_FAIL_HEALTH:-0}" != 1 ] && [ "$broken" = 0 ]; then
  printf '{"status": "pass"}' > "$root/web/health"
fi
# Each slow request holds a file in $inflight while it runs.
cat > "$root/cgi-bin/slow" <<EOF
#!/bin/sh
seconds=\$(printf '%s' "\${QUERY_STRING:-}" | sed -n 's/^\(.*&\)\{0,1\}seconds=\([0-9]\{1,4\}\)\(&.*\)\{0,1\}$/\2/p')
seconds=\${seconds:-1}
: > "$inflight/\$\$"
body="{\"slept\": \$seconds}"
printf 'Content-Type: application/json\r\nContent-Length: %d\r\n\r\n' "\${#body}"
sleep "\$seconds"
printf '%s' "\$body"
rm -f "$inflight/\$\$"
EOF
chmod 755 "$root/cgi-bin/slow"

# As PID 1 a process without a handler ignores SIGTERM: these traps are what stop it.
trap 'exit 0' TERM INT
# In the background, so that a stop during the boot is not held up by it.
sleep "$boot" &
wait $!

busybox httpd -f -p "127.0.0.1:${ODOO_HTTP_PORT:-8069}" -h "$root" &
httpd=$!
# httpd's connection handlers close their copy of the listening socket: once
# httpd is gone nothing new is accepted, and the requests in flight finish.
trap 'kill "$httpd" 2>/dev/null || true; while [ -n "$(ls -A "$inflight")" ]; do sleep 0.1; done; exit 0' TERM INT
wait "$httpd"
