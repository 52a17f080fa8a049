#!/usr/bin/env bash
# Local Kafka (KRaft, single node, transactions on) + Apicurio Registry (Confluent-compatible API),
# without Docker: jars come from Maven Central through Maven, and run on the machine's Java 17+.
#
#   scripts/local-stack.sh start    download once (cached), start both, wait until both really serve
#   scripts/local-stack.sh stop     stop both by saved pid; nothing is left running
#   scripts/local-stack.sh status   say what runs, where, and where the logs are
#   scripts/local-stack.sh fetch    download only
#   scripts/local-stack.sh reset    stop and delete the broker's data (downloads are kept)
#
# With --secure (start|stop|status|reset --secure): a second, separate Kafka node with security on,
# beside the plain one: SASL_SSL (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER), a CA and broker certificate
# generated at start, SCRAM users created at format time, ACLs enforced by KRaft's StandardAuthorizer.
# `start --secure` prints the client settings (bootstrap, CA file, users, passwords). No registry.
#
# Settings (environment): KAFKA_VERSION (4.4.0), APICURIO_VERSION (2.6.13.Final), LOCAL_STACK_DIR
# (<repo>/.local-stack), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), SCHEMA_REGISTRY_PORT (8081),
# SCHEMA_REGISTRY_MANAGEMENT_PORT (SCHEMA_REGISTRY_PORT + 10). Secure node: KAFKA_SECURE_PORT (9094),
# KAFKA_SECURE_CONTROLLER_PORT (9095), state in $LOCAL_STACK_DIR/secure. Logs: $LOCAL_STACK_DIR/kafka.log,
# $LOCAL_STACK_DIR/apicurio.log, $LOCAL_STACK_DIR/secure/kafka.log.
set -euo pipefail

CMD="${1:-}"
SECURE=0
case "${2:-}" in
  "") ;;
  --secure) SECURE=1 ;;
  *) echo "local-stack: unknown option '${2}'; usage: $0 start|stop|status|fetch|reset [--secure]" >&2; exit 2 ;;
esac

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
# 2.6.x runs on Java 17; Apicurio 3.x is compiled for Java 21 (class file 65) and will not start on 17
APICURIO_VERSION="${APICURIO_VERSION:-2.6.13.Final}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONF="$ROOT/tools/local-stack"
BASE="${LOCAL_STACK_DIR:-$ROOT/.local-stack}"
STATE="$BASE"
KAFKA_PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
SR_PORT="${SCHEMA_REGISTRY_PORT:-8081}"
# derived, so that a second stack moved with SCHEMA_REGISTRY_PORT does not collide on this one
SR_MGMT_PORT="${SCHEMA_REGISTRY_MANAGEMENT_PORT:-$((SR_PORT + 10))}"
KAFKA_PORT_VAR=KAFKA_PORT
CONTROLLER_PORT_VAR=KAFKA_CONTROLLER_PORT
# downloads are shared by both stacks
LIBS="$BASE/kafka-$KAFKA_VERSION/libs"
SR_DIR="$BASE/apicurio-$APICURIO_VERSION"
TEMPLATE="$CONF/server.properties.tmpl"
SECURE_FLAG=""
HEAP=(-Xms256m -Xmx768m)
FORMAT_EXTRA=()
JAVA_EXTRA=()
if [ "$SECURE" = 1 ]; then
  STATE="$BASE/secure"
  KAFKA_PORT="${KAFKA_SECURE_PORT:-9094}"
  CONTROLLER_PORT="${KAFKA_SECURE_CONTROLLER_PORT:-9095}"
  KAFKA_PORT_VAR=KAFKA_SECURE_PORT
  CONTROLLER_PORT_VAR=KAFKA_SECURE_CONTROLLER_PORT
  TEMPLATE="$CONF/server-secure.properties.tmpl"
  SECURE_FLAG=" --secure"
  HEAP=(-Xms128m -Xmx512m)
fi
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
CLUSTER_ID="${KAFKA_CLUSTER_ID:-4L6g3nShT-eMCtK--X86sw}"
# a marker on each JVM's command line: stop only ever kills a process that carries it
MARK="-Dsluice.local-stack=$STATE"

die() { printf 'local-stack: %s\n' "$*" >&2; exit 1; }
say() { printf 'local-stack: %s\n' "$*"; }
now_ms() { date +%s%3N; }

