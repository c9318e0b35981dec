"""The verification fork server: a clean interpreter that imports each module in a fork.

Run as ``python -c <this file's text> LOG ROOT...`` by ``verify.py``, in the user's
interpreter (any Python 3 with ``os.fork``), so it must stay plain, old-syntax Python that
imports nothing beyond ``os`` and ``sys``: every child starts from exactly this state, the
state of a freshly started interpreter, and no user code ever runs in the server itself.

Protocol, on stdin/stdout (the children never inherit either: they get /dev/null and the log):
  request  ``<kind> <n>\\n`` + n bytes of name (kind ``import`` or ``compile``)
  replies  ``pid <pid>\\n`` as soon as the child exists (the caller's handle for a timeout), then
           ``done <code> <r> <t>\\n`` + r bytes of result + t bytes of output tail.
A result is ``ok``, or ``failed\\0<type>\\0<message>\\0<traceback>``; no result means the
child exited before the import returned (``sys.exit`` is caught; ``os._exit`` is not).
"""

import os
import sys

TAIL = 4000


def main(log_path, roots):
    sys.path[0:0] = roots
    sys.dont_write_bytecode = True
    log = os.open(log_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    os.unlink(log_path)
    null = os.open(os.devnull, os.O_RDONLY)
    reader = _Reader(0)
    _send(b"ready\n")
    while True:
        header = reader.line()
        if header is None:
            return
        kind, size = header.split(b" ")
        name = reader.exact(int(size))
        if name is None:
            return
        os.ftruncate(log, 0)
        os.lseek(log, 0, 0)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            _child(kind, os.fsdecode(name), null, log, r, w)
        os.close(w)
        _send(b"pid %d\n" % pid)
        _, status = os.waitpid(pid, 0)
        # whatever the child left behind (a forked grandchild, say) dies too; no contextlib
        # here: the children must start with only what a fresh interpreter has
        try:  # noqa: SIM105
            os.killpg(pid, 9)
        except OSError:
            pass
        result = _drain(r)
        os.close(r)
        end = os.lseek(log, 0, 2)
        os.lseek(log, max(0, end - TAIL), 0)
        tail = os.read(log, TAIL)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        _send(b"done %d %d %d\n" % (code, len(result), len(tail)) + result + tail)


def _child(kind, name, null, log, r, w):
    try:
        os.setsid()
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        for fd in (r, null, log):
            os.close(fd)
        try:
            if kind == b"import":
                __import__(name)
            else:
                with open(name, "rb") as fh:
                    compile(fh.read(), name, "exec", dont_inherit=True)
            out = b"ok"
        except BaseException as exc:
            out = _failure(exc)
        os.write(w, out)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:  # noqa: SIM105
                stream.flush()
            except BaseException:
                pass
        os._exit(0)


def _failure(exc):
    import traceback

    try:
        message = str(exc)[:2000]
    except BaseException:
        message = "<unprintable>"
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-3000:]
    text = "\0".join(["failed", type(exc).__name__[:200], message, trace])
    return text.encode("utf-8", "backslashreplace")


def _drain(fd):
    """What the dead child wrote; never waits on a grandchild still holding the pipe."""
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _send(data):
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


class _Reader:
    def __init__(self, fd):
        self.fd = fd
        self.buf = b""

    def _fill(self):
        chunk = os.read(self.fd, 65536)
        self.buf += chunk
        return bool(chunk)

    def line(self):
        while b"\n" not in self.buf:
            if not self._fill():
                return None
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def exact(self, size):
        while len(self.buf) < size:
            if not self._fill():
                return None
        data, self.buf = self.buf[:size], self.buf[size:]
        return data


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
