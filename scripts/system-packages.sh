#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when missing: Chromium (browser tests),
# Node.js with npm (interoperability tests against the digitalbazaar JavaScript stack) and
# Noto CJK (PDF certificates print Chinese, Japanese and Korean names with it).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: the tests need ${missing[*]}; install them (Debian: apt-get install ${missing[*]})" >&2
    exit 1
  fi
}
echo "installing ${missing[*]} from Debian's packages..." >&2
as_root apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >&2