need_tools() {
  command -v java >/dev/null 2>&1 || die "no 'java' on PATH. Install Java 17 or newer (e.g. apt install openjdk-17-jre-headless), or run Kafka with Docker (docker compose up -d) and set KAFKA_BROKERS=127.0.0.1:9092."
  local v
  v=$(java -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n1)
  [ -n "$v" ] && [ "$v" -ge 17 ] 2>/dev/null || die "Java 17 or newer is needed, found: $(java -version 2>&1 | head -n1). Install Java 17+ or point JAVA_HOME/PATH at it."
}
need_mvn() {
  command -v mvn >/dev/null 2>&1 || die "no 'mvn' on PATH: Maven downloads the Kafka and Apicurio jars from Maven Central. Install Maven (e.g. apt install maven), or use Docker (docker compose up -d) and set KAFKA_BROKERS."
}

# ---- download (cached: a .ok marker is written only after a complete download) ----
fetch() {
  need_tools
  if [ ! -f "$LIBS/.ok" ]; then
    need_mvn
    say "downloading Kafka $KAFKA_VERSION broker jars from Maven Central into $LIBS ..."
    rm -rf "$LIBS"; mkdir -p "$LIBS"
    # outputDirectory must be absolute: Maven resolves a relative one against the pom's folder
    if ! mvn -B -q -f "$CONF/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
        "$DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$STATE/download.log" 2>&1; then
      tail -n 30 "$STATE/download.log" >&2
      die "downloading org.apache.kafka:kafka_2.13:$KAFKA_VERSION failed (full output in $STATE/download.log). Check that Maven Central is reachable (mvn settings/proxy) or pick another version with KAFKA_VERSION=4.3.1."
    fi
    ls "$LIBS" | grep -q "^kafka_2.13-$KAFKA_VERSION.jar$" || die "download finished but kafka_2.13-$KAFKA_VERSION.jar is missing from $LIBS"
    ls "$LIBS" | grep -q '^log4j-slf4j-impl' || die "no log4j-slf4j-impl in $LIBS: the broker would log nothing and never look ready"
    touch "$LIBS/.ok"
  fi
  if [ "$SECURE" = 0 ] && [ ! -f "$SR_DIR/.ok" ]; then
    need_mvn
    say "downloading Apicurio Registry $APICURIO_VERSION from Maven Central into $SR_DIR ..."
    rm -rf "$SR_DIR"; mkdir -p "$SR_DIR"
    if ! mvn -B -q -f "$CONF/pom.xml" "$DEP_PLUGIN:copy" \
        -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" -DoutputDirectory="$SR_DIR" >"$STATE/download.log" 2>&1; then
      tail -n 30 "$STATE/download.log" >&2
      die "downloading io.apicurio:apicurio-registry-app:$APICURIO_VERSION (tar.gz, classifier all) failed (full output in $STATE/download.log). Check that Maven Central is reachable or set APICURIO_VERSION=3.3.2."
    fi
    tar -xzf "$SR_DIR"/apicurio-registry-app-*-all.tar.gz -C "$SR_DIR" || die "could not unpack the Apicurio tarball in $SR_DIR (disk full?)"
    rm -f "$SR_DIR"/apicurio-registry-app-*-all.tar.gz
    [ -n "$(registry_jar)" ] || die "no runnable jar (quarkus-run.jar or *-runner.jar) inside the Apicurio $APICURIO_VERSION tarball"
    touch "$SR_DIR/.ok"
  fi
}

# 2.x tarballs hold <name>-runner.jar at the top; 3.x hold a Quarkus fast-jar (quarkus-run.jar)
registry_jar() { find "$SR_DIR" \( -name quarkus-run.jar -o -name 'apicurio-registry-app-*-runner.jar' \) -print -quit; }

