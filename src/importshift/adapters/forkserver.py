"""The verification fork server: a clean interpreter that imports each module in a fork.

Run as ``python -c <this file's text> LOG PARENT ROOT...`` by ``verify.py``, in the user's
interpreter (any Python 3 with ``os.fork``), so it must stay plain, old-syntax Python.
Every child starts from the state of a freshly started interpreter: what the server itself
imported after start-up (``select``, ``signal``, ``ctypes``) is dropped from the child's
``sys.modules``, and no user code ever runs in the server itself.

Nothing outlives the tool, whatever kills it:
- the server watches its stdin, a pipe from the tool: EOF means the tool is gone (even by
  SIGKILL), and the server kills the running child's process group, then exits;
- on Linux the server asks for SIGTERM when its parent dies (``PR_SET_PDEATHSIG``) and each
  child for SIGKILL when the server dies;
- the timeout is enforced here, where the import runs (and an ``alarm`` in the child backs
  it up), not only in the tool;
- on Linux the server is a child subreaper: a process the import started in a new session
  (a daemon) is re-parented to the server once its parent dies, found, killed, and reported.

Protocol, on stdin/stdout (the children never inherit either: they get /dev/null and the log):
  request  ``<kind> <n> <timeout>\\n`` + n bytes of name (kind ``import`` or ``compile``)
  replies  ``pid <pid>\\n`` as soon as the child exists, then
           ``done <code> <r> <t> <n> <timed out>\\n`` + r bytes of result + t bytes of output
           tail + n bytes of notes (one per line: processes left running, killed).
A result is ``ok``, or ``failed\\0<type>\\0<message>\\0<traceback>``; no result means the
child exited before the import returned (``sys.exit`` is caught; ``os._exit`` is not).
"""

import os
import sys

INITIAL = set(sys.modules)

import select  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402

TAIL = 4000
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
STATE = {"child": 0}
PRCTL = []  # type: ignore[var-annotated]  # libc prctl, on Linux


