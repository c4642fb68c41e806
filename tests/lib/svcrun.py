# svcrun.py RUN_DIR NAME COMMAND: the tunnel service's "run" request
# (tunnel/runwire.h) as a client would send it, for the tests.  Prints the
# answer's JSON line; the command's output goes to the file $OUT and its
# errors to $ERR when set.  Environment: IN (a file for its standard
# input), TIMEOUT_MS (20000), OUTCAP (1 MiB); RAW (a request line sent
# instead of the one made here, then COMMAND and the input as they are);
# CUT=N (only the first N bytes of all that are sent, then the socket is
# closed: the answer is not waited for).
import json, os, socket, sys
run_dir, name, cmd = sys.argv[1], sys.argv[2], sys.argv[3].encode()
data = open(os.environ["IN"], "rb").read() if os.environ.get("IN") else b""
line = os.environ.get("RAW")
if line is None:
    line = "run %s %d %d %s %s" % (name, len(cmd), len(data),
        os.environ.get("TIMEOUT_MS", "20000"),
        os.environ.get("OUTCAP", str(1 << 20)))
req = line.encode() + b"\n" + cmd + data
s = socket.socket(socket.AF_UNIX)
s.settimeout(60)
s.connect(os.path.join(run_dir, "_service.ctl"))
cut = os.environ.get("CUT")
if cut:
    s.sendall(req[:int(cut)])
    s.close()
    sys.exit(0)
s.sendall(req)
ans = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    ans += d
head, _, rest = ans.partition(b"\n")
print(head.decode())
h = json.loads(head)
if h.get("ok"):
    n = h["out"]
    if len(rest) != n + h["err"]:
        sys.exit("the answer counts %d bytes, %d came" % (n + h["err"], len(rest)))
    if os.environ.get("OUT"):
        open(os.environ["OUT"], "wb").write(rest[:n])
    if os.environ.get("ERR"):
        open(os.environ["ERR"], "wb").write(rest[n:])
