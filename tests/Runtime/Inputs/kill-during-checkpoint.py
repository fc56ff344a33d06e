"""kill -9 a training run at random moments while it checkpoints after every
epoch; the checkpoint left behind must always load (old or new, never torn).

    kill-during-checkpoint.py EXE DATA.csv DIR
"""
import glob
import os
import random
import signal
import subprocess
import sys
import time

exe, data, work = sys.argv[1:4]
ckpt = os.path.join(work, "kill.ckpt")
rng = random.Random(0)
torn_writes = 0
for attempt in range(20):
    p = subprocess.Popen([exe, "train", "--data", data, "--epochs", "1000000",
                          "--seed", "1", "--checkpoint", ckpt],
                         stdout=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.02, 0.12))
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    # A temporary file left behind means the kill landed inside a write;
    # the next write removes it (counted below).
    torn_writes = max(torn_writes, len(glob.glob(ckpt + ".tmp.*")))
    if not os.path.exists(ckpt):
        continue
    check = subprocess.run([exe, "train", "--data", data, "--resume", ckpt,
                            "--epochs", "0"], capture_output=True, text=True)
    if check.returncode != 0:
        sys.exit("attempt %d: the checkpoint does not load: %s"
                 % (attempt, check.stderr))
# The next checkpoint write removes the temporaries of dead writers, and
# only those: pid 1 is alive, "abc" is not a pid.
for name in ("999999999", "1", "abc"):
    open(ckpt + ".tmp." + name, "w").close()
subprocess.run([exe, "train", "--data", data, "--epochs", "1", "--seed", "1",
                "--checkpoint", ckpt], stdout=subprocess.DEVNULL, check=True)
left = sorted(os.path.basename(f) for f in glob.glob(ckpt + ".tmp.*"))
print("20 kills, checkpoint always loadable; %d landed inside a write"
      % torn_writes)
print("temporaries after the next write: %s" % ", ".join(left))
