#!/usr/bin/env bash
# Headless Chromium and its driver for tests/test_browser.py, from Debian's packages
# (chromium, chromium-driver). Does nothing when both are on PATH already; installs them when
# run as root; otherwise says what to install and fails, so the test run does not start red.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  exit 0
fi
echo "tests/install-browser.sh: the browser tests need Debian's chromium and chromium-driver." >&2
echo "Install them (sudo apt-get install chromium chromium-driver) and run again." >&2
exit 1
