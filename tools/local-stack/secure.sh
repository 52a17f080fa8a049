# Sourced by scripts/local-stack.sh for `--secure`: prepares a SASL_SSL broker's files in $STATE
# (the secure stack's own state dir) before it starts, and prints the client settings after.
#   credentials.env  admin + app user passwords, made once with the data dir (SCRAM users are written
#                    into the cluster metadata at format time, so they must outlive restarts)
#   tls/             a CA and a broker certificate (SAN 127.0.0.1, localhost), new at every start
#   oauth/           an RSA key that signs OAUTHBEARER JWTs, and its JWKS (what the broker trusts)
#   server.properties, admin.properties (for kafka-acls.sh --command-config), client.json (for tests)
# Everything here is mode 600/700: it holds passwords and private keys.

APP_USER="${SECURE_APP_USER:-sluice}"
OAUTH_ISSUER="sluice-local-stack"
OAUTH_AUDIENCE="sluice-local"
OAUTH_KID="sluice-local-1"

need_openssl() {
  command -v openssl >/dev/null 2>&1 || die "no 'openssl' on PATH: the secure stack generates its CA, broker certificate and JWT signing key with it (apt install openssl)."
}

secure_credentials() {
  local f="$STATE/credentials.env"
  if [ ! -f "$f" ]; then
    if [ -d "$STATE/kafka-data" ]; then
      die "$STATE/kafka-data exists but $f (the SCRAM users' passwords) is gone, so nobody could log in. Start over with: $0 reset --secure"
    fi
    umask 077
    printf 'ADMIN_PASSWORD=%s\nAPP_PASSWORD=%s\n' "$(openssl rand -hex 16)" "$(openssl rand -hex 16)" >"$f"
  fi
  # shellcheck disable=SC1090
  . "$f"
  [ -n "${ADMIN_PASSWORD:-}" ] && [ -n "${APP_PASSWORD:-}" ] || die "$f is incomplete; start over with: $0 reset --secure"
}

secure_tls() {
  local d="$STATE/tls" log="$STATE/tls.log"
  rm -rf "$d"; mkdir -p "$d"
  {
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=Sluice local-stack CA" \
      -keyout "$d/ca.key" -out "$d/ca.pem" &&
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" -keyout "$d/broker.key" -out "$d/broker.csr" &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$d/broker.ext" &&
    openssl x509 -req -sha256 -days 30 -in "$d/broker.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
      -extfile "$d/broker.ext" -out "$d/broker.crt"
  } >"$log" 2>&1 || { log_tail "$log" 20; die "generating the CA and broker certificate with openssl failed (log above)"; }
  # Kafka's PEM keystore: the PKCS#8 key, then the certificate chain
  cat "$d/broker.key" "$d/broker.crt" "$d/ca.pem" >"$d/broker-keystore.pem"
  rm -f "$d/broker.csr" "$d/broker.ext" "$d/ca.srl" "$d/ca.key"
}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

secure_oauth() {
  local d="$STATE/oauth" hex n
  rm -rf "$d"; mkdir -p "$d"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/signing-key.pem" 2>"$STATE/tls.log" ||
    { log_tail "$STATE/tls.log" 20; die "generating the OAUTHBEARER signing key with openssl failed"; }
  hex=$(openssl rsa -in "$d/signing-key.pem" -noout -modulus 2>/dev/null | cut -d= -f2)
  [ -n "$hex" ] || die "could not read the modulus of $d/signing-key.pem"
  n=$(printf '%b' "$(printf '%s' "$hex" | sed 's/../\\x&/g')" | b64url)
  printf '{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"%s","n":"%s","e":"AQAB"}]}\n' "$OAUTH_KID" "$n" >"$d/jwks.json"
}

secure_files() {
  sed -e "s#\${STATE}#$STATE#g" -e "s#\${KAFKA_PORT}#$KAFKA_PORT#g" -e "s#\${CONTROLLER_PORT}#$CONTROLLER_PORT#g" \
    -e "s#\${ADMIN_PASSWORD}#$ADMIN_PASSWORD#g" -e "s#\${APP_USER}#$APP_USER#g" -e "s#\${APP_PASSWORD}#$APP_PASSWORD#g" \
    -e "s#\${OAUTH_ISSUER}#$OAUTH_ISSUER#g" -e "s#\${OAUTH_AUDIENCE}#$OAUTH_AUDIENCE#g" \
    "$CONF/server-secure.properties.tmpl" >"$STATE/server.properties"
  cat >"$STATE/admin.properties" <<EOF
# kafka-acls.sh / kafka-topics.sh --command-config for the secure local stack (super user)
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$ADMIN_PASSWORD";
ssl.truststore.type=PEM
ssl.truststore.location=$STATE/tls/ca.pem
EOF
  cat >"$STATE/client.json" <<EOF
{
  "bootstrapServers": "127.0.0.1:$KAFKA_PORT",
  "caFile": "$STATE/tls/ca.pem",
  "admin": { "username": "admin", "password": "$ADMIN_PASSWORD", "mechanisms": ["plain", "scram-sha-512"] },
  "user": { "username": "$APP_USER", "password": "$APP_PASSWORD", "mechanisms": ["plain", "scram-sha-256", "scram-sha-512"] },
  "oauth": { "signingKeyFile": "$STATE/oauth/signing-key.pem", "kid": "$OAUTH_KID", "issuer": "$OAUTH_ISSUER", "audience": "$OAUTH_AUDIENCE" },
  "adminProperties": "$STATE/admin.properties"
}
EOF
}

# Run before the broker starts: everything it reads, plus the SCRAM users for `format`.
secure_prepare() {
  need_openssl
  umask 077
  chmod 700 "$STATE"
  secure_credentials
  secure_tls
  secure_oauth
  secure_files
  FORMAT_EXTRA=(--add-scram "SCRAM-SHA-512=[name=admin,password=$ADMIN_PASSWORD]"
    --add-scram "SCRAM-SHA-256=[name=$APP_USER,password=$APP_PASSWORD]"
    --add-scram "SCRAM-SHA-512=[name=$APP_USER,password=$APP_PASSWORD]")
  JAVA_EXTRA=("-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=file://$STATE/oauth/jwks.json")
}

secure_print() {
  # shellcheck disable=SC1090
  . "$STATE/credentials.env"
  cat <<EOF
local-stack: secure Kafka (SASL_SSL, ACLs enforced) on 127.0.0.1:$KAFKA_PORT; client settings:
    bootstrap servers  127.0.0.1:$KAFKA_PORT
    TLS CA (PEM)       $STATE/tls/ca.pem
    SASL user          $APP_USER / $APP_PASSWORD   (mechanisms PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; no ACLs yet)
    SASL super user    admin / $ADMIN_PASSWORD   (PLAIN, SCRAM-SHA-512)
    OAUTHBEARER        RS256 JWTs signed with $STATE/oauth/signing-key.pem (kid $OAUTH_KID, iss $OAUTH_ISSUER, aud $OAUTH_AUDIENCE; sub = principal)
    kafka-acls.sh      --bootstrap-server 127.0.0.1:$KAFKA_PORT --command-config $STATE/admin.properties
    all of it as JSON  $STATE/client.json
  Sluice: new KafkaStreams(topology, { applicationId, bootstrapServers: '127.0.0.1:$KAFKA_PORT',
    ssl: { ca: [fs.readFileSync('$STATE/tls/ca.pem', 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: '$APP_USER', password: '$APP_PASSWORD' } })
  ACLs the app needs: npm run acls -- <module exporting topology and config>
EOF
}
