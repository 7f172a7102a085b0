#!/bin/sh
# private_tmp.sh LOCAL_DIR COMMAND...: run COMMAND with LOCAL_DIR/tmp as its /tmp and
# LOCAL_DIR itself at /tmp/stack. The launcher runs it under `unshare --mount`, so the
# mounts are seen by COMMAND alone and vanish with it.
#
# For SeaweedFS: `weed mini` keeps its gRPC unix sockets at fixed paths named by port only
# (/tmp/seaweedfs-master-grpc-19333.sock, ...), with no flag to move them, so two stacks on
# one machine (two checkouts, or one per network namespace) would delete each other's
# sockets. Inside this private /tmp every socket lands in LOCAL_DIR/tmp, and the paths stay
# short whatever LOCAL_DIR is (a unix socket path must fit in 108 bytes).
set -eu
local_dir=$1
shift
# The program may itself lie under /tmp (a checkout there, with its .venv/bin/weed): find it
# now and keep it reachable at /tmp/.bin/<name> before /tmp is hidden.
program=$(command -v "$1")
shift
name=$(basename "$program")
mkdir -p "$local_dir/tmp/stack" "$local_dir/tmp/.bin"
: > "$local_dir/tmp/.bin/$name"
mount --bind "$program" "$local_dir/tmp/.bin/$name"
# LOCAL_DIR may itself lie under /tmp: keep it reachable at /tmp/stack before /tmp is hidden.
mount --bind "$local_dir" "$local_dir/tmp/stack"
mount --rbind "$local_dir/tmp" /tmp
cd /tmp/stack
export TMPDIR=/tmp  # Go's os.TempDir (SeaweedFS's log files) follows it: here, LOCAL_DIR/tmp
exec "/tmp/.bin/$name" "$@"
