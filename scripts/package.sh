#!/usr/bin/env bash
# `make package`: build the one-folder app for this platform (dist/NemoDesk), then run the
# FROZEN app's self-test in a fresh environment (no venv on PATH, an empty HOME) — it
# generates and exports through the bundled engine, so it proves the bundle carries the
# SoundFont, PyAV and the Qt plugins. Fails when the self-test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

$PY scripts/make_icons.py
$PY packaging/windows/build_installer.py  # the Windows version resource (harmless elsewhere)
.venv/bin/pyinstaller --noconfirm --log-level WARN build.spec

case "$(uname -s)" in
  Darwin) app=dist/NemoDesk.app/Contents/MacOS/NemoDesk ;;
  MINGW*|MSYS*|CYGWIN*) app=dist/NemoDesk/NemoDesk.exe ;;
  *) app=dist/NemoDesk/NemoDesk ;;
esac
echo "package: $(du -sh dist/NemoDesk | cut -f1) in dist/NemoDesk"

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
echo "package: running the frozen self-test (HOME=$home, no venv)"
result=$(env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
  "$app" --self-test 2>"$home/selftest.err" | tail -n 1) || true
echo "$result"
if ! grep -q '"ok": true' <<<"$result"; then
  echo "package: the frozen self-test FAILED" >&2
  tail -n 30 "$home/selftest.err" >&2
  exit 1
fi

if [ "$(uname -s)" = "Linux" ]; then
  $PY packaging/linux/build_tarball.py --tarball
  echo "package: installer $(du -sh dist/NemoDesk-*-Linux-*.tar.xz | cut -f1 | tr '\n' ' ')(goals: app ≤ 250 MB, installer ≤ 120 MB)"
fi
echo "package: OK"
