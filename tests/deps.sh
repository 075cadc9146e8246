#!/usr/bin/env bash
# deps.sh: install the Debian 12 packages caselog needs to build, test and run its demo,
# but only those missing (apt-get runs only when something is). Needs root for installs.
set -euo pipefail
packages=(
    build-essential cmake pkg-config clang libclang-rt-14-dev
    libetpan-dev libgmime-3.0-dev libpq-dev libconfig-dev libcmocka-dev libjson-glib-dev
    libgnutls28-dev libsystemd-dev
    postgresql postgresql-client dovecot-imapd dovecot-core python3 python3-aiosmtpd openssl
    tzdata ca-certificates libsasl2-modules
    groff-base man-db systemd dpkg-dev debhelper fakeroot
    libxml2-dev libmicrohttpd-dev chromium chromium-driver python3-selenium wrk lintian
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps.sh: installing ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
# Several test runs on one machine may install at once: wait for dpkg's lock.
lock=(-o DPkg::Lock::Timeout=600)
$sudo apt-get "${lock[@]}" update -qq
# The packages' own services must not start: the tests run private servers.
DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $sudo apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
