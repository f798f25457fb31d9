#!/usr/bin/env bash
# The framework test environments: agent frameworks whose `openai` requirements clash with the dev
# environment's (and with each other's) get a virtualenv each, .venv-frameworks/<name>, made from
# tests/integration/frameworks/envs/<name>.txt (the pinned framework packages) with agentotel
# installed editable from this checkout. A stamp of the pins' hash makes a second run a no-op;
# pip's own cache makes a fresh clone's run quick. Pass names to build only those.
# Without names it also makes the peer environments (.venv-peers: OpenLLMetry's and OpenInference's
# LangChain instrumentations beside agentotel, tests/integration/frameworks/peer_envs.py).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

root=.venv-frameworks
mkdir -p "$root"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for file in tests/integration/frameworks/envs/*.txt; do names+=("$(basename "$file" .txt)"); done
fi
for name in "${names[@]}"; do
  pins=tests/integration/frameworks/envs/$name.txt
  [ -f "$pins" ] || die "no pins for the framework environment '$name' ($pins)"
  env_dir=$root/$name
  key=$(hash_of "$pins" pyproject.toml scripts/framework-envs.sh)
  if [ -x "$env_dir/bin/python" ] && [ "$(cat "$env_dir/.agentotel-stamp" 2>/dev/null)" = "$key" ]; then
    note "$name: up to date"
    continue
  fi
  note "$name: installing $(grep -v '^#' "$pins" | xargs)"
  [ -x "$env_dir/bin/python" ] || python3 -m venv "$env_dir"
  "$env_dir/bin/python" -m pip install --quiet --upgrade pip
  "$env_dir/bin/python" -m pip install --progress-bar on -e . -r "$pins"
  printf '%s' "$key" > "$env_dir/.agentotel-stamp"
done
if [ $# -eq 0 ]; then
  .venv/bin/python -m tests.integration.frameworks.peer_envs
fi
