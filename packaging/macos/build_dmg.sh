#!/usr/bin/env bash
# Pack dist/NemoDesk.app into dist/NemoDesk-<version>-macOS.dmg: a compressed (UDZO) disk
# image holding the app and an /Applications link to drag it onto. Run after PyInstaller
# (and after `sign_and_notarize.sh app`, so the signed app is what goes into the image).
# The version comes from the package, like everything else the installers carry.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON="${PYTHON:-python}"
[ -x .venv/bin/python ] && [ "$PYTHON" = python ] && PYTHON=.venv/bin/python
APP=dist/NemoDesk.app
VERSION="$("$PYTHON" -c 'import nemodesk; print(nemodesk.__version__)')"
DMG="dist/NemoDesk-${VERSION}-macOS.dmg"

if [ ! -d "$APP" ]; then
  echo "build_dmg: $APP is missing; run \`pyinstaller --noconfirm build.spec\` first" >&2
  exit 1
fi

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
ditto "$APP" "$staging/NemoDesk.app"   # ditto keeps symlinks, modes and signatures intact
ln -s /Applications "$staging/Applications"

rm -f "$DMG"
hdiutil create -volname "NemoDesk ${VERSION}" -srcfolder "$staging" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 -ov "$DMG"
echo "build_dmg: wrote $DMG"