def main(log_path, parent, roots):
    if not hasattr(os, "fork"):
        _send(b"nofork\n")  # the tool runs one interpreter per import instead
        return
    PRCTL.extend(_prctl())
    signal.signal(signal.SIGTERM, _die)
    _set(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the tool died before the line above took effect
        return
    _set(PR_SET_CHILD_SUBREAPER, 1)
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
        kind, size, timeout = header.split(b" ")
        name = reader.exact(int(size))
        if name is None:
            return
        os.ftruncate(log, 0)
        os.lseek(log, 0, 0)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            _child(kind, os.fsdecode(name), float(timeout), null, log, r, w)
        STATE["child"] = pid
        os.close(w)
        _send(b"pid %d\n" % pid)
        status, timed_out = _wait(pid, float(timeout), reader)
        notes = _reap(pid)
        STATE["child"] = 0
        result = _drain(r)
        os.close(r)
        end = os.lseek(log, 0, 2)
        os.lseek(log, max(0, end - TAIL), 0)
        tail = os.read(log, TAIL)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        _send(
            b"done %d %d %d %d %d\n" % (code, len(result), len(tail), len(notes), timed_out)
            + result
            + tail
            + notes
        )


def _wait(pid, timeout, reader):
    """(wait status, timed out): the child's end, its timeout, or the tool's death (EOF)."""
    pidfd = -1
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = -1
    deadline = _now() + timeout
    timed_out = 0
    step = 0.001
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status, timed_out
            left = deadline - _now()
            if left <= 0 and not timed_out:
                timed_out = 1
                _kill_group(pid)
                left = 30.0
            watch = [0] + ([pidfd] if pidfd >= 0 else [])
            wait = left if pidfd >= 0 else min(left, step)
            step = min(step * 2, 0.05)
            ready = select.select(watch, [], [], max(wait, 0))[0]
            if 0 in ready and not reader.more():
                _die()  # the tool is gone: nothing may outlive it
    finally:
        if pidfd >= 0:
            os.close(pidfd)


def _die(*_):
    child = STATE["child"]
    if child:
        _kill_group(child)
    _reap(child or -1, wait=0.5)
    os._exit(1)


def _reap(pgid, wait=2.0):
    """Kill what the child left: its process group, and (a subreaper's) orphans re-parented
    here, such as daemons in a session of their own. Returns one note per daemon."""
    _kill_group(pgid)
    notes = []
    seen = set()
    deadline = _now() + wait
    while True:
        while True:
            try:
                done, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                done = 0
            if not done:
                break
        orphans = _children()
        for pid in orphans:
            if pid not in seen:
                seen.add(pid)
                if _session(pid) not in (pgid, os.getsid(0)):
                    notes.append(
                        b"it started a process in a new session (pid %d: %s); killed"
                        % (pid, _cmdline(pid))
                    )
            _kill_group(pid)
            _kill(pid)
        alive = bool(orphans)
        if not alive:
            try:
                os.killpg(pgid, 0)
                alive = True
            except OSError:
                alive = False
        if not alive or _now() > deadline:
            return b"".join(n + b"\n" for n in notes)
        select.select([], [], [], 0.005)


def _children():
    try:
        with open("/proc/{0}/task/{0}/children".format(os.getpid()), "rb") as fh:
            return [int(p) for p in fh.read().split()]
    except (OSError, ValueError):
        return []


def _session(pid):
    try:
        return os.getsid(pid)
    except OSError:
        return -1


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").strip()[:200]
    except OSError:
        return b"?"


def _kill_group(pgid):
    if pgid > 0:
        try:  # noqa: SIM105
            os.killpg(pgid, 9)
        except OSError:
            pass


def _kill(pid):
    try:  # noqa: SIM105
        os.kill(pid, 9)
    except OSError:
        pass


def _now():
    return time.monotonic()


def _prctl():
    if not sys.platform.startswith("linux"):
        return []
    try:
        import ctypes

        return [ctypes.CDLL(None, use_errno=True).prctl]
    except (ImportError, OSError, AttributeError):
        return []


def _set(option, value):
    for prctl in PRCTL:
        try:  # noqa: SIM105
            prctl(option, value, 0, 0, 0)
        except Exception:
            pass


def _child(kind, name, timeout, null, log, r, w):
    try:
        os.setsid()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _set(PR_SET_PDEATHSIG, signal.SIGKILL)
        _set(PR_SET_CHILD_SUBREAPER, 0)
        if hasattr(signal, "alarm"):
            signal.alarm(int(timeout) + 2)  # a backstop: the server kills it at the timeout
        for mod in list(sys.modules):
            if mod not in INITIAL:
                del sys.modules[mod]
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

    def more(self):
        """Read what is ready (stdin was readable): False at EOF."""
        return self._fill()

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


def once(kind, result_path, name, roots):
    """Spawn mode (no ``os.fork``): this process imports one module and writes its result
    to ``result_path``; the tool enforces the timeout and kills the process (group). Its
    stdin is a pipe from the tool, watched by a thread: EOF (the tool is gone, even by
    SIGKILL) ends this process; the import itself reads an empty stdin."""
    _exit_with_parent()
    for mod in list(sys.modules):
        if mod not in INITIAL:
            del sys.modules[mod]
    sys.path[0:0] = roots
    sys.dont_write_bytecode = True
    try:
        if kind == "import":
            __import__(name)
        else:
            with open(name, "rb") as fh:
                compile(fh.read(), name, "exec", dont_inherit=True)
        out = b"ok"
    except BaseException as exc:
        out = _failure(exc)
    with open(result_path, "wb") as fh:
        fh.write(out)
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105
            stream.flush()
        except BaseException:
            pass
    os._exit(0)


def _exit_with_parent():
    import _thread  # built in, already loaded: sys.modules stays as at start-up

    watch = os.dup(0)  # not inherited by what the import starts
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)

    def wait():
        try:
            while os.read(watch, 4096):
                pass
        except OSError:
            pass
        os._exit(1)

    _thread.start_new_thread(wait, ())


if __name__ == "__main__":
    if sys.argv[1] == "--once":
        once(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
