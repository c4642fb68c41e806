#!/usr/bin/env python3
"""hostile-docker.py SOCKET MODE: a deliberately broken "Docker daemon".

Serves the Engine API paths the audit asks for on a unix socket.  In mode
"sane" every answer is well formed; every other mode breaks one thing the
way a hostile or buggy daemon could: broken HTTP, huge or malformed JSON,
chunked encoding errors, wrong types, deep nesting, silence.  Used by
tests/t/t0403-audit-hostile.sh; it exits when killed.
"""
import json
import os
import socket
import socketserver
import sys
import time

CID = "a" * 64
IID = "sha256:" + "b" * 64


def sane(path):
    """(status, headers, body) for a well-formed daemon."""
    if path == "/_ping":
        return 200, {"Api-Version": "1.41", "Server": "Docker/20.10.99"}, b"OK"
    if path == "/version":
        return 200, {}, {"Version": "20.10.99", "ApiVersion": "1.41",
                         "Os": "linux", "Arch": "amd64"}
    if path == "/info":
        return 200, {}, {
            "Name": "hostile", "ID": "X",
            "SecurityOptions": ["name=seccomp,profile=default"],
            "Warnings": None, "LiveRestoreEnabled": True,
            "LoggingDriver": "syslog", "Driver": "overlay2",
            "RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8"],
                               "IndexConfigs": {}},
            "Plugins": {"Authorization": ["authz"]},
            "Swarm": {"LocalNodeState": "inactive"}}
    if path == "/containers/json?all=1":
        return 200, {}, [{"Id": CID, "Names": ["/c1"], "State": "running",
                          "ImageID": IID, "Labels": {}}]
    if path == "/containers/%s/json" % CID:
        return 200, {}, {
            "Id": CID, "Name": "/c1", "AppArmorProfile": "",
            "State": {"Status": "running"},
            "Config": {"User": "1000", "Labels": {},
                       "Healthcheck": {"Test": ["CMD", "true"]}},
            "HostConfig": {"Privileged": False, "CapAdd": None,
                           "CapDrop": ["ALL"],
                           "SecurityOpt": ["no-new-privileges"],
                           "Memory": 1 << 26, "NanoCpus": 500000000,
                           "CpuShares": 0, "CpuQuota": 0, "PidsLimit": 64,
                           "NetworkMode": "none", "PidMode": "",
                           "IpcMode": "private", "UTSMode": "",
                           "UsernsMode": "", "ReadonlyRootfs": True,
                           "RestartPolicy": {"Name": "no",
                                             "MaximumRetryCount": 0},
                           "PortBindings": {}, "Devices": [],
                           "CgroupParent": ""},
            "Mounts": []}
    if path == "/images/json":
        return 200, {}, [{"Id": IID, "RepoTags": ["img:1"]}]
    if path == "/images/%s/json" % IID:
        return 200, {}, {"Id": IID, "RepoTags": ["img:1"], "Size": 10,
                         "Config": {"User": "1000", "Env": ["A=1"],
                                    "Healthcheck": {"Test": ["CMD", "t"]}}}
    if path == "/images/%s/history" % IID:
        return 200, {}, [{"Id": IID, "CreatedBy": "COPY x /", "Size": 10,
                          "Created": 1}]
    return 404, {}, {"message": "page not found"}


def deep(n):
    return ("[" * n + "]" * n).encode()


WRONG_INFO = {"SecurityOptions": "name=seccomp", "Warnings": {"a": 1},
              "LiveRestoreEnabled": "yes", "LoggingDriver": 7,
              "ExperimentalBuild": "no",
              "RegistryConfig": {"InsecureRegistryCIDRs": "10.0.0.0/8",
                                 "IndexConfigs": []},
              "Plugins": {"Authorization": "x"}}
WRONG_CONTAINER = {"Id": CID, "Name": ["/c1"], "Config": "root",
                   "HostConfig": {"Privileged": "true", "CapAdd": "SYS_ADMIN",
                                  "SecurityOpt": {"seccomp": 1},
                                  "Memory": "lots", "PidsLimit": [],
                                  "NetworkMode": 1, "ReadonlyRootfs": None,
                                  "PortBindings": [1, 2],
                                  "RestartPolicy": "always",
                                  "Devices": {}, "CgroupParent": 3},
                   "Mounts": {"Source": "/"}}


