#!/bin/sh
# Example notify hook for the bundled policies: records what it was asked to do.
# Replace with your own (trigger a CI job, call the model registry, page).
set -eu
mkdir -p .driftmend
printf '%s notify %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >> .driftmend/actions.log
echo "notify: $*"
