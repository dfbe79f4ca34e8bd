# Shared by the bench/ scripts: paths, the release build and a temporary work folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
shared="${TTPC_SHARED:-$(cd .. && pwd)/shared}"
shared="$(cd "$shared" && pwd)"
bundle="$shared/attack/enterprise-attack-18.1.json"
command -v hyperfine > /dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release --locked --quiet
bin="$PWD/target/release/ttpc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TTPC_CACHE="$work/cache"

# The financial-services model with all of SigmaHQ as its only rule source (and no emulation
# results, which the Python reference knows nothing of).
financial_sigmahq() {
  sed -e "/^rules:/d" -e "/^  - {kind: .*examples\/rules/d" -e "s|^outputs:.*|outputs: {dir: $work/out}|" \
      -e "/^validation:/,/^  max_age_days/d" \
      -e "s|\.\./examples|$PWD/examples|g" models/financial-services.yaml > "$1"
  printf 'rules:\n  - {kind: sigma, path: "%s", name: SigmaHQ}\n' "$shared/corpora/sigmahq" >> "$1"
}
