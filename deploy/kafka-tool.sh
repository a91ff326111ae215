#!/usr/bin/env bash
# Kafka's operator tools from the same jars as the brokers, pointed at this installation's cluster.
#
#   deploy/kafka-tool.sh topics --describe                      # partitions, leaders, replicas, in-sync replicas
#   deploy/kafka-tool.sh consumer-groups --describe --all-groups  # each group's lag per partition
#   deploy/kafka-tool.sh reassign --generate --topics-to-move-json-file t.json --broker-list 1,2,3
#   deploy/kafka-tool.sh <fully.qualified.ToolClass> …          # any other tool class in the jars
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$(realpath -m "${LIANRONG_STATE:-$ROOT/.state}")
VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/deploy/kafka/pom.xml")
LIBS=$STATE/kafka/libs-$VERSION
# An older download has the broker but not the tools: copying the dependencies again adds what is missing.
[ -f "$LIBS/kafka-tools-$VERSION.jar" ] || mvn -q -B -f "$ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
# shellcheck disable=SC1091
[ -f "$STATE/env.sh" ] && source "$STATE/env.sh"
BOOTSTRAP=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:29092}
tool=${1:?"usage: $0 topics|consumer-groups|reassign|<ToolClass> [args]"}; shift
case "$tool" in
  topics) class=org.apache.kafka.tools.TopicCommand ;;
  consumer-groups) class=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  reassign) class=org.apache.kafka.tools.reassign.ReassignPartitionsCommand ;;
  *) class=$tool ;;
esac
exec java -Xmx256m -Dlog4j.configuration="file:$ROOT/deploy/kafka/log4j.properties" -cp "$LIBS/*" "$class" \
  --bootstrap-server "$BOOTSTRAP" "$@"
