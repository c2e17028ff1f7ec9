#!/usr/bin/env bash
# The documented nginx file in front of a running `regulus serve` (e.g. `make demo`), on this
# machine: docs/deploy/nginx.conf as written, with only the certificate (a throw-away
# self-signed one), the ports and the paths of its files changed, then a few requests through
# it. Needs Debian's nginx and openssl (`apt-get install nginx-light openssl`).
#
#   scripts/nginx_drill.sh [UPSTREAM]     # default 127.0.0.1:8000, where `make demo` serves
#
# The demo must accept the documented host name and trust nginx's address: start it with
#   REGULUS_ALLOWED_HOSTS=scjg.example.gov.cn,127.0.0.1 REGULUS_TRUSTED_PROXIES=1 make demo
set -euo pipefail
cd "$(dirname "$0")/.."
upstream="${1:-127.0.0.1:8000}"
host=scjg.example.gov.cn
https_port=18443
http_port=18080
dir="$(mktemp -d /tmp/regulus-nginx.XXXXXX)"
trap '[ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null; rm -rf "$dir"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$host" \
  -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" 2>/dev/null

# The proxy settings the documented file includes, from its own comment block.
sed -n 's/^#   \(proxy_.*\)$/\1/p' docs/deploy/nginx.conf >"$dir/regulus_proxy.conf"

# The site as documented, with this drill's ports, certificate, log and upstream.
sed -e "s#/etc/ssl/regulus/#$dir/#" \
    -e "s#/etc/nginx/regulus_proxy.conf#$dir/regulus_proxy.conf#" \
    -e "s#/var/log/nginx/regulus.access.log#$dir/access.log#" \
    -e "s#listen 443 ssl#listen 127.0.0.1:$https_port ssl#" \
    -e "s#listen 80;#listen 127.0.0.1:$http_port;#" \
    -e "s#server 127.0.0.1:8000 #server $upstream #" \
    docs/deploy/nginx.conf >"$dir/site.conf"

cat >"$dir/nginx.conf" <<EOF
pid $dir/nginx.pid;
error_log $dir/error.log;
events {}
http {
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  include $dir/site.conf;
}
EOF
nginx -t -q -c "$dir/nginx.conf" -p "$dir"
nginx -c "$dir/nginx.conf" -p "$dir"

fail=0
check() {  # path, expected status
  local status id
  status=$(curl -sk -o "$dir/body.out" -D "$dir/headers.out" -w '%{http_code}' \
    --resolve "$host:$https_port:127.0.0.1" "https://$host:$https_port$1")
  id=$(sed -n 's/^[Xx]-[Rr]equest-[Ii][Dd]: *\([^\r]*\).*/\1/p' "$dir/headers.out")
  if [ "$status" = "$2" ]; then
    printf 'ok    %-28s %s  X-Request-ID %s\n' "$1" "$status" "${id:-(none)}"
  else
    printf 'FAIL  %-28s %s (expected %s)\n' "$1" "$status" "$2"
    fail=1
  fi
}
check /healthz 200
check /readyz 200
check /portal/ 200
check /login/ 200
check /static/regulus/app.js 200
check /ops/metrics 403   # the documented file lets only the operator's network read it

# Plain HTTP is sent to HTTPS.
redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
  --resolve "$host:$http_port:127.0.0.1" "http://$host:$http_port/portal/")
echo "http  /portal/ → $redirect"
case "$redirect" in 301\ https://*) ;; *) fail=1 ;; esac

# nginx's log carries the same request id as the application's answer, and no query string.
curl -sk -o /dev/null --resolve "$host:$https_port:127.0.0.1" \
  "https://$host:$https_port/portal/entities/?q=430102197001020030" || true
sleep 0.2
if grep -q '430102197001020030' "$dir/access.log"; then
  echo "FAIL  a query string reached nginx's access log"; fail=1
else
  echo "ok    nginx's access log holds no query string"
fi
exit $fail
