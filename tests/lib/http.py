# http.py SOCKET REQUEST...: the requests on one connection to a unix
# socket, each answer read whole (Content-Length, chunked, or none for a
# HEAD), printed as its head, a blank line, its body and "--".  With CUT=N
# in the environment only the first N bytes of the last request are sent.
# "\n" (backslash, n) in a request stands for CRLF.  Used through http()
# of lib-tunnel.sh.
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(20)
s.connect(sys.argv[1])
buf = b""
def more():
    global buf
    d = s.recv(65536)
    if not d:
        sys.exit("closed before the answer ended")
    buf += d
reqs = [r.replace("\\n", "\r\n").encode() for r in sys.argv[2:]]
cut = os.environ.get("CUT")
if cut:
    reqs[-1] = reqs[-1][:int(cut)]
for i, req in enumerate(reqs):
    s.sendall(req)
    if cut and i == len(reqs) - 1:
        break
    while b"\r\n\r\n" not in buf:
        more()
    head, buf = buf.split(b"\r\n\r\n", 1)
    hdr = {}
    for l in head.split(b"\r\n")[1:]:
        k, v = l.split(b":", 1)
        hdr[k.strip().lower()] = v.strip()
    body = b""
    if req.startswith(b"HEAD"):
        pass
    elif hdr.get(b"transfer-encoding") == b"chunked":
        while True:
            while b"\r\n" not in buf:
                more()
            line, buf = buf.split(b"\r\n", 1)
            n = int(line, 16)
            while len(buf) < n + 2:
                more()
            body += buf[:n]
            buf = buf[n + 2:]
            if n == 0:
                break
    else:
        n = int(hdr.get(b"content-length", b"0"))
        while len(buf) < n:
            more()
        body, buf = buf[:n], buf[n:]
    sys.stdout.write(head.decode() + "\n\n" + body.decode() + "\n--\n")
