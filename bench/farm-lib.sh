# shellcheck shell=bash
# Shell functions shared by bench/longlived.sh and bench/soak.sh (sourced, not run). They expect
# $WORK (the script's scratch directory, holding its *.log files) and $BUILD (non-empty: build).

# build_jars: the farmgate CLI jar and the bench jar, with the reactor (never `mvn install`).
build_jars() {
  if [ -n "$BUILD" ]; then
    echo "building the farmgate and bench jars ..." >&2
    mvn -B -q -o package -pl cli,bench -am -DskipTests >"$WORK/build.log" 2>&1 \
      || mvn -B -q package -pl cli,bench -am -DskipTests >&2
  fi
}

# port_taken PORT: whether something already listens on 127.0.0.1:PORT (TCP).
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_http URL CODE WHAT: waits up to 30 s for URL to answer CODE; else shows the logs and exits.
wait_http() {
  for _ in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.2
  done
  echo "$3 did not answer $2 on $1 within 30 s; logs in $WORK:" >&2
  tail -n 20 "$WORK"/*.log >&2 || true
  exit 1
}
