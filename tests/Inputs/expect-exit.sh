#!/bin/sh
# Usage: expect-exit.sh CODE COMMAND... ; runs COMMAND and fails unless it
# exits with exactly CODE. `not` accepts any non-zero code, which would let an
# internal error (exit 4) pass for a user error (exit 1).
want=$1
shift
"$@"
got=$?
if [ "$got" -ne "$want" ]; then
  echo "expect-exit: expected exit code $want, got $got from: $*" >&2
  exit 1
fi
exit 0