# ---- processes ----
pid_of() { # name -> pid of our live process, or nothing
  local f="$STATE/$1.pid" p
  [ -f "$f" ] || return 0
  p=$(cat "$f")
  if [ -n "$p" ] && [ -r "/proc/$p/cmdline" ] && tr '\0' '\n' <"/proc/$p/cmdline" | grep -qxF -- "$MARK"; then
    echo "$p"
  fi
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_owner() {
  if command -v ss >/dev/null 2>&1; then ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\))).*/\1/p' | head -n1; fi
}
check_port_free() { # port what variable [how the default was derived]
  if port_open "$1"; then
    local who; who=$(port_owner "$1")
    die "port $1 ($2${4:+, $4}) is already taken by another process${who:+ ($who)}. Stop it, or move ours with $3=<free port>; if it is a Kafka/registry you want to use, set KAFKA_BROKERS / SCHEMA_REGISTRY_URL instead of starting the local stack. A second stack needs all of KAFKA_PORT, KAFKA_CONTROLLER_PORT, SCHEMA_REGISTRY_PORT (SCHEMA_REGISTRY_MANAGEMENT_PORT follows it) and its own LOCAL_STACK_DIR."
  fi
}
# every port this start needs, checked before anything is downloaded or started
check_ports() {
  if [ -z "$(pid_of kafka)" ]; then
    check_port_free "$KAFKA_PORT" "Kafka listener" "$KAFKA_PORT_VAR"
    check_port_free "$CONTROLLER_PORT" "Kafka controller" "$CONTROLLER_PORT_VAR"
  fi
  if [ "$SECURE" = 0 ] && [ -z "$(pid_of apicurio)" ]; then
    check_port_free "$SR_PORT" "schema registry" SCHEMA_REGISTRY_PORT
    local how=""
    [ -n "${SCHEMA_REGISTRY_MANAGEMENT_PORT:-}" ] || how="SCHEMA_REGISTRY_PORT + 10 by default"
    check_port_free "$SR_MGMT_PORT" "schema registry management" SCHEMA_REGISTRY_MANAGEMENT_PORT "$how"
  fi
}
log_tail() { say "last lines of $1:"; tail -n "${2:-40}" "$1" | sed 's/^/    /' >&2; }

wait_until() { # name seconds command...  (polls every 250 ms; fails fast if the process dies)
  local name=$1 secs=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  while :; do
    if "$@"; then return 0; fi
    if [ -z "$(pid_of "$name")" ]; then
      log_tail "$STATE/$name.log" 60
      die "$name died during start-up (log above, full log: $STATE/$name.log)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log_tail "$STATE/$name.log" 60
      die "$name was not ready after ${secs}s (log above, full log: $STATE/$name.log)"
    fi
    sleep 0.25
  done
}
kafka_ready() { grep -q "Kafka Server started" "$STATE/kafka.log" 2>/dev/null && port_open "$KAFKA_PORT"; }
registry_ready() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$SR_PORT/apis/ccompat/v7/subjects" 2>/dev/null
  else
    node -e "fetch('http://127.0.0.1:$SR_PORT/apis/ccompat/v7/subjects').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
  fi
}

start_kafka() {
  if [ -n "$(pid_of kafka)" ]; then say "kafka already running (pid $(pid_of kafka)) on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  if [ "$SECURE" = 1 ]; then
    secure_prepare
  else
    sed -e "s#\${STATE}#$STATE#g" -e "s#\${KAFKA_PORT}#$KAFKA_PORT#g" -e "s#\${CONTROLLER_PORT}#$CONTROLLER_PORT#g" \
      "$TEMPLATE" >"$STATE/server.properties"
  fi
  local jopts=("${HEAP[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$CONF/log4j2.properties" "$MARK" ${JAVA_EXTRA[@]+"${JAVA_EXTRA[@]}"})
  # static quorum (controller.quorum.voters): format without --standalone; keeps existing data
  if ! java "${jopts[@]}" -cp "$LIBS/*" kafka.tools.StorageTool format --cluster-id "$CLUSTER_ID" \
      --config "$STATE/server.properties" --ignore-formatted ${FORMAT_EXTRA[@]+"${FORMAT_EXTRA[@]}"} >"$STATE/kafka-format.log" 2>&1; then
    log_tail "$STATE/kafka-format.log" 30
    die "formatting the Kafka storage in $STATE/kafka-data failed (log above). If the data is from another cluster id, run: $0 reset$SECURE_FLAG"
  fi
  : >"$STATE/kafka.log"
  nohup java "${jopts[@]}" -cp "$LIBS/*" kafka.Kafka "$STATE/server.properties" >>"$STATE/kafka.log" 2>&1 </dev/null 9>&- &
  echo $! >"$STATE/kafka.pid"
}
start_registry() {
  if [ -n "$(pid_of apicurio)" ]; then say "schema registry already running (pid $(pid_of apicurio)) on 127.0.0.1:$SR_PORT"; return 0; fi
  local jar; jar=$(registry_jar)
  : >"$STATE/apicurio.log"
  nohup java -Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "$MARK" \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$SR_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$SR_MGMT_PORT" \
    -Dquarkus.http.access-log.enabled=false \
    -Dregistry.rules.global.compatibility=BACKWARD -Dapicurio.rules.global.compatibility=BACKWARD \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -jar "$jar" >>"$STATE/apicurio.log" 2>&1 </dev/null 9>&- &
  echo $! >"$STATE/apicurio.pid"
}

