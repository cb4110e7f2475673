#!/usr/bin/env bash
# Sets up a one-machine Slurm cluster for the Slurm tests and benchmarks: Debian's slurm-wlm and
# munge packages (Slurm 22.05 on bookworm), started as root without systemd. munged runs as the munge
# user; slurmctld and slurmd read /etc/slurm/slurm.conf, where the Slurm client commands (sbatch,
# squeue, scancel, scontrol) look without any variable. The node is 127.0.0.1 with two fake GPUs:
# character devices made with mknod (a GPU entry without File= silently drains the node), so that
# scheduling by --gres=gpu:N can be tested on a machine without GPUs.
#
# Idempotent: packages are installed when missing, daemons started when not running, and a second run
# only waits for the node to be idle. Everything the daemons write (state, spool, pid files, logs and
# the fake devices) is under MAGI_SLURM_STATE (default /var/tmp/magi-slurm); scripts/slurm-teardown.sh
# stops the daemons by the pids recorded there. Needs root (or sudo).
set -euo pipefail

state="${MAGI_SLURM_STATE:-/var/tmp/magi-slurm}"
conf_dir=/etc/slurm
conf="$conf_dir/slurm.conf"
gres_conf="$conf_dir/gres.conf"
marker="# Written by MAGI's scripts/slurm-setup.sh"
idle_timeout=60

say() {
    echo "slurm-setup: $*"
}

sudo=""
if [ "$(id -u)" != 0 ]; then
    sudo="sudo"
fi

if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
        || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge with apt-get"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge
else
    say "slurm-wlm and munge are installed (slurm-wlm $(dpkg-query -W -f='${Version}' slurm-wlm 2>/dev/null || echo "of unknown version"))"
fi

if [ -n "$sudo" ]; then
    # The rest writes under /etc, /run and the state directory and starts daemons as root.
    exec $sudo env MAGI_SLURM_STATE="$state" "$0" "$@"
fi

running() {
    local pid_file="$1"
    [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

mkdir -p "$state"/{ctld,spool,dev,log,run}

# munge: one key shared by every daemon and client; the package usually makes it.
if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 0600 /etc/munge/munge.key
fi
mkdir -p /run/munge
chown munge:munge /run/munge
chmod 0755 /run/munge
if running /run/munge/munged.pid; then
    say "munged is running (pid $(cat /run/munge/munged.pid))"
else
    say "starting munged as the munge user"
    runuser -u munge -- /usr/sbin/munged
fi

# Two fake GPUs: the devices of /dev/null (major 1, minor 3) under other names.
for i in 0 1; do
    if [ ! -c "$state/dev/gpu$i" ]; then
        rm -f "$state/dev/gpu$i"
        mknod "$state/dev/gpu$i" c 1 3
    fi
done

host="$(hostname -s)"
# This machine's CPUs, sockets and memory as slurmd itself sees them, so that the node registers.
hardware="$(slurmd -C | head -1 | sed -e 's/^NodeName=[^ ]* //')"

mkdir -p "$conf_dir"
if [ -e "$conf" ] && ! grep -qF "$marker" "$conf"; then
    say "$conf exists and was not written by this script; refusing to overwrite it" >&2
    exit 1
fi
new_conf="$(mktemp)"
cat > "$new_conf" <<EOF
$marker: a one-machine test cluster.
ClusterName=magi-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=64
GresTypes=gpu
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/run/slurmctld.pid
SlurmdPidFile=$state/run/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
SchedulerType=sched/backfill
MinJobAge=30
NodeName=$host NodeAddr=127.0.0.1 $hardware Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES:128
EOF
cat > "$gres_conf.new" <<EOF
$marker.
NodeName=$host Name=gpu File=$state/dev/gpu[0-1]
EOF
changed=false
if ! cmp -s "$new_conf" "$conf"; then
    mv "$new_conf" "$conf"
    chmod 0644 "$conf"
    changed=true
else
    rm -f "$new_conf"
fi
if ! cmp -s "$gres_conf.new" "$gres_conf"; then
    mv "$gres_conf.new" "$gres_conf"
    changed=true
else
    rm -f "$gres_conf.new"
fi
if [ "$changed" = true ]; then
    say "wrote $conf and $gres_conf"
fi

if running "$state/run/slurmctld.pid"; then
    if [ "$changed" = true ]; then
        say "slurmctld is running; reconfiguring it"
        scontrol reconfigure
    else
        say "slurmctld is running (pid $(cat "$state/run/slurmctld.pid"))"
    fi
else
    say "starting slurmctld"
    /usr/sbin/slurmctld -f "$conf"
fi
if running "$state/run/slurmd.pid"; then
    say "slurmd is running (pid $(cat "$state/run/slurmd.pid"))"
else
    say "starting slurmd"
    /usr/sbin/slurmd -f "$conf"
fi

# The node is idle within about a second; mixed or allocated means jobs already run there.
deadline=$((SECONDS + idle_timeout))
while true; do
    node_state="$(sinfo -h -N -n "$host" -o '%T' 2>/dev/null || true)"
    case "$node_state" in
        idle|mixed|allocated|completing)
            break
            ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
        say "node $host is '${node_state:-unknown}' after ${idle_timeout}s; see $state/log/" >&2
        sinfo -N -l >&2 || true
        exit 1
    fi
    sleep 0.2
done
say "node $host is $node_state: $(sinfo -h -N -n "$host" -o '%c CPUs, %m MB, %G')"
say "configuration: $conf; daemons' logs and pids: $state/log, $state/run"
