#!/usr/bin/env python3
"""delayproxy.py LISTEN_PORT TARGET_PORT ONE_WAY_MS

A TCP relay on 127.0.0.1 for the tests: every chunk read on one side is
written to the other ONE_WAY_MS later, in order, as a long link without
loss would carry it (this kernel has no netem).  One thread reads each
direction and one writes it; an EOF is passed on after the data before it.
"""
import queue
import socket
import sys
import threading
import time


def relay(src, dst, delay):
    """Copy src to dst, each chunk `delay` seconds after it was read."""
    q = queue.Queue()

    def writer():
        while True:
            due, data = q.get()
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            try:
                if data:
                    dst.sendall(data)
                else:
                    dst.shutdown(socket.SHUT_WR)
                    return
            except OSError:
                return

    w = threading.Thread(target=writer, daemon=True)
    w.start()
    while True:
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        q.put((time.monotonic() + delay, data))
        if not data:
            break
    w.join()


def serve(client, target, delay):
    try:
        upstream = socket.create_connection(("127.0.0.1", target))
    except OSError:
        client.close()
        return
    for s in (client, upstream):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ends = [threading.Thread(target=relay, args=(client, upstream, delay),
                             daemon=True),
            threading.Thread(target=relay, args=(upstream, client, delay),
                             daemon=True)]
    for t in ends:
        t.start()
    for t in ends:
        t.join()
    client.close()
    upstream.close()


def main():
    listen, target, delay = int(sys.argv[1]), int(sys.argv[2]), \
        float(sys.argv[3]) / 1000.0
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen))
    srv.listen(64)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c, target, delay),
                         daemon=True).start()


if __name__ == "__main__":
    main()
