# threading: threads are cooperative tasks of the program; they switch when one blocks, sleeps,
# ends, or has run its share of steps.
from _socksim import start_thread, join_thread, thread_alive, current_thread as _current, Lock

_count = 0
_main = None
_started = []


class Thread:
    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        global _count
        _count += 1
        if name is None:
            name = 'Thread-%d' % _count
            if target is not None:
                name += ' (%s)' % target.__name__
        self.name = name
        self.daemon = bool(daemon)
        self._target = target
        self._args = args
        self._kwargs = kwargs or {}
        self._ident = None

    def start(self):
        if self._ident is not None:
            raise RuntimeError('threads can only be started once')
        self._ident = start_thread(self)
        _started.append(self)

    def run(self):
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def join(self, timeout=None):
        if self._ident is None:
            raise RuntimeError('cannot join thread before it is started')
        join_thread(self._ident, timeout)

    def is_alive(self):
        return self._ident is not None and thread_alive(self._ident)

    def getName(self):
        return self.name

    def setName(self, name):
        self.name = name

    def isDaemon(self):
        return self.daemon

    def setDaemon(self, daemonic):
        self.daemon = daemonic

    def __repr__(self):
        return '<Thread(%s, %s)>' % (self.name, 'started' if self._ident is not None else 'initial')


class _MainThread(Thread):
    def __init__(self):
        Thread.__init__(self, name='MainThread')
        self._ident = 0


def current_thread():
    global _main
    thread, name = _current()
    if thread is None:
        if _main is None:
            _main = _MainThread()
        return _main
    return thread


def active_count():
    return 1 + len([t for t in _started if t.is_alive()])


currentThread = current_thread
activeCount = active_count
RLock = Lock