class Handler(socketserver.BaseRequestHandler):
    mode = "sane"

    def send(self, data):
        try:
            self.request.sendall(data)
        except OSError:
            pass

    def answer(self, status, headers, body, extra=b""):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        head = "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n" % status
        for k, v in headers.items():
            head += "%s: %s\r\n" % (k, v)
        head += "Content-Length: %d\r\n\r\n" % len(body)
        self.send(head.encode() + body + extra)

    def handle(self):
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                try:
                    chunk = self.request.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
            req, buf = buf.split(b"\r\n\r\n", 1)
            path = req.split(b"\r\n")[0].split(b" ")[1].decode()
            if self.respond(path) is False:
                return

    def respond(self, path):
        m = self.mode
        status, headers, body = sane(path)
        ping = path == "/_ping"
        if m == "sane":
            self.answer(status, headers, body)
        elif m == "garbage":
            self.send(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff\xfe garbage\r\n\r\n")
            return False
        elif m == "close":
            return False
        elif m == "hang":
            time.sleep(30)
            return False
        elif m == "not-docker":
            self.send(b"HTTP/1.1 200 OK\r\nServer: nginx\r\n"
                      b"Content-Length: 5\r\n\r\nhello")
        elif m == "huge-length" and path == "/info":
            self.send(b"HTTP/1.1 200 OK\r\nContent-Length: 900000000000"
                      b"\r\n\r\n{")
            return False
        elif m == "huge-chunked" and path == "/containers/json?all=1":
            self.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            piece = b"100000\r\n" + b"[" * 0x100000 + b"\r\n"
            for _ in range(40):
                self.send(piece)
            return False
        elif m == "chunk-error" and path == "/info":
            self.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"5\r\n{\"a\":1}XX\r\n0\r\n\r\n")
        elif m == "cl-te" and path == "/version":
            self.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n{}")
            return False
        elif m == "malformed-json" and not ping:
            self.answer(200, {}, b'{"Version": "20.10", "Oops": [1, 2,')
        elif m == "wrong-types" and path == "/info":
            self.answer(200, {}, WRONG_INFO)
        elif m == "wrong-types" and path.startswith("/containers/a"):
            self.answer(200, {}, WRONG_CONTAINER)
        elif m == "wrong-types" and path == "/images/json":
            self.answer(200, {}, {"not": "a list"})
        elif m == "deep" and path == "/containers/json?all=1":
            self.answer(200, {}, deep(100000))
        elif m == "deep" and path == "/info":
            self.answer(200, {}, b'{"a":' + deep(3000) + b"}")
        elif m == "bad-ids" and path == "/containers/json?all=1":
            self.answer(200, {}, [{"Id": "../../../_ping", "State": "x"},
                                  {"Id": "a b\r\nX: y"}, {"Id": 7}, {}])
        elif m == "inspect-500" and path.startswith("/containers/a"):
            self.answer(500, {}, {"message": "boom \x1b[31mred\x1b[0m"})
        elif m == "header-bomb" and path == "/info":
            self.send(b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 5000 + b"\r\n")
            return False
        elif m == "control-chars" and path == "/version":
            v = sane(path)[2]
            v["Version"] = "20.10\x1b]0;pwned\x07\u009b2J"
            v["ApiVersion"] = "1.41\u009b31m"
            self.answer(200, {}, v)
        elif m == "control-chars" and path == "/containers/json?all=1":
            self.answer(200, {}, [{"Id": CID, "Names": ["/\x1b]0;pwn\x07c1"],
                                   "State": "exited\x1b[2J"}])
        elif m == "control-chars" and path.startswith("/containers/a"):
            c = sane(path)[2]
            c["Name"] = "/\x1b]0;pwned\x07evil\nname\u009b"
            c["HostConfig"]["Privileged"] = True
            self.answer(200, {}, c)
        elif m == "extra-bytes" and path == "/version":
            self.answer(status, headers, body, extra=b"HTTP/1.1 200 OK\r\n")
        else:
            self.answer(status, headers, body)
        return True


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    path, mode = sys.argv[1], sys.argv[2]
    Handler.mode = mode
    if os.path.exists(path):
        os.unlink(path)
    with Server(path, Handler) as srv:
        srv.serve_forever()


if __name__ == "__main__":
    main()
