#!/usr/bin/env bash
# A real single-node Kafka 4.1.2 broker (KRaft, broker+controller) on 127.0.0.1, from Maven Central jars.
#
#   kafka.sh start [--port 9092] [--controller-port 9093] [--dir target/local-kafka] [--sasl-ssl [--acl]]   start, wait until ready
#   kafka.sh stop  [--dir target/local-kafka]                                          stop cleanly
#   kafka.sh status [--dir ...]
#   kafka.sh classpath                                    resolve the broker's classpath into target/kafka.classpath
#
# Nothing needs Docker: Maven resolves the broker's jars (src/local-kafka/pom.xml) and it runs in its own JVM.
# --sasl-ssl: a secured broker like most production clusters: clients must connect with TLS (a self-signed certificate
# for 127.0.0.1) and authenticate with SCRAM-SHA-512 as user "hyperstar"; the settings every HyperSTAR role needs are
# written to <dir>/client.properties (HYPERSTAR_KAFKA_CONFIG=<dir>/client.properties), fresh passwords at each start.
# Users for each role too (service, worker, recommender, meta-learner, platform, operator; admin, a super user), each
# with <dir>/client-<user>.properties (and client-<user>.librdkafka.properties for librdkafka clients). --acl: the broker also authorizes every request (StandardAuthorizer) and denies
# what no ACL allows; grant each role's with io.hyperstar.ops.Acls as admin.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cp_file="$root/target/kafka.classpath"
cmd="${1:-}"; shift || true
port=9092; cport=9093; dir="$root/target/local-kafka"; secure=0; acl=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2;;
    --controller-port) cport="$2"; shift 2;;
    --dir) dir="$2"; shift 2;;
    --sasl-ssl) secure=1; shift;;
    --acl) acl=1; shift;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done

classpath() {
  if [ ! -s "$cp_file" ] || [ "$here/pom.xml" -nt "$cp_file" ]; then
    mkdir -p "$(dirname "$cp_file")"
    mvn -B -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
  fi
}

