"""Runs a command with its standard output on a pseudo-terminal (as a user's
terminal would be) and prints what it wrote, with carriage returns shown as
<CR> and escape characters as <ESC> so that FileCheck can match a progress
bar's redraws; exits with the command's status.
    run-in-pty.py COMMAND [ARGS...]
"""
import os
import pty
import sys

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:  # the child closed the terminal
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
# The terminal turns "\n" into "\r\n"; what is left of "\r" is the program's.
text = out.decode().replace("\r\n", "\n").replace("\r", "<CR>")
sys.stdout.write(text.replace("\x1b", "<ESC>"))
sys.exit(os.waitstatus_to_exitcode(status))
