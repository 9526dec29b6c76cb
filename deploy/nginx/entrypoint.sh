#!/bin/sh
# Web image entrypoint: render the server block from default.conf.template with this
# container's values, then run the command (nginx).
#
# Only the template's own names are substituted (envsubst's list below, the same as
# TEMPLATE_VARIABLES in deploy/src/nginx.ts), so nginx's $variables pass through untouched.
# NGINX_TEMPLATE, NGINX_RUN_DIR and RESOLV_CONF exist for the deploy tests, which run this
# script outside a container.
set -eu

template=${NGINX_TEMPLATE:-/etc/nginx/templates/default.conf.template}
run_dir=${NGINX_RUN_DIR:-/tmp/nginx}
resolv_conf=${RESOLV_CONF:-/etc/resolv.conf}

# nginx re-resolves API_UPSTREAM per request only through a `resolver` it is given, and that is
# what spreads requests over `--scale api=N`. The engine's DNS is the container's first
# nameserver: 127.0.0.11 on Docker, the network's gateway address on Podman.
if [ -z "${NGINX_RESOLVER:-}" ]; then
  NGINX_RESOLVER=$(sed -n 's/^[[:space:]]*nameserver[[:space:]][[:space:]]*\([^[:space:]]*\).*/\1/p' \
    "$resolv_conf" | head -n 1)
  # nginx wants an IPv6 address in brackets.
  case $NGINX_RESOLVER in
    *:*) NGINX_RESOLVER="[$NGINX_RESOLVER]" ;;
  esac
fi

for name in NGINX_LISTEN NGINX_RESOLVER API_UPSTREAM WEB_ROOT; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "zai-chat web: $name is empty (NGINX_RESOLVER: no nameserver in $resolv_conf?)" >&2
    exit 64
  fi
done
export NGINX_LISTEN NGINX_RESOLVER API_UPSTREAM WEB_ROOT

mkdir -p "$run_dir"
envsubst '${NGINX_LISTEN} ${NGINX_RESOLVER} ${API_UPSTREAM} ${WEB_ROOT}' \
  <"$template" >"$run_dir/default.conf"
echo "zai-chat web: listen $NGINX_LISTEN, API $API_UPSTREAM, resolver $NGINX_RESOLVER" >&2

exec "$@"