running() { [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; }

secret() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'; }

# TLS material, SCRAM passwords, the broker's secured listener, and the clients' settings file.
secure_setup() {
  local tls="$dir/tls"; rm -rf "$tls"; mkdir -p "$tls"
  local store_pw u; store_pw="$(secret)"
  # Every user and its password; admin (a super user with --acl) is also the broker's own inter-broker user.
  declare -gA user_pws=()
  for u in admin hyperstar service worker recommender meta-learner platform operator; do user_pws[$u]="$(secret)"; done
  keytool -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 30 -dname CN=127.0.0.1 \
    -ext SAN=ip:127.0.0.1,dns:localhost -keystore "$tls/broker.p12" -storetype PKCS12 \
    -storepass "$store_pw" -keypass "$store_pw" > "$tls/keytool.log" 2>&1
  keytool -exportcert -alias broker -keystore "$tls/broker.p12" -storepass "$store_pw" -rfc -file "$tls/broker.pem" >> "$tls/keytool.log" 2>&1
  keytool -importcert -noprompt -alias broker -file "$tls/broker.pem" -keystore "$tls/truststore.p12" \
    -storetype PKCS12 -storepass "$store_pw" >> "$tls/keytool.log" 2>&1
  sed -i -e "s|^listeners=.*|listeners=SASL_SSL://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport|" \
    -e "s|^advertised.listeners=.*|advertised.listeners=SASL_SSL://127.0.0.1:$port|" \
    -e "s|^inter.broker.listener.name=.*|inter.broker.listener.name=SASL_SSL|" \
    -e "s|^listener.security.protocol.map=.*|listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT|" "$dir/server.properties"
  # PLAIN (over TLS) as well, with the same users and passwords, for librdkafka clients: librdkafka before 2.6.1, which
  # is what Debian 12 ships (2.0.2), cannot authenticate with SCRAM against Kafka 4 (librdkafka pull request #4895).
  local plain_users=""
  for u in "${!user_pws[@]}"; do plain_users+=" user_$u=\"${user_pws[$u]}\""; done
  cat >> "$dir/server.properties" <<PROPS
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${user_pws[admin]}";
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$plain_users;
ssl.keystore.location=$tls/broker.p12
ssl.keystore.type=PKCS12
ssl.keystore.password=$store_pw
ssl.key.password=$store_pw
ssl.truststore.location=$tls/truststore.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=$store_pw
PROPS
  if [ "$acl" = 1 ]; then
    # The controller listener is plain text inside this one process, so its principal (ANONYMOUS) must be a super user.
    cat >> "$dir/server.properties" <<PROPS
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
PROPS
  fi
  for u in "${!user_pws[@]}"; do
    local pw="${user_pws[$u]}" file="$dir/client-$u.properties"
    [ "$u" = hyperstar ] && file="$dir/client.properties"
    cat > "$file" <<PROPS
# Written by kafka.sh start --sasl-ssl: how a HyperSTAR role connects to this broker as $u (HYPERSTAR_KAFKA_CONFIG).
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$u" password="$pw";
ssl.truststore.location=$tls/truststore.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=$store_pw
PROPS
    # The same for librdkafka (Python's confluent-kafka, Go, C#...), which takes a PEM certificate instead of a truststore,
    # with PLAIN over TLS (see above).
    cat > "${file%.properties}.librdkafka.properties" <<PROPS
security.protocol=SASL_SSL
sasl.mechanisms=PLAIN
sasl.username=$u
sasl.password=$pw
ssl.ca.location=$tls/broker.pem
PROPS
    chmod 600 "$file" "${file%.properties}.librdkafka.properties"
  done
  chmod 600 "$dir/server.properties"
}

start() {
  classpath
  if running; then echo "Kafka already running (pid $(cat "$dir/pid")) on 127.0.0.1:$(cat "$dir/port")"; return 0; fi
  mkdir -p "$dir"
  rm -rf "$dir/logs"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat > "$dir/log4j2.properties" <<'LOG'
rootLogger.level=WARN
rootLogger.appenderRef.out.ref=out
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
logger.server.name=kafka.server.KafkaRaftServer
logger.server.level=INFO
LOG
  local cp; cp="$(cat "$cp_file")"
  local jvm=(java -Xms128m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true "-Dlog4j2.configurationFile=$dir/log4j2.properties" -cp "$cp")
  local id; id="$("${jvm[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  local scram=()
  if [ "$acl" = 1 ] && [ "$secure" = 0 ]; then echo "--acl needs --sasl-ssl (principals come from SCRAM)" >&2; exit 2; fi
  if [ "$secure" = 1 ]; then
    secure_setup
    for u in "${!user_pws[@]}"; do scram+=(--add-scram "SCRAM-SHA-512=[name=$u,password=${user_pws[$u]}]"); done
  fi
  "${jvm[@]}" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" "${scram[@]}" > "$dir/format.log" 2>&1
  nohup "${jvm[@]}" kafka.Kafka "$dir/server.properties" > "$dir/kafka.log" 2>&1 &
  echo $! > "$dir/pid"; echo "$port" > "$dir/port"
  for _ in $(seq 1 240); do
    if grep -q "Kafka Server started" "$dir/kafka.log" 2>/dev/null; then
      echo "Kafka 4.1.2 ready on 127.0.0.1:$port (pid $(cat "$dir/pid"), data in $dir)"
      if [ "$secure" = 1 ]; then echo "SASL_SSL only: connect with HYPERSTAR_KAFKA_CONFIG=$dir/client.properties (or client-<role>.properties)"; fi
      if [ "$acl" = 1 ]; then echo "ACLs enforced: grant each role's as admin (HYPERSTAR_KAFKA_CONFIG=$dir/client-admin.properties io.hyperstar.ops.Acls --apply)"; fi
      return 0
    fi
    if ! running; then echo "Kafka exited during start-up; see $dir/kafka.log:" >&2; tail -n 30 "$dir/kafka.log" >&2; exit 1; fi
    sleep 0.25
  done
  echo "Kafka did not become ready in 60 s; see $dir/kafka.log" >&2; exit 1
}

stop() {
  if ! running; then echo "Kafka is not running"; return 0; fi
  local pid; pid="$(cat "$dir/pid")"
  kill "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || { rm -f "$dir/pid"; echo "Kafka stopped"; return 0; }; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true; rm -f "$dir/pid"; echo "Kafka killed after 30 s"
}

case "$cmd" in
  start) start;;
  stop) stop;;
  status) if running; then echo "running (pid $(cat "$dir/pid")) on 127.0.0.1:$(cat "$dir/port")"; else echo "not running"; exit 1; fi;;
  classpath) classpath;;
  *) sed -n '2,10p' "$0"; exit 2;;
esac
