#!/usr/bin/env bash
# `npm run demo:fleet`: start the local Kafka unless KAFKA_BROKERS points at a cluster, then run three
# interactive-queries workers, query them over HTTP, kill one, and query again (scripts/demo-fleet.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KAFKA_BROKERS:-}" ]; then
  bash scripts/local-stack.sh start
  export KAFKA_BROKERS=127.0.0.1:9092
fi
exec node --conditions=sluice-source --import tsx scripts/demo-fleet.ts
