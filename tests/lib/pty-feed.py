#!/usr/bin/env python3
"""pty-feed: run a command on a new pseudo-terminal (its controlling
terminal, so /dev/tty is the pty) and type a line after each prompt.

    pty-feed.py LINE... -- COMMAND [ARGS...]

A prompt is output ending in ": ".  Everything the command wrote on the
terminal is copied to stdout, so a test can check what was echoed; the
exit status is the command's (124 after 60 s).  LINE "^C" sends an
interrupt instead of a line.
"""
import os
import pty
import select
import signal
import sys
import time


def main():
    if "--" not in sys.argv:
        sys.exit("usage: pty-feed.py LINE... -- COMMAND [ARGS...]")
    split = sys.argv.index("--")
    lines, cmd = sys.argv[1:split], sys.argv[split + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out = b""
    pending = b""
    deadline = time.time() + 60
    while True:
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.write(out.decode("utf-8", "replace"))
            sys.exit(124)
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            out += chunk
            pending += chunk
        if lines and pending.rstrip(b"\r\n").endswith(b": "):
            line = lines.pop(0)
            pending = b""
            time.sleep(0.05)
            if line == "^C":
                os.write(fd, b"\x03")
            else:
                os.write(fd, line.encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode("utf-8", "replace"))
    if os.WIFEXITED(status):
        sys.exit(os.WEXITSTATUS(status))
    sys.exit(128 + os.WTERMSIG(status))


main()
