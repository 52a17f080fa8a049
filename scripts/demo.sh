#!/usr/bin/env bash
# `npm run demo`: start the local Kafka + schema registry unless KAFKA_BROKERS points at a cluster,
# then run the word-count example against it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KAFKA_BROKERS:-}" ]; then
  bash scripts/local-stack.sh start
  export KAFKA_BROKERS=127.0.0.1:9092
fi
if [ -d examples/word-count ]; then
  exec node --conditions=sluice-source --import tsx examples/word-count/src/demo.ts
fi
# no demo app yet: prove the stack works end to end
exec node --import tsx scripts/stack-check.ts
