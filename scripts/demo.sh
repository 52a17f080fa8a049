#!/usr/bin/env bash
# `npm run demo`: start the local Kafka + schema registry unless KAFKA_BROKERS points at a cluster,
# then run the word-count demo against it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KAFKA_BROKERS:-}" ]; then
  bash scripts/local-stack.sh start
  export KAFKA_BROKERS=127.0.0.1:9092
fi
exec node --conditions=sluice-source --import tsx scripts/demo.ts