lock_base() { # one lock for both stacks: they share the downloads
  mkdir -p "$BASE" "$STATE"
  exec 9>"$BASE/.lock"
  flock -w 300 9 || die "another local-stack command holds $BASE/.lock for over 5 minutes"
}

start() {
  lock_base
  check_ports
  local t0; t0=$(now_ms)
  local fetched=warm
  { [ -f "$LIBS/.ok" ] && { [ "$SECURE" = 1 ] || [ -f "$SR_DIR/.ok" ]; }; } || fetched=cold
  fetch
  local t1; t1=$(now_ms)
  start_kafka
  [ "$SECURE" = 1 ] || start_registry
  wait_until kafka 120 kafka_ready
  [ "$SECURE" = 1 ] || wait_until apicurio 120 registry_ready
  local t2; t2=$(now_ms)
  say "ready ($fetched start: downloads $(( (t1 - t0) ))ms, start-up $(( (t2 - t1) ))ms, total $(( (t2 - t0) ))ms)"
  if [ "$SECURE" = 1 ]; then
    secure_print
  else
    say "Kafka 127.0.0.1:$KAFKA_PORT  schema registry http://127.0.0.1:$SR_PORT/apis/ccompat/v7  logs $STATE/{kafka,apicurio}.log"
  fi
}

stop_one() { # name
  local p; p=$(pid_of "$1")
  if [ -z "$p" ]; then rm -f "$STATE/$1.pid"; return 0; fi
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 120); do [ -d "/proc/$p" ] || break; sleep 0.25; done
  if [ -d "/proc/$p" ]; then say "$1 (pid $p) ignored SIGTERM for 30s; killing it"; kill -KILL "$p" 2>/dev/null || true; fi
  for _ in $(seq 1 40); do [ -d "/proc/$p" ] || break; sleep 0.25; done
  rm -f "$STATE/$1.pid"
  say "stopped $1 (pid $p)"
}
stop() {
  lock_base
  [ "$SECURE" = 1 ] || stop_one apicurio
  stop_one kafka
}

status() {
  local k r rc=0; k=$(pid_of kafka); r=$(pid_of apicurio)
  if [ "$SECURE" = 1 ]; then
    if [ -n "$k" ]; then say "secure kafka: running, pid $k, SASL_SSL 127.0.0.1:$KAFKA_PORT, client settings $STATE/client.json, log $STATE/kafka.log"; return 0; fi
    say "secure kafka: stopped"; return 3
  fi
  if [ -n "$k" ]; then say "kafka: running, pid $k, 127.0.0.1:$KAFKA_PORT, log $STATE/kafka.log"; else say "kafka: stopped"; rc=3; fi
  if [ -n "$r" ]; then say "schema registry: running, pid $r, http://127.0.0.1:$SR_PORT/apis/ccompat/v7, log $STATE/apicurio.log"; else say "schema registry: stopped"; rc=3; fi
  return $rc
}

# shellcheck source=../tools/local-stack/secure.sh
[ "$SECURE" = 0 ] || . "$CONF/secure.sh"

case "$CMD" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  fetch) mkdir -p "$BASE"; fetch ;;
  reset)
    stop
    rm -rf "$STATE/kafka-data"
    # the secure stack's users exist only in its data: their passwords go with it
    [ "$SECURE" = 0 ] || rm -f "$STATE/credentials.env"
    say "deleted $STATE/kafka-data" ;;
  *) echo "usage: $0 start|stop|status|fetch|reset [--secure]" >&2; exit 2 ;;
esac
