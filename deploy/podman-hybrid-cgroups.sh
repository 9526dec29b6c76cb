#!/usr/bin/env bash
# Make Podman usable on hosts with "hybrid" cgroups: cgroup v1 hierarchies plus controllers
# enabled on the v2 (unified) one, as some CI kernels have. Debian bookworm's crun (1.8) refuses
# every container there ("cgroups in hybrid mode not supported, drop all controllers from
# cgroupv2"); runc runs them. Installs runc and makes it Podman's runtime. Elsewhere: nothing.
#
# Run (as root) before ../shared/containers/prepare, whose base-image builds already start
# containers; .ci/run does. Idempotent.
set -euo pipefail

controllers=$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || true)
[ -n "$controllers" ] || exit 0

if ! command -v runc >/dev/null; then
  echo "podman-hybrid-cgroups: installing runc (hybrid cgroups: $controllers on v2)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends runc >/dev/null
fi

conf=/etc/containers/containers.conf
mkdir -p /etc/containers
if ! grep -qs '^[[:space:]]*runtime[[:space:]]*=' "$conf"; then
  if grep -qs '^\[engine\]' "$conf"; then
    sed -i '/^\[engine\]/a runtime = "runc"' "$conf"
  else
    printf '[engine]\nruntime = "runc"\n' >>"$conf"
  fi
  echo "podman-hybrid-cgroups: runtime = \"runc\" in $conf" >&2
  # A Podman API service started before reads the runtime only at start.
  if [ -x ../shared/containers/prepare ] || [ -f ../shared/containers/prepare ]; then
    bash ../shared/containers/prepare --stop >/dev/null 2>&1 || true
  fi
fi
