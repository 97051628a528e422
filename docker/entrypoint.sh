#!/bin/sh
# One image, several roles (HYPERSTAR_ROLE): the service (scheduler + read API, Quarkus), or one of the
# command-line roles, which log through java.util.logging since Quarkus does not configure them.
set -e
cli="java -Dorg.jboss.logging.provider=jdk -Djava.util.logging.config.file=/deployments/cli-logging.properties -Dai.djl.offline=true -Djava.awt.headless=true $JAVA_OPTS_CLI -cp /deployments/app/*:/deployments/lib/main/*:/deployments/lib/boot/*"
case "${HYPERSTAR_ROLE:-service}" in
  service)     exec java -Dai.djl.offline=true -Djava.util.logging.manager=org.jboss.logmanager.LogManager $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar ;;
  worker)      exec $cli io.hyperstar.worker.WorkerMain "$@" ;;
  # Defaults first: a --model or --data-roots among the arguments comes later and wins.
  recommender) exec $cli io.hyperstar.recommend.RecommenderMain --model "${HYPERSTAR_MODEL_DIR:-/deployments/model}" \
                 --data-roots "${HYPERSTAR_DATA_ROOTS:-/data}" "$@" ;;
  # The bootstrap meta-dataset is in the image; its tasks' images are the materialised suite under /data/tasks.
  meta-learner) exec $cli io.hyperstar.metalearn.MetaLearnerMain --model "${HYPERSTAR_MODEL_DIR:-/deployments/model}" \
                 --metadataset /deployments/metadataset --data "${HYPERSTAR_BOOTSTRAP_DATA:-/data}" \
                 --models "${HYPERSTAR_MODELS_DIR:-/models}" --data-roots "${HYPERSTAR_DATA_ROOTS:-/data}" "$@" ;;
  # Operators: send dead letters back once what refused them is fixed (a selection is required; --dry-run first).
  redrive)     exec $cli io.hyperstar.client.Redrive "$@" ;;
  *) echo "unknown HYPERSTAR_ROLE ${HYPERSTAR_ROLE} (service, worker, recommender, meta-learner, redrive)" >&2; exit 2 ;;
esac
