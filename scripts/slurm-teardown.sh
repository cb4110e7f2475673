#!/usr/bin/env bash
# Stops the one-machine test cluster of scripts/slurm-setup.sh: cancels the jobs still on it (the
# cluster is private to the tests), then stops slurmd, slurmctld and munged by the pids their pid files
# hold, SIGKILL after a grace period. Leaves the packages and the configuration in place, so a later
# setup starts quickly. A no-op for a daemon that is not running.
set -euo pipefail

state="${MAGI_SLURM_STATE:-/var/tmp/magi-slurm}"
grace=10

say() {
    echo "slurm-teardown: $*"
}

if [ "$(id -u)" != 0 ]; then
    exec sudo env MAGI_SLURM_STATE="$state" "$0" "$@"
fi

stop() {
    local name="$1" pid_file="$2"
    if [ ! -s "$pid_file" ]; then
        say "$name: no pid file at $pid_file"
        return
    fi
    local pid
    pid="$(cat "$pid_file")"
    if ! kill -0 "$pid" 2>/dev/null; then
        say "$name: pid $pid is not running"
        rm -f "$pid_file"
        return
    fi
    kill -TERM "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((grace * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "$name: pid $pid ignored SIGTERM for ${grace}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pid_file"
    say "$name: stopped pid $pid"
}

if [ -s "$state/run/slurmctld.pid" ] && command -v squeue >/dev/null; then
    jobs="$(squeue -h -o '%i' 2>/dev/null || true)"
    if [ -n "$jobs" ]; then
        say "cancelling jobs: $(echo "$jobs" | tr '\n' ' ')"
        # shellcheck disable=SC2086 # one job id per word
        scancel $jobs || true
        waited=0
        while [ -n "$(squeue -h -o '%i' 2>/dev/null || true)" ] && [ "$waited" -lt $((grace * 10)) ]; do
            sleep 0.1
            waited=$((waited + 1))
        done
    fi
fi

stop slurmd "$state/run/slurmd.pid"
stop slurmctld "$state/run/slurmctld.pid"
stop munged /run/munge/munged.pid
