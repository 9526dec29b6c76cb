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

# connect-src of the CSP: 'self', plus the origins the app may call besides its own page's.
# VITE_API_URL is the list of API bases the app was built with (commas; `/` or a path alone is
# this origin; a base's path does not matter to CSP, only its origin); CSP_CONNECT_SRC adds
# more (commas or spaces). Only http(s) origins are taken, and anything else refuses to start,
# so nothing can be smuggled into the header (`;`, quotes) or into nginx's config.
connect_src="'self'"
set -f # entries are words, never file name patterns
for entry in $(printf '%s,%s' "${VITE_API_URL:-}" "${CSP_CONNECT_SRC:-}" | tr ',' ' '); do
  case $entry in
    /* | "'self'") continue ;;
  esac
  origin=$(printf '%s\n' "$entry" | sed -n -E \
    's#^(https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?)(/[^[:space:]]*)?$#\1#p')
  if [ -z "$origin" ]; then
    echo "zai-chat web: VITE_API_URL / CSP_CONNECT_SRC: \"$entry\" is not an http(s) origin" >&2
    exit 64
  fi
  case " $connect_src " in
    *" $origin "*) ;;
    *) connect_src="$connect_src $origin" ;;
  esac
done
set +f

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
  <"$template" >"$run_dir/default.conf.new"
# The template's CSP says `connect-src 'self';` (what other copies of it, e.g. the API's
# replica test, render with the four names above alone); the extra origins go in there.
if [ "$connect_src" != "'self'" ]; then
  if [ "$(grep -c "connect-src 'self';" "$run_dir/default.conf.new")" != 1 ]; then
    echo "zai-chat web: the template has no single \"connect-src 'self';\" to extend" >&2
    rm -f "$run_dir/default.conf.new"
    exit 65
  fi
  sed -i "s|connect-src 'self';|connect-src $connect_src;|" "$run_dir/default.conf.new"
fi
mv "$run_dir/default.conf.new" "$run_dir/default.conf"
echo "zai-chat web: listen $NGINX_LISTEN, API $API_UPSTREAM, resolver $NGINX_RESOLVER," \
  "connect-src $connect_src" >&2

exec "$@"
