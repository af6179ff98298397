#!/bin/sh
# Entrypoint of the test stand-in for tecnativa/docker-socket-proxy, as theirs:
# the bind address from DISABLE_IPV6, written into the haproxy.cfg template,
# then haproxy in the foreground (master-worker). One addition for the test
# bed's host network: PROXY_BIND (e.g. 127.0.0.1:23750) replaces their fixed
# port 2375 on every interface.
set -e
ulimit -n 10000 2>/dev/null || true
case $(echo "${DISABLE_IPV6:-0}" | tr '[:upper:]' '[:lower:]') in
  1 | true | yes) BIND_CONFIG=":2375" ;;
  *) BIND_CONFIG="[::]:2375 v4v6" ;;
esac
[ -n "${PROXY_BIND:-}" ] && BIND_CONFIG=$PROXY_BIND
sed "s/\${BIND_CONFIG}/$BIND_CONFIG/g" /usr/local/etc/haproxy/haproxy.cfg.template > /tmp/haproxy.cfg
exec haproxy -W -db -f /tmp/haproxy.cfg "$@"
