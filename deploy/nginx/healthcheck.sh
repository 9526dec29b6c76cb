#!/bin/bash
# Web image healthcheck without curl or wget in the image: GET /healthz over bash's /dev/tcp.
# The port is NGINX_LISTEN's (8080, or host:port).
port=${NGINX_LISTEN:-8080}
port=${port##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r status <&3 || exit 1
case $status in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) exit 1 ;;
esac
