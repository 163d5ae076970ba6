#!/usr/bin/env bash
# Debian packages the bulletin needs to render (CJK fonts, LibreOffice for DOCX -> PDF,
# Chromium for the HTML page's screenshot, poppler for PDF -> PNG). Idempotent.
set -euo pipefail
need=()
for pkg in fonts-noto-cjk libreoffice-writer-nogui chromium poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${need[*]} (run as root: apt-get install ${need[*]})" >&2
    exit 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
