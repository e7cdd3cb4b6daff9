#!/bin/sh
# deb/rpm post-install: the command-line link and Chromium's setuid sandbox helper.
# electron-builder substitutes ${sanitizedProductName} and ${executable} when packaging.
set -e
APP_DIR='/opt/${sanitizedProductName}'

ln -sf "$APP_DIR/${executable}" '/usr/bin/${executable}'

# Kernels without unprivileged user namespaces need the setuid sandbox helper: root-owned, 4755.
if [ -f "$APP_DIR/chrome-sandbox" ]; then
  chown root:root "$APP_DIR/chrome-sandbox"
  chmod 4755 "$APP_DIR/chrome-sandbox"
fi

if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q /usr/share/applications || true
fi
