#!/usr/bin/env python3
"""tty-answer.py ANSWER... -- CMD ARGS...: run CMD on a pseudo-terminal
and type each ANSWER (plus a newline) after the next prompt that
mentions a passphrase appears, the way a person would: never ahead of the prompt, so nothing
is typed while echo is still on.  Everything the terminal shows goes to
stdout; the exit status is CMD's."""
import os
import pty
import select
import sys
import time

sep = sys.argv.index("--")
answers = sys.argv[1:sep]
cmd = sys.argv[sep + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
seen = b""
deadline = time.time() + 30
while time.time() < deadline:
    if not select.select([fd], [], [], 1.0)[0]:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    seen += data
    tail = seen.rstrip()
    if answers and tail.endswith(b":") and b"passphrase" in tail.lower():
        time.sleep(0.05)
        os.write(fd, answers.pop(0).encode() + b"\n")
        seen = b""
if time.time() >= deadline:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
